import { SequenceAssigner } from '@pitwall/collector-kit';
import { Source } from '@pitwall/proto';
import { readEnvelope } from '../src/envelope';
import { isKnownField, PointError, PointMapper, timeToMicros, type Origin } from '../src/mapping';
import { grCupPoint, seedPoint } from './helpers';

const config = { brakeFullScaleBar: 100, steerFullScaleDeg: 450, maxExtras: 8 };
const origin: Origin = { source: Source.SOURCE_HTTP, sourceName: 'teamA' };
const NOW = 1_800_000_000_000_000;

function mapper(runStartMs = 1_700_000_000_000) {
  return new PointMapper(config, new SequenceAssigner(100, runStartMs));
}

function refusal(fn: () => unknown): PointError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PointError) return err;
    throw err;
  }
  throw new Error('expected a PointError');
}

describe('GR Cup flat channels', () => {
  const f = mapper().map(grCupPoint(0), origin, NOW);

  test('identity, time and position', () => {
    expect(f.carId).toBe('GR86-002-2');
    expect(f.sourceTimeUs).toBe(Date.UTC(2025, 3, 4, 18, 10, 0) * 1000);
    expect(f.lap).toBe(4);
    expect(f.lapDistanceM).toBe(100);
    expect(f.source).toBe(Source.SOURCE_HTTP);
    expect(f.ingestTimeUs).toBe(NOW);
  });

  test('units: speed km/h, nmot rpm, aps % → 0..1, pbrake bar → brake over full scale, steering degrees → -1..1, acc in g', () => {
    expect(f.speedKmh).toBe(150);
    expect(f.rpm).toBe(6000);
    expect(f.throttle).toBeCloseTo(0.8);
    expect(f.brake).toBeCloseTo(0.5); // max(pbrake_f 50, pbrake_r 20) / 100 bar
    expect(f.steer).toBeCloseTo(0.2); // 90° / 450°
    expect(f.gLon).toBe(-0.5);
    expect(f.gLat).toBe(1.1);
    expect(f.gear).toBe(4);
  });

  test('raw pressures, steering angle and GPS minutes stay in extras', () => {
    expect(f.extras).toEqual({ pbrake_f: 50, pbrake_r: 20, Steering_Angle: 90, VBOX_Lat_Min: 33.5326, VBOX_Long_Minutes: -86.6196 });
  });

  test('full-scale settings change the conversions; a negative steering scale flips the sign', () => {
    const m = new PointMapper({ brakeFullScaleBar: 40, steerFullScaleDeg: -180, maxExtras: 8 }, new SequenceAssigner());
    const g = m.map(grCupPoint(0), origin, NOW);
    expect(g.brake).toBe(1); // 50 bar over a 40 bar full scale is clamped
    expect(g.steer).toBeCloseTo(-0.5);
  });

  test('every documented GR Cup and seed name is in the table', () => {
    for (const name of ['speed', 'nmot', 'aps', 'pbrake_f', 'pbrake_r', 'accx_can', 'accy_can', 'Steering_Angle', 'gear', 'Laptrigger_lapdist_dls', 'lap', 'vehicle_id', 'timestamp', 'meta_time', 'track', 'chassis', 'lapdist_m', 'speed_kmh', 'rpm']) {
      expect(isKnownField(name)).toBe(true);
    }
    expect(isKnownField('VBOX_Lat_Min')).toBe(false); // an extra, by design
  });
});

describe('seed realtime server points', () => {
  test('meta_time, chassis, lapdist_m, speed_kmh, rpm and the track', () => {
    const f = mapper().map(seedPoint(1), origin, NOW);
    expect(f).toMatchObject({ carId: 'GR86-001', track: 'sebring', lap: 1, lapDistanceM: 150, speedKmh: 180, rpm: 6000, gLon: 0.02, gLat: 0.8, brake: 0 });
    expect(f.sourceTimeUs).toBe(Date.UTC(2025, 10, 20, 0, 0, 1) * 1000);
    expect(f.sessionId).toBe('teamA:sebring:2025-11-20');
  });

  test('a seed device message (imei, ms timestamp, nested data with position)', () => {
    const env = readEnvelope({ type: 'telemetry_data', imei: '123456789012345', timestamp: 1703123456789, data: { engineRpm: 2500, speed: 65, fuelLevel: 75, position: { latitude: 40.7128, longitude: -74.006 } } });
    expect(env.kind).toBe('points');
    const f = mapper().map((env as { points: unknown[] }).points[0], origin, NOW);
    expect(f).toMatchObject({ carId: '123456789012345', rpm: 2500, speedKmh: 65, sourceTimeUs: 1703123456789000 });
    expect(f.extras).toEqual({ fuelLevel: 75, 'position.latitude': 40.7128, 'position.longitude': -74.006 });
  });

  test('a seed partner message: each car inherits the top-level time and lap', () => {
    const env = readEnvelope({ timestamp: '2024-03-17T14:30:45.123Z', lap: 26, cars: [{ car_id: '44', driver: 'Hamilton', speed: 301.2 }, { car_id: '16', lap: 25, speed: 299 }] });
    const frames = (env as { points: unknown[] }).points.map((p) => mapper().map(p, origin, NOW));
    expect(frames.map((f) => [f.carId, f.lap, f.speedKmh, f.driverName])).toEqual([
      ['44', 26, 301.2, 'Hamilton'],
      ['16', 25, 299, undefined],
    ]);
    expect(frames[0]!.sourceTimeUs).toBe(Date.parse('2024-03-17T14:30:45.123Z') * 1000);
  });
});

