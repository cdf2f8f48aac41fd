import { PACKET_FORMATS, PACKET_SIZES, PacketId, decodePacket, isMenuHeader, isRaceSession, type DecodeSuccess, type PacketFormat } from '@pitwall/f1-udp';
import { F1Sender } from '../src/f1/sender';
import { TestPeer } from './udp-client';

const SESSION_UID = 0xf123_4567_89ab_cdefn; // above 2^63: a double cannot hold it

async function capture(format: PacketFormat, ticks: number, extra: { menuPackets?: number; cars?: number } = {}) {
  const peer = await TestPeer.open();
  const sender = new F1Sender({
    port: peer.port,
    format,
    rateHz: 200,
    sessionRateHz: 20,
    participantsIntervalMs: 100,
    sessionUid: SESSION_UID,
    maxTicks: ticks,
    menuPackets: extra.menuPackets ?? 0,
    race: { seed: 3, cars: extra.cars ?? 22, trackLengthM: 3000 },
    timeScale: 5,
  }).start();
  await sender.finished();
  try {
    await peer.waitFor(sender.stats.sent, () => true, 3000);
  } finally {
    await peer.close();
  }
  const decoded = peer.received.map((b) => {
    const d = decodePacket(b);
    if (!d.ok) throw new Error(`${d.reason}: ${d.detail}`);
    expect(b.length).toBe(PACKET_SIZES[format][d.header.packetId as 0]);
    return d;
  });
  return { sender, decoded };
}

const byId = (packets: DecodeSuccess[], id: number) => packets.filter((p) => p.header.packetId === id);

describe.each(PACKET_FORMATS)('F1 rig, packet format %i', (format) => {
  let result: Awaited<ReturnType<typeof capture>>;
  beforeAll(async () => {
    result = await capture(format, 40, { menuPackets: 3 });
  });

  it('sends every datagram at the spec size for its id, and all of them arrive', () => {
    const { sender, decoded } = result;
    expect(decoded.length).toBe(sender.stats.sent);
    expect(sender.stats.sendErrors).toBe(0);
    expect([...sender.sentById.values()].reduce((a, b) => a + b, 0)).toBe(sender.stats.sent);
    for (const d of decoded) {
      expect(d.header.packetFormat).toBe(format);
      expect(d.header.packetId).toBe(d.packet.id);
    }
  });

  it('starts with zeroed-header menu packets, then the session start event', () => {
    const { decoded } = result;
    const menu = decoded.slice(0, 3);
    for (const m of menu) {
      expect(isMenuHeader(m.header)).toBe(true);
      expect(m.header.frameIdentifier).toBe(0);
      expect(m.header.gameYear).toBe(format === 2023 ? 0 : format % 100);
    }
    expect(decoded.slice(3).every((d) => !isMenuHeader(d.header))).toBe(true);
    const first = decoded[3]!;
    expect(first.packet).toEqual({ id: PacketId.Event, code: 'SSTA', details: {} });
  });

  it('keeps one sessionUID above 2^63, exactly', () => {
    const session = result.decoded.slice(3);
    expect(new Set(session.map((d) => d.header.sessionUID))).toEqual(new Set([SESSION_UID]));
    expect(SESSION_UID > 2n ** 63n).toBe(true);
  });

  it('gives the per-step packets one frame identifier per step, increasing by one', () => {
    const decoded = result.decoded.slice(3); // after the menu packets
    for (const id of [PacketId.Motion, PacketId.LapData, PacketId.CarTelemetry, PacketId.CarStatus, PacketId.CarDamage]) {
      const frames = byId(decoded, id).map((d) => d.header.frameIdentifier);
      expect(frames).toEqual(Array.from({ length: 40 }, (_v, i) => i + 1));
      expect(byId(decoded, id).map((d) => d.header.overallFrameIdentifier)).toEqual(frames);
    }
    const times = byId(decoded, PacketId.Motion).map((d) => d.header.sessionTime);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
    // Across all packets the frame identifier never goes back.
    const all = decoded.slice(3).map((d) => d.header.frameIdentifier);
    for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThanOrEqual(all[i - 1]!);
  });

  it('describes a full grid of 22 cars', () => {
    const { decoded } = result;
    const participants = byId(decoded, PacketId.Participants);
    expect(participants.length).toBeGreaterThanOrEqual(2);
    const p = participants[0]!.packet;
    if (p.id !== PacketId.Participants) throw new Error('not participants');
    expect(p.numActiveCars).toBe(22);
    expect(new Set(p.participants.map((x) => x.name)).size).toBe(22);
    expect(p.participants[0]!.aiControlled).toBe(0);
    expect(p.participants.slice(1).every((x) => x.aiControlled === 1)).toBe(true);

    const lap = byId(decoded, PacketId.LapData).at(-1)!.packet;
    if (lap.id !== PacketId.LapData) throw new Error('not lap data');
    expect(lap.lapData.map((l) => l.carPosition).sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_v, i) => i + 1));

    const telemetry = byId(decoded, PacketId.CarTelemetry).at(-1)!.packet;
    if (telemetry.id !== PacketId.CarTelemetry) throw new Error('not telemetry');
    for (const car of telemetry.carTelemetryData) {
      expect(car.speed).toBeGreaterThan(50);
      expect(car.speed).toBeLessThan(360);
      expect(car.gear).toBeGreaterThanOrEqual(1);
      expect(car.gear).toBeLessThanOrEqual(8);
      expect(car.engineRPM).toBeGreaterThan(3000);
      expect(car.tyresSurfaceTemperature.every((t) => t > 40 && t < 150)).toBe(true);
    }
    const motion = byId(decoded, PacketId.Motion).at(-1)!.packet;
    if (motion.id !== PacketId.Motion) throw new Error('not motion');
    expect(new Set(motion.carMotionData.map((m) => m.worldPositionX)).size).toBe(22);

    const session = byId(decoded, PacketId.Session).at(-1)!.packet;
    if (session.id !== PacketId.Session) throw new Error('not session');
    expect(session.trackLength).toBe(3000);
    expect(isRaceSession(format, session.sessionType)).toBe(true);
  });
});

