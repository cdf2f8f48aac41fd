import { ChannelMapper, DEFAULT_MAPPING, isKnownField, parseTimestampUs, PointError, type PointDefaults } from '@pitwall/channel-map';
import { SequenceAssigner } from '@pitwall/collector-kit';
import { Source } from '@pitwall/proto';
import { grCupPoint } from './gr-cup-point';

// How collector-http maps pushed points: sessions derived from the sender, untimed points numbered.
const config = { brakeFullScaleBar: 100, steerFullScaleDeg: 450, maxExtras: 8 };
const origin: PointDefaults = { source: Source.SOURCE_HTTP, sourceName: 'teamA' };
const NOW = 1_800_000_000_000_000;

function mapper(runStartMs = 1_700_000_000_000) {
  return new ChannelMapper(config, { sequences: new SequenceAssigner(100, runStartMs) });
}

/** A point as the seed realtime server's clients send it. */
function seedPoint(i: number): Record<string, unknown> {
  return {
    meta_time: new Date(Date.UTC(2025, 10, 20, 0, 0, i)).toISOString(),
    track: 'sebring',
    chassis: 'GR86-001',
    lap: 1,
    lapdist_m: 100 + 50 * i,
    speed_kmh: 180,
    accx_can: 0.02,
    accy_can: 0.8,
    Steering_Angle: 12,
    pbrake_f: 0,
    rpm: 6000,
  };
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

describe('GR Cup flat channels as JSON', () => {
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
    const m = new ChannelMapper({ brakeFullScaleBar: 40, steerFullScaleDeg: -180, maxExtras: 8 }, { sequences: new SequenceAssigner() });
    const g = m.map(grCupPoint(0), origin, NOW);
    expect(g.brake).toBe(1); // 50 bar over a 40 bar full scale is clamped
    expect(g.steer).toBeCloseTo(-0.5);
  });

  test('the rear pressure alone still gives a brake value', () => {
    const { pbrake_f: _front, ...rearOnly } = grCupPoint(0);
    expect(mapper().map(rearOnly, origin, NOW).brake).toBeCloseTo(0.2);
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

  test('a seed device sample (imei, ms timestamp, nested position) keeps nested numbers as name.member extras', () => {
    const f = mapper().map({ imei: '123456789012345', timestamp: 1703123456789, engineRpm: 2500, speed: 65, fuelLevel: 75, position: { latitude: 40.7128, longitude: -74.006 } }, origin, NOW);
    expect(f).toMatchObject({ carId: '123456789012345', rpm: 2500, speedKmh: 65, sourceTimeUs: 1703123456789000 });
    expect(f.extras).toEqual({ fuelLevel: 75, 'position.latitude': 40.7128, 'position.longitude': -74.006 });
  });
});

describe('our own camelCase and snake_case fields', () => {
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

  test('the snake_case proto names are read the same way', () => {
    const f = mapper().map({ session_id: 's1', car_id: 'c1', source_time_us: 1_700_000_000_123_456, lap_distance_m: 12.5, speed_kmh: 210, g_lat: 1, in_pit: 'true', tyre_wear: { fl: 0.1 } }, origin, NOW);
    expect(f).toMatchObject({ sessionId: 's1', carId: 'c1', sourceTimeUs: 1_700_000_000_123_456, lapDistanceM: 12.5, speedKmh: 210, gLat: 1, inPit: true, tyreWear: { fl: 0.1 } });
  });

  test('two names for one field: the first in the documented order wins, whatever the key order; for times too', () => {
    expect(mapper().map({ chassis: 'a', speed: 100, speed_kmh: 120 }, origin, NOW).speedKmh).toBe(120);
    expect(mapper().map({ chassis: 'a', speed_kmh: 120, speed: 100 }, origin, NOW).speedKmh).toBe(120);
    expect(mapper().map({ chassis: 'a', vehicle_id: 'b' }, origin, NOW).carId).toBe('b');
    const t = { timestamp: '2025-01-01T00:00:01Z', meta_time: '2025-01-01T00:00:09Z' };
    expect(mapper().map({ chassis: 'a', ...t }, origin, NOW).sourceTimeUs).toBe(Date.parse(t.timestamp) * 1000);
    expect(mapper().map({ chassis: 'a', meta_time: t.meta_time, timestamp: t.timestamp }, origin, NOW).sourceTimeUs).toBe(Date.parse(t.timestamp) * 1000);
  });

  test('an explicit brake beats the one derived from pressures, in either order; the same for steer and throttle', () => {
    expect(mapper().map({ carId: 'c', brake: 0.9, pbrake_f: 10 }, origin, NOW).brake).toBe(0.9);
    expect(mapper().map({ carId: 'c', pbrake_f: 10, brake: 0.9 }, origin, NOW).brake).toBe(0.9);
    expect(mapper().map({ carId: 'c', Steering_Angle: 450, steer: -0.5 }, origin, NOW).steer).toBe(-0.5);
    expect(mapper().map({ carId: 'c', aps: 100, throttle: 0.25 }, origin, NOW).throttle).toBe(0.25);
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
    // A session in the defaults (collector-s3: the object's) beats the derived one, not the point's.
    expect(m.map(grCupPoint(0), { ...origin, sessionId: 'from-file' }, NOW).sessionId).toBe('from-file');
    expect(m.map({ ...grCupPoint(0), session_id: 'race-1' }, { ...origin, sessionId: 'from-file' }, NOW).sessionId).toBe('race-1');
  });

  test('the sequence is the sample time in µs, so a retried point maps to the same number', () => {
    const a = mapper().map(grCupPoint(3), origin, NOW);
    const b = mapper().map(grCupPoint(3), origin, NOW + 5_000_000);
    expect(a.sequence).toBe(a.sourceTimeUs);
    expect(b.sequence).toBe(a.sequence);
  });

  test('an explicit sequence beats the time', () => {
    expect(mapper().map({ ...grCupPoint(3), sequence: 42 }, origin, NOW).sequence).toBe(42);
  });

  test('untimed points get increasing numbers from the SequenceAssigner; without one they are refused', () => {
    const m = mapper(1_700_000_000_000);
    const seqs = [0, 1, 2].map(() => m.map({ carId: 'c' }, origin, NOW).sequence!);
    expect(seqs[0]).toBe(1_700_000_000_000_000);
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
    const err = refusal(() => new ChannelMapper(DEFAULT_MAPPING).map({ carId: 'c' }, origin, NOW));
    expect([err.field, err.reason]).toEqual(['timestamp', expect.stringContaining('missing timestamp')]);
  });

  test('complete(): a whole frame (protobuf) gets source, ingest time, session and sequence by the same rules', () => {
    const f = mapper().complete({ carId: 'c', track: 'spa', sourceTimeUs: Date.UTC(2025, 0, 1) * 1000 }, origin, NOW);
    expect(f).toMatchObject({ source: Source.SOURCE_HTTP, ingestTimeUs: NOW, sessionId: 'teamA:spa:2025-01-01', sequence: Date.UTC(2025, 0, 1) * 1000 });
    expect(mapper().complete({ carId: 'c', sessionId: 's', sequence: 7, source: Source.SOURCE_SIMULATOR }, origin, NOW)).toMatchObject({ sessionId: 's', sequence: 7, source: Source.SOURCE_SIMULATOR });
  });

  test('a default car id (the device) applies only when the point names none', () => {
    const dev: PointDefaults = { ...origin, carId: 'dev-9' };
    expect(mapper().map({ speed: 1 }, dev, NOW).carId).toBe('dev-9');
    expect(mapper().map({ speed: 1, chassis: 'C7' }, dev, NOW).carId).toBe('C7');
  });
});

describe('refusals name the field', () => {
  test.each([
    [{ speed: 1 }, 'vehicle_id', /missing car id/],
    [{ chassis: 'a', speed: 'fast' }, 'speed', /not a number/],
    [{ chassis: 'a', lap: -1 }, 'lap', /integer/],
    [{ chassis: 'a', gear: 2.5 }, 'gear', /integer/],
    [{ chassis: 'a', gear: 21 }, 'gear', /not a gear/],
    [{ chassis: 'a', timestamp: 'yesterday' }, 'timestamp', /ISO 8601/],
    [{ chassis: 'a', meta_time: -5 }, 'meta_time', /positive epoch/],
    [{ chassis: 'a', track: { name: 'x' } }, 'track', /string/],
    [{ chassis: 'a'.repeat(129) }, 'chassis', /at most 128 characters/],
    [{ chassis: 'a', inPit: 'maybe' }, 'inPit', /true\/false/],
    [{ chassis: 'a', tyreWear: [1, 2] }, 'tyreWear', /rl, rr, fl, fr/],
    [{ chassis: 'a', tyreWear: { fl: 'worn' } }, 'tyreWear.fl', /not a number/],
    [{ chassis: 'a', extras: { oil: 'hot' } }, 'extras.oil', /not a number/],
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

  test('a name given twice (a column and an extras member) counts once against the limit', () => {
    const point: Record<string, unknown> = { chassis: 'a', extras: { ch0: 0 } };
    for (let i = 0; i < 8; i++) point[`ch${i}`] = i;
    expect(mapper().map(point, origin, NOW).extras).toEqual(Object.fromEntries([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [`ch${i}`, i])));
  });

  test('non-numeric unknown fields are ignored, numeric text becomes an extra', () => {
    const f = mapper().map({ chassis: 'a', raw_source: 'demo', note: 'pit in', oil: '101.5' }, origin, NOW);
    expect(f.extras).toEqual({ oil: 101.5 });
  });
});

describe('ISO times (shared with the CSV path)', () => {
  const us = (text: string | number) => {
    const r = parseTimestampUs(text);
    if ('reason' in r) throw new Error(r.reason);
    return r.us;
  };

  test('times: ISO text, epoch seconds, ms and µs (numbers or numeric text)', () => {
    const t = Date.UTC(2025, 0, 1) * 1000;
    expect(us('2025-01-01T00:00:00Z')).toBe(t);
    expect(us(t / 1e6)).toBe(t);
    expect(us(t / 1e3)).toBe(t);
    expect(us(t)).toBe(t);
    expect(us(String(t / 1e3))).toBe(t);
  });

  test.each([
    '2025-04-04T18:10:23Z',
    '2025-04-04T18:10:23.4Z',
    '2025-04-04T18:10:23.456Z',
    '2025-04-04T18:10:23.456+02:00',
    '2025-04-04T18:10:23.456-05:30',
    '2025-04-04 18:10:23.456Z',
    '2025-04-04t18:10:23.456z',
    '2024-02-29T23:59:59.999Z',
  ])('%s agrees with Date.parse', (text) => {
    expect(us(text)).toBe(Date.parse(text.replace(/[ t]/, 'T').replace(/z$/, 'Z')) * 1000);
  });

  test('sub-millisecond digits are kept', () => {
    expect(us('2025-04-04T18:10:23.456789Z')).toBe(Date.parse('2025-04-04T18:10:23.456Z') * 1000 + 789);
  });

  test('a date alone is midnight UTC; junk and impossible dates are refused', () => {
    expect(us('2025-04-04')).toBe(Date.UTC(2025, 3, 4) * 1000);
    for (const bad of ['2025-04-04T18:10:2x.000Z', '2025-13-04T18:10:20.000Z', '2025-02-30T00:00:00Z', '2025-02-30', '2025-04-04T18:10:20.Z']) {
      expect([bad, parseTimestampUs(bad)]).toEqual([bad, { reason: expect.any(String) }]);
    }
  });
});