describe('our own camelCase fields', () => {
  test('schema units pass through, wheel sets and world position included', () => {
    const f = mapper().map(
      {
        sessionId: 's1', carId: 'c1', track: 'spa', sourceTimeUs: 1_700_000_000_123_456, lap: 3, lapDistanceM: 12.5, throttle: 0.4, brake: 0.2, steer: -0.3, gear: -1,
        gLat: 1, gLon: -1, gVert: 0.1, speedKmh: 210, tyreSurfaceTempC: { rl: 80, rr: 81, fl: 82, fr: 83 }, worldPositionM: { x: 1, y: 2, z: 3 }, inPit: true, extras: { oil_temp: 98 },
      },
      origin,
      NOW,
    );
    expect(f).toMatchObject({ sessionId: 's1', carId: 'c1', sourceTimeUs: 1_700_000_000_123_456, sequence: 1_700_000_000_123_456, throttle: 0.4, brake: 0.2, steer: -0.3, gear: -1, inPit: true });
    expect(f.tyreSurfaceTempC).toEqual({ rl: 80, rr: 81, fl: 82, fr: 83 });
    expect(f.worldPositionM).toEqual({ x: 1, y: 2, z: 3 });
    expect(f.extras).toEqual({ oil_temp: 98 });
  });

  test('two names for one field: the later one in the point wins; for times the rank decides', () => {
    expect(mapper().map({ chassis: 'a', speed: 100, speed_kmh: 120 }, origin, NOW).speedKmh).toBe(120);
    expect(mapper().map({ chassis: 'a', speed_kmh: 120, speed: 100 }, origin, NOW).speedKmh).toBe(100);
    const t = { timestamp: '2025-01-01T00:00:01Z', meta_time: '2025-01-01T00:00:09Z' };
    expect(mapper().map({ chassis: 'a', ...t }, origin, NOW).sourceTimeUs).toBe(Date.parse(t.timestamp) * 1000);
  });

  test('an explicit brake beats the one derived from pressures, in either order', () => {
    expect(mapper().map({ carId: 'c', brake: 0.9, pbrake_f: 10 }, origin, NOW).brake).toBe(0.9);
    expect(mapper().map({ carId: 'c', pbrake_f: 10, brake: 0.9 }, origin, NOW).brake).toBe(0.9);
  });
});