describe('F1 rig', () => {
  it('zero-fills the slots of a field smaller than 22 cars', async () => {
    const { decoded } = await capture(2024, 5, { cars: 6 });
    const participants = byId(decoded, PacketId.Participants)[0]!.packet;
    if (participants.id !== PacketId.Participants) throw new Error('not participants');
    expect(participants.numActiveCars).toBe(6);
    expect(participants.participants.slice(6).every((p) => p.name === '' && p.raceNumber === 0)).toBe(true);
    const telemetry = byId(decoded, PacketId.CarTelemetry)[0]!.packet;
    if (telemetry.id !== PacketId.CarTelemetry) throw new Error('not telemetry');
    expect(telemetry.carTelemetryData.slice(6).every((t) => t.speed === 0)).toBe(true);
  });

  it('refuses more than 22 cars and a player car outside the field', () => {
    expect(() => new F1Sender({ race: { cars: 23 } })).toThrow(/at most 22 cars/);
    expect(() => new F1Sender({ race: { cars: 5 }, playerCarIndex: 5 })).toThrow(/playerCarIndex 5/);
  });

  it('starts a new session: another UID, frame identifiers from 1, session start again', async () => {
    const peer = await TestPeer.open();
    const second = 0x8000_0000_0000_0002n;
    const sender = new F1Sender({ port: peer.port, format: 2023, sessionUid: SESSION_UID, race: { cars: 3, trackLengthM: 1000 } });
    try {
      for (let i = 0; i < 5; i++) sender.tick(10);
      sender.restartSession(second);
      for (let i = 0; i < 3; i++) sender.tick(10);
      await sender.stop();
      await peer.waitFor(sender.stats.sent);
    } finally {
      await peer.close();
    }
    const decoded = peer.received.map((b) => decodePacket(b)).filter((d): d is DecodeSuccess => d.ok);
    const frames = (uid: bigint) => byId(decoded, PacketId.Motion).filter((d) => d.header.sessionUID === uid).map((d) => d.header.frameIdentifier);
    expect(frames(SESSION_UID)).toEqual([1, 2, 3, 4, 5]);
    expect(frames(second)).toEqual([1, 2, 3]);
    const starts = decoded.filter((d) => d.packet.id === PacketId.Event && d.packet.code === 'SSTA').map((d) => d.header.sessionUID);
    expect(starts).toEqual([SESSION_UID, second]);
    expect(sender.sessionUid).toBe(second);
    expect(sender.frames).toBe(8);
  });

  it('sends a fastest-lap event when a car sets the session best', async () => {
    const peer = await TestPeer.open();
    // A short track and a fast clock: laps end within the run.
    const sender = new F1Sender({ port: peer.port, format: 2025, rateHz: 200, maxTicks: 300, race: { seed: 2, cars: 4, trackLengthM: 600 }, timeScale: 20 }).start();
    await sender.finished();
    await peer.waitFor(sender.stats.sent, () => true, 3000).finally(() => peer.close());
    const events = peer.received.map((b) => decodePacket(b)).filter((d): d is DecodeSuccess => d.ok && d.packet.id === PacketId.Event);
    const fastest = events.filter((e) => e.packet.id === PacketId.Event && e.packet.code === 'FTLP');
    expect(fastest.length).toBeGreaterThan(0);
    const times = fastest.map((e) => (e.packet as { details: { lapTime: number } }).details.lapTime);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThan(times[i - 1]!);
    expect(Math.round(times.at(-1)! * 1000)).toBe(sender.race.sessionBest!.lapMs);
  });
});
