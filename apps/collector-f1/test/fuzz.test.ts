import { blankPacket, DECODE_FAILURE_REASONS, encodePacket, MAX_CARS, PACKET_FORMATS, PACKET_SIZES, PacketId, type PacketFormat } from '@pitwall/f1-udp';
import { Rig, run, until, type Running } from './support';
import { seededRandom as rng } from '@pitwall/seeded-random';


/** Valid packets of every id of every format: what the mutations start from. */
function corpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const format of PACKET_FORMATS) {
    const rig = new Rig(format, 0xf00dn + BigInt(format));
    out.push(rig.session(), rig.participants(), rig.carDamage(), rig.sessionEnded(), ...rig.frame());
    for (const key of Object.keys(PACKET_SIZES[format])) {
      const id = Number(key);
      if (id === PacketId.Event) continue;
      out.push(encodePacket(format, rig.header(), blankPacket(format as PacketFormat, id as Exclude<PacketId, 3>)));
    }
  }
  return out;
}

function mutate(base: Buffer, next: () => number): Buffer {
  const int = (max: number) => Math.floor(next() * max);
  const b = Buffer.from(base);
  switch (int(8)) {
    case 0: // random bytes of a random length
      return Buffer.from(Array.from({ length: 1 + int(1500) }, () => int(256)));
    case 1: // flip bytes anywhere, header included (sessionUID, format, id)
      for (let n = 1 + int(8); n > 0; n--) b[int(b.length)] = int(256);
      return b;
    case 2: // garbage body, valid header and length: decodes, then must be joined safely
      for (let i = 29; i < b.length; i++) b[i] = int(256);
      b.writeBigUInt64LE(BigInt(1 + int(50)), 7);
      return b;
    case 3: // truncated
      return b.subarray(0, int(b.length));
    case 4: // extended
      return Buffer.concat([b, Buffer.alloc(1 + int(64), int(256))]);
    case 5: // another format's header on this body
      b.writeUInt16LE([2022, 2023, 2024, 2025, 2026, int(65536)][int(6)]!, 0);
      return b;
    case 6: // another packet id
      b.writeUInt8(int(32), 6);
      return b;
    default: // unchanged but for the session (a valid packet of a random rig)
      b.writeBigUInt64LE(BigInt(1 + int(50)), 7);
      return b;
  }
}

describe('collector-f1 fuzz over real UDP', () => {
  let r: Running | undefined;
  afterAll(async () => {
    await r?.stop();
  });

  it('reads ≥ 10,000 random and mutated datagrams without a crash and counts every one it received', async () => {
    const seed = Number(process.env.F1_FUZZ_SEED ?? 20777);
    const total = 12_000;
    const burst = 100;
    const next = rng(seed);
    const base = corpus();
    r = await run({ F1_MAX_SESSIONS: '16' });

    let sent = 0;
    while (sent < total) {
      const batch = Array.from({ length: Math.min(burst, total - sent) }, () => mutate(base[Math.floor(next() * base.length)]!, next));
      await r.send(...batch);
      sent += batch.length;
      // Paced: let the collector catch up before the next burst, so loopback keeps (nearly) all.
      await until('the collector to catch up', async () => (await r!.intake()).received >= sent - 2 * burst, 5000).catch(() => undefined);
    }
    // Wait until the counter stops moving: everything that will arrive has arrived.
    let last = -1;
    for (;;) {
      await new Promise((res) => setTimeout(res, 200));
      const { received } = await r.intake();
      if (received === last || received >= sent) break;
      last = received;
    }
    const intake = await r.intake();
    const failed = await r.counter('pitwall_collector_datagrams_dropped_total', { reason: 'processing_failed' });
    const reasons: Record<string, number> = {};
    for (const reason of DECODE_FAILURE_REASONS) reasons[reason] = await r.counter('pitwall_collector_datagrams_dropped_total', { reason });
    console.log(`f1 fuzz seed ${seed}: sent ${sent}, received ${intake.received}, accepted ${intake.accepted}, dropped ${intake.dropped} ${JSON.stringify(reasons)}, processing_failed ${failed}, sessions ${r.collector.sessions}`);

    expect(intake.received).toBeGreaterThanOrEqual(Math.ceil(sent * 0.99));
    expect(intake.accepted + intake.dropped).toBe(intake.received);
    expect(Object.values(reasons).reduce((a, b) => a + b, 0) + failed).toBe(intake.dropped);
    expect(failed).toBe(0);
    // Every kind of outcome was exercised.
    for (const [reason, n] of Object.entries(reasons)) expect([reason, n > 0]).toEqual([reason, true]);
    expect(intake.accepted).toBeGreaterThan(1000);
    expect(r.collector.sessions).toBeLessThanOrEqual(16);

    // Still alive and joining: a clean frame afterwards gives its 22 frames.
    const before = r.frames.length;
    const rig = new Rig(2025, 0xabcdefn);
    await r.send(rig.participants(), ...rig.frame());
    await until('frames after the fuzz', () => r!.frames.filter((f) => f.sessionId === 'f1:11259375').length >= MAX_CARS);
    expect(r.frames.length).toBeGreaterThan(before);
    const report = await r.health.report();
    expect(report.checks['collector-f1']!.status).toBe('ok');
  }, 120_000);
});