describe('session and sequence', () => {
  test('session from the point when given, else <source>:<track>:<UTC date of the sample>, or <source>:<date> without a track', () => {
    const m = mapper();
    expect(m.map({ ...grCupPoint(0), session_id: 'race-1' }, origin, NOW).sessionId).toBe('race-1');
    expect(m.map(grCupPoint(0), origin, NOW).sessionId).toBe('teamA:2025-04-04');
    expect(m.map({ ...grCupPoint(0), track: 'barber' }, origin, NOW).sessionId).toBe('teamA:barber:2025-04-04');
    // Without a sample time the ingest time decides the date.
    expect(m.map({ carId: 'x' }, origin, Date.UTC(2026, 0, 2, 23, 59) * 1000).sessionId).toBe('teamA:2026-01-02');
  });

  test('the sequence is the sample time in µs, so a retried point maps to the same number', () => {
    const a = mapper().map(grCupPoint(3), origin, NOW);
    const b = mapper().map(grCupPoint(3), origin, NOW + 5_000_000);
    expect(a.sequence).toBe(a.sourceTimeUs);
    expect(b.sequence).toBe(a.sequence);
  });

  test('untimed points get increasing numbers from the SequenceAssigner', () => {
    const m = mapper(1_700_000_000_000);
    const seqs = [0, 1, 2].map(() => m.map({ carId: 'c' }, origin, NOW).sequence!);
    expect(seqs[0]).toBe(1_700_000_000_000_000);
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
  });

  test('times: ISO text, epoch seconds, ms and µs (numbers or numeric text)', () => {
    const us = Date.UTC(2025, 0, 1) * 1000;
    expect(timeToMicros('2025-01-01T00:00:00Z', 't')).toBe(us);
    expect(timeToMicros(us / 1e6, 't')).toBe(us);
    expect(timeToMicros(us / 1e3, 't')).toBe(us);
    expect(timeToMicros(us, 't')).toBe(us);
    expect(timeToMicros(String(us / 1e3), 't')).toBe(us);
  });

  test('a default car id (the device) applies only when the point names none', () => {
    const dev: Origin = { ...origin, defaultCarId: 'dev-9' };
    expect(mapper().map({ speed: 1 }, dev, NOW).carId).toBe('dev-9');
    expect(mapper().map({ speed: 1, chassis: 'C7' }, dev, NOW).carId).toBe('C7');
  });
});

describe('refusals name the field', () => {
  test.each([
    [{ speed: 1 }, 'vehicle_id', /missing car id/],
    [{ chassis: 'a', speed: 'fast' }, 'speed', /expected a number/],
    [{ chassis: 'a', lap: -1 }, 'lap', /integer/],
    [{ chassis: 'a', gear: 2.5 }, 'gear', /integer/],
    [{ chassis: 'a', timestamp: 'yesterday' }, 'timestamp', /ISO 8601/],
    [{ chassis: 'a', meta_time: -5 }, 'meta_time', /positive epoch/],
    [{ chassis: 'a', track: { name: 'x' } }, 'track', /string/],
    [{ chassis: 'a', inPit: 'maybe' }, 'inPit', /true\/false/],
    [{ chassis: 'a', tyreWear: [1, 2] }, 'tyreWear', /rl, rr, fl, fr/],
  ])('%j → %s', (point, field, reason) => {
    const err = refusal(() => mapper().map(point, origin, NOW));
    expect(err.field).toBe(field);
    expect(err.message).toMatch(reason);
  });

  test('an item that is not an object', () => {
    expect(refusal(() => mapper().map([1, 2], origin, NOW)).field).toBeNull();
    expect(refusal(() => mapper().map('x', origin, NOW)).field).toBeNull();
  });

  test('extras are bounded per point', () => {
    const many: Record<string, unknown> = { chassis: 'a' };
    for (let i = 0; i < 9; i++) many[`ch${i}`] = i;
    const err = refusal(() => mapper().map(many, origin, NOW));
    expect(err.field).toBe('ch8');
    expect(err.message).toMatch(/more than 8 extra channels/);
    delete many.ch8;
    expect(Object.keys(mapper().map(many, origin, NOW).extras!)).toHaveLength(8);
  });

  test('non-numeric unknown fields are ignored, numeric text becomes an extra', () => {
    const f = mapper().map({ chassis: 'a', raw_source: 'demo', note: 'pit in', oil: '101.5' }, origin, NOW);
    expect(f.extras).toEqual({ oil: 101.5 });
  });
});

describe('ISO times', () => {
  test.each([
    '2025-04-04T18:10:23Z',
    '2025-04-04T18:10:23.4Z',
    '2025-04-04T18:10:23.456Z',
    '2025-04-04T18:10:23.456+02:00',
    '2025-04-04T18:10:23.456-05:30',
    '2025-04-04 18:10:23.456Z',
    '2024-02-29T23:59:59.999Z',
  ])('%s agrees with Date.parse', (text) => {
    expect(timeToMicros(text, 't')).toBe(Date.parse(text.replace(' ', 'T')) * 1000);
  });

  test('sub-millisecond digits are kept', () => {
    expect(timeToMicros('2025-04-04T18:10:23.456789Z', 't')).toBe(Date.parse('2025-04-04T18:10:23.456Z') * 1000 + 789);
  });

  test('other date shapes still go through Date.parse; junk is refused', () => {
    expect(timeToMicros('2025-04-04', 't')).toBe(Date.UTC(2025, 3, 4) * 1000);
    expect(() => timeToMicros('2025-04-04T18:10:2x.000Z', 't')).toThrow(PointError);
    expect(() => timeToMicros('2025-13-04T18:10:20.000Z', 't')).toThrow(PointError);
  });
});
