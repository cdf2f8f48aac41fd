import * as dgram from 'node:dgram';
import { MAX_CARS, PACKET_FORMATS, sessionTypeName } from '@pitwall/f1-udp';
import { Source } from '@pitwall/proto';
import { driverName, Rig, run, until, type Running } from './support';

const BIG_UID = 0xfedcba9876543210n;

describe('collector-f1 over real UDP and the memory bus', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  describe.each(PACKET_FORMATS)('format %i with a 22-car grid', (format) => {
    it('publishes 22 frames per car-telemetry packet, joined with names, track, motion, lap data, status and damage', async () => {
      r = await run();
      const rig = new Rig(format, BIG_UID + BigInt(format));
      const raceType = format === 2023 ? 10 : 15;
      await r.deliver(rig.session(13, raceType, 5807), rig.participants(), rig.carDamage(), ...rig.frame());
      await until('22 frames', () => r!.frames.length >= MAX_CARS);

      const frames = [...r.frames].sort((a, b) => Number(a.carId) - Number(b.carId));
      expect(frames.map((f) => f.carId)).toEqual(Array.from({ length: MAX_CARS }, (_, i) => String(i)));
      const sessionId = `f1:${(BIG_UID + BigInt(format)).toString()}`;
      for (const [i, f] of frames.entries()) {
        expect(f.sessionId).toBe(sessionId);
        expect(f.source).toBe(Source.SOURCE_F1);
        expect(f.driverName).toBe(driverName(i));
        expect(f.track).toBe('Suzuka');
        expect(f.sequence).toBe(1000);
        expect(f.speedKmh).toBe(200 + i);
        expect(f.rpm).toBe(11_000 + i);
        expect(f.racePosition).toBe(MAX_CARS - i);
        expect(f.lap).toBe(3);
        expect(f.lapDistanceM).toBeCloseTo(100 * i + 0.5, 3);
        expect(f.normalizedPosition).toBeCloseTo((100 * i + 0.5) / 5807, 6);
        expect(f.sector).toBe(i % 3);
        expect(f.currentLapTimeMs).toBe(30_000 + i);
        expect(f.lastLapTimeMs).toBe(90_000 + i);
        expect(f.inPit).toBe(i === 5);
        expect(f.lapInvalid).toBe(i === 6);
        expect(f.gear).toBe(i === 7 ? -1 : 5);
        expect(f.gLat).toBeCloseTo(-1.5 + i / 8, 5);
        expect(f.gLon).toBeCloseTo(0.25 * i, 5);
        expect(f.worldPositionM).toMatchObject({ x: i * 10, y: -i - 1, z: i * 2 });
        expect(f.fuelKg).toBe(50 + i);
        expect(f.tyreWear!.fr).toBeCloseTo((40 + i) / 100, 6);
        expect(f.extras!.ers_store_energy_j).toBe(1_000_000 + i);
      }
      const f0 = frames[0]!;
      expect(f0.throttle).toBe(0.75);
      expect(f0.brake).toBe(0.25);
      expect(f0.clutch).toBeCloseTo(0.4, 6);
      expect(f0.steer).toBe(-0.5);
      expect(f0.yawRad).toBe(-0.5);
      // RL, RR, FL, FR on the wire and in the schema.
      expect(f0.tyreSurfaceTempC).toMatchObject({ rl: 90, rr: 91, fl: 92, fr: 93 });
      expect(f0.tyreInnerTempC).toMatchObject({ rl: 100, rr: 101, fl: 102, fr: 103 });
      expect(f0.brakeTempC).toMatchObject({ rl: 500, rr: 510, fl: 520, fr: 530 });
      expect(f0.tyrePressurePsi).toMatchObject({ rl: 21, rr: 21.5, fl: 22, fr: 22.5 });
      expect(f0.tyreWear!.rl).toBeCloseTo(0.1, 6);
      expect(f0.extras!.drs).toBe(1);
      expect(f0.extras!.engine_temp_c).toBe(110);
      expect(frames[9]!.carModel).toBe(format === 2023 ? 'Alfa Romeo' : 'Sauber');
      expect(frames[6]!.carModel).toBe({ 2023: 'AlphaTauri', 2024: 'RB', 2025: 'Racing Bulls' }[format]);

      // The next frame: 22 more, sequence from the game's frame identifier.
      rig.advance();
      await r.deliver(rig.carTelemetry());
      await until('44 frames', () => r!.frames.length >= 2 * MAX_CARS);
      expect(new Set(r.frames.slice(MAX_CARS).map((f) => f.sequence))).toEqual(new Set([1001]));
      expect(await r.counter('pitwall_f1_packets_total', { format: String(format), packet: 'car_telemetry' })).toBe(2);
      expect(await r.counter('pitwall_f1_packets_total', { format: String(format) })).toBe(8);

      // SessionInfo: keyed by session id, with track, type and the grid.
      await until('session info with the grid', () => r!.sessions.some((s) => s.info.cars!.length === MAX_CARS && s.info.track === 'Suzuka'));
      const latest = r.sessions.at(-1)!;
      expect(latest.key).toBe(sessionId);
      expect(latest.info.sessionType).toBe(sessionTypeName(format, raceType).toLowerCase());
      expect(latest.info.sessionType).toBe('race');
      expect(latest.info.trackLengthM).toBe(5807);
      expect(latest.info.attributes!.packet_format).toBe(String(format));
      expect(latest.info.cars![3]).toMatchObject({ carId: '3', driverName: driverName(3), raceNumber: 4 });
    });
  });

  it('keeps a sessionUID of 2^64 − 1 exactly in the session id of frames and session info', async () => {
    r = await run();
    const uid = 2n ** 64n - 1n;
    const rig = new Rig(2025, uid);
    await r.deliver(rig.participants(), ...rig.frame());
    await until('frames', () => r!.frames.length >= MAX_CARS);
    expect(new Set(r.frames.map((f) => f.sessionId))).toEqual(new Set(['f1:18446744073709551615']));
    await until('session info', () => r!.sessions.length > 0);
    expect(r.sessions.map((s) => s.key)).toContain('f1:18446744073709551615');
    expect(r.sessions.every((s) => s.info.attributes!.session_uid === '18446744073709551615')).toBe(true);
  });

  it('counts menu packets (sessionUID 0) without starting a session or publishing frames', async () => {
    r = await run();
    const menu = new Rig(2023, 0n);
    const zeroed = { gameYear: 0, gameMajorVersion: 0, gameMinorVersion: 0, sessionTime: 0, overallFrameIdentifier: 0, frameIdentifier: 0 };
    await r.deliver(menu.participants(), menu.session(), menu.carTelemetry(zeroed), menu.carTelemetry(zeroed));
    expect(await r.counter('pitwall_f1_menu_packets_total')).toBe(4);
    expect(await r.counter('pitwall_collector_datagrams_total', { kind: 'car_telemetry' })).toBe(2);
    expect(await r.counter('pitwall_collector_sessions_started_total')).toBe(0);
    expect(r.collector.sessions).toBe(0);
    // A real session afterwards still works, and is the only one.
    const real = new Rig(2023, 42n);
    await r.deliver(real.carTelemetry());
    await until('the real session frame', () => r!.frames.length >= 1);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.frames.map((f) => f.sessionId)).toEqual(['f1:42']);
    expect(r.sessions.map((s) => s.key)).toEqual(['f1:42']);
    const report = await r.health.report();
    expect(report.checks['collector-f1']!.detail).toMatchObject({ sessionsSeen: 1, sessionsActive: 1 });
  });

  it('counts and drops wrong formats, wrong lengths, unknown ids and unknown event codes with the codec reason', async () => {
    r = await run();
    const rig = new Rig(2024, 7n);
    const telemetry = rig.carTelemetry();
    const f1_22 = Buffer.from(telemetry);
    f1_22.writeUInt16LE(2022, 0);
    const longer = Buffer.concat([telemetry, Buffer.alloc(1)]);
    const shorter = telemetry.subarray(0, telemetry.length - 1);
    const noSuchId = Buffer.from(rig.lapData().subarray(0, 29));
    noSuchId.writeUInt8(15, 6); // lap positions exist only in F1 25
    const badEvent = rig.sessionEnded();
    badEvent.write('XXXX', 29, 'latin1');
    // 2023 session layout under a 2024 header: same id, the other format's size.
    const otherFormatSize = new Rig(2023, 7n).session();
    otherFormatSize.writeUInt16LE(2024, 0);

    await r.deliver(f1_22, longer, shorter, Buffer.alloc(10), noSuchId, badEvent, otherFormatSize, telemetry);
    const dropped = (reason: string) => r!.counter('pitwall_collector_datagrams_dropped_total', { reason });
    expect(await dropped('unknown_format')).toBe(1);
    expect(await dropped('length_mismatch')).toBe(3);
    expect(await dropped('too_short')).toBe(1);
    expect(await dropped('unknown_packet_id')).toBe(1);
    expect(await dropped('unknown_event_code')).toBe(1);
    const intake = await r.intake();
    expect(intake).toEqual({ received: 8, accepted: 1, dropped: 7 });
    await until('the one valid packet\'s frame', () => r!.frames.length >= 1);
  });

  it('skips empty and inactive slots: player only at first, then participants\' numActiveCars, then lap data resultStatus', async () => {
    r = await run();
    const rig = new Rig(2025, 99n, 20, 3);
    await r.deliver(rig.carTelemetry());
    await until('the player frame', () => r!.frames.length >= 1);
    rig.advance();
    await r.deliver(rig.participants(driverName, 20), rig.carTelemetry());
    await until('20 frames', () => r!.frames.length >= 21);
    rig.advance();
    // Lap data: 17 active, one finished, one retired (still cars), slot 2 inactive, 20-21 invalid.
    const status = (i: number) => (i >= 20 ? 0 : i === 2 ? 1 : i === 4 ? 3 : i === 8 ? 7 : 2);
    await r.deliver(rig.lapData(status), rig.carTelemetry());
    await until('19 frames', () => r!.frames.length >= 40);
    await new Promise((res) => setTimeout(res, 50));
    const bySequence = (s: number) => r!.frames.filter((f) => f.sequence === s).map((f) => Number(f.carId)).sort((a, b) => a - b);
    expect(bySequence(1000)).toEqual([3]);
    expect(bySequence(1001)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(bySequence(1002)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 2));
    expect(r.frames).toHaveLength(40);
  });

  it('keeps sequences increasing per car when the game\'s frame identifier goes back, and a re-sent packet keeps its number', async () => {
    r = await run();
    const rig = new Rig(2024, 5n, 2);
    await r.deliver(rig.participants(driverName, 2));
    const identifiers = [500, 501, 502, 502, 10, 11, 11, 12, 3, 4];
    for (const id of identifiers) await r.deliver(rig.carTelemetry({ overallFrameIdentifier: id }));
    await until('all frames', () => r!.frames.length >= identifiers.length * 2);
    for (const car of ['0', '1']) {
      const seq = r.frames.filter((f) => f.carId === car).map((f) => Number(f.sequence));
      expect(seq.slice(0, 3)).toEqual([500, 501, 502]);
      expect(seq[3]).toBe(seq[2]); // the same datagram twice is one frame
      expect(seq[6]).toBe(seq[5]);
      const distinct = [seq[0], seq[1], seq[2], seq[4], seq[5], seq[7], seq[8], seq[9]] as number[];
      for (let i = 1; i < distinct.length; i++) expect(distinct[i]!).toBeGreaterThan(distinct[i - 1]!);
      // After a reset the numbers come from the fallback base, far above any raw identifier.
      expect(seq[4]!).toBeGreaterThan(2 ** 32);
      expect(seq[5]! - seq[4]!).toBe(1);
      expect(seq[8]!).toBeGreaterThan(seq[7]!);
    }
    expect(await r.counter('pitwall_f1_frame_identifier_resets_total')).toBe(2);
  });

  it('stamps frames with the game clock mapped to wall time, keeping the game\'s spacing', async () => {
    r = await run();
    const rig = new Rig(2025, 31n, 1);
    for (let i = 0; i < 4; i++) {
      await r.deliver(rig.carTelemetry());
      rig.advance();
      // Slower than the game's 1/60 s, so each arrival is later than the mapping predicts.
      await new Promise((res) => setTimeout(res, 25));
    }
    await until('4 frames', () => r!.frames.length >= 4);
    const source = r.frames.map((f) => Number(f.sourceTimeUs));
    const gaps = source.slice(1).map((t, i) => t - source[i]!);
    for (const gap of gaps) expect(Math.abs(gap - 1e6 / 60)).toBeLessThanOrEqual(2);
    for (const f of r.frames) expect(Number(f.sourceTimeUs)).toBeLessThanOrEqual(Number(f.ingestTimeUs));
    expect(r.frames.map((f) => f.sessionTimeS)).toEqual([0, 1, 2, 3].map((i) => Math.fround(60 + i / 60)));
  });

  it('refuses to start on a UDP port already taken, naming the variable', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((res) => taken.bind(0, '127.0.0.1', () => res()));
    try {
      await expect(run({ F1_UDP_PORT: String(taken.address().port) })).rejects.toThrow(/already in use \(set F1_UDP_PORT/);
    } finally {
      taken.close();
    }
  });

  it('marks a session ended on the SEND event and republishes its session info', async () => {
    r = await run();
    const rig = new Rig(2023, 77n);
    await r.deliver(rig.session(), rig.participants());
    await until('session info', () => r!.sessions.some((s) => s.info.track === 'Suzuka' && s.info.cars!.length === MAX_CARS));
    const before = r.sessions.length;
    await r.deliver(rig.participants(), rig.session()); // unchanged: nothing new to say
    await r.deliver(rig.sessionEnded());
    await until('ended session info', () => r!.sessions.some((s) => s.info.ended));
    expect(r.sessions.slice(before).map((s) => s.info.ended)).toEqual([true]);
  });

  it('republishes session info when a driver changes', async () => {
    r = await run();
    const rig = new Rig(2025, 78n);
    await r.deliver(rig.participants());
    await until('session info with names', () => r!.sessions.some((s) => s.info.cars!.length === MAX_CARS));
    await r.deliver(rig.participants((i) => (i === 4 ? 'Reserve Driver' : driverName(i))));
    await until('changed driver', () => r!.sessions.at(-1)!.info.cars![4]!.driverName === 'Reserve Driver');
  });

  it('reports sessions seen, last packet time and packets/s on /health', async () => {
    r = await run();
    const rig = new Rig(2025, 1n);
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      await r.deliver(...rig.frame());
      rig.advance();
    }
    // The rate covers complete seconds: wait for the current one to end.
    await new Promise((res) => setTimeout(res, 1100 - (Date.now() % 1000)));
    const report = await r.health.report();
    const detail = report.checks['collector-f1']!;
    expect(detail.status).toBe('ok');
    expect(detail.detail!.sessionsSeen).toBe(1);
    expect(Date.parse(detail.detail!.lastPacketAt as string)).toBeGreaterThanOrEqual(started - 5);
    expect(detail.detail!.packetsPerSecond).toBeCloseTo(20 / 10, 6);
  });
});
