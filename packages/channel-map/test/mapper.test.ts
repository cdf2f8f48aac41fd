import { ChannelMapper, DEFAULT_MAPPING, parseDecimal, parseTimestampUs, type PointDefaults, type PointRecord } from '@pitwall/channel-map';
import { codecs, Source } from '@pitwall/proto';

// How collector-s3 maps a CSV: a session from the object, no sequence source (a row needs a time).
const defaults: PointDefaults = { sessionId: 'barber-r1', sourceName: 's3', source: Source.SOURCE_S3_CSV, track: 'barber' };
const INGEST_US = 1_700_000_000_000_000;
const MAX_EXTRAS = DEFAULT_MAPPING.maxExtras;
const mapper = new ChannelMapper();
const mapRecord = (record: PointRecord, d: PointDefaults = defaults) => mapper.tryMap(record, d, INGEST_US);

// A GR Cup sample as the logger exports it: every value a CSV string.
const grRow = {
  vehicle_id: 'GR86-004-78',
  timestamp: '2025-09-05T00:26:56.939Z',
  lap: '3',
  speed: '142.5',
  nmot: '6120',
  aps: '87.5',
  pbrake_f: '50',
  pbrake_r: '12.25',
  accx_can: '-0.31',
  accy_can: '1.12',
  Steering_Angle: '-90',
  gear: '4',
  Laptrigger_lapdist_dls: '1234.5',
  VBOX_Lat_Min: '33.5321',
  VBOX_Long_Minutes: '-86.6195',
  meta_event: 'I_R06_2025-09-07',
  expire_at: '',
};

function frameOf(record: PointRecord, d: PointDefaults = defaults, m = mapper) {
  const r = m.tryMap(record, d, INGEST_US);
  if ('error' in r) throw new Error(`unexpected error ${JSON.stringify(r.error)}`);
  return r.frame;
}

describe('ChannelMapper.tryMap (a record: a CSV row as an object, a JSON point)', () => {
  test('maps every GR Cup channel onto the frame, scaled where the schema asks for 0..1', () => {
    const f = frameOf(grRow);
    const us = Date.UTC(2025, 8, 5, 0, 26, 56, 939) * 1000;
    expect(f).toMatchObject({
      sessionId: 'barber-r1',
      source: Source.SOURCE_S3_CSV,
      carId: 'GR86-004-78',
      track: 'barber',
      sourceTimeUs: us,
      sequence: us,
      ingestTimeUs: INGEST_US,
      lap: 3,
      speedKmh: 142.5,
      rpm: 6120,
      throttle: 0.875,
      brake: 0.5,
      gLon: -0.31,
      gLat: 1.12,
      steer: -0.2,
      gear: 4,
      lapDistanceM: 1234.5,
    });
    // Unmodelled numeric channels and the raw values behind assumed scales; no string columns.
    expect(f.extras).toEqual({ pbrake_f: 50, pbrake_r: 12.25, Steering_Angle: -90, VBOX_Lat_Min: 33.5321, VBOX_Long_Minutes: -86.6195 });
    // The result encodes as a valid frame.
    expect(codecs.frame.decode(codecs.frame.encode(f)).carId).toBe('GR86-004-78');
  });

  test('absent and empty channels stay absent rather than zero', () => {
    const f = frameOf({ vehicle_id: 'GR86-1', timestamp: '2025-01-01T00:00:00Z', speed: '', nmot: null });
    expect(f.speedKmh).toBeUndefined();
    expect(f.rpm).toBeUndefined();
    expect(f.extras).toBeUndefined();
    expect(f.lap).toBe(0);
  });

  test('accepts the JSON ingest names and numbers as well as CSV strings', () => {
    const f = frameOf({ chassis: 'GR86-001', meta_time: '2025-11-20T00:00:00Z', track: 'sebring', lap: 1, lapdist_m: 100, speed_kmh: 180, rpm: 6000 });
    expect(f).toMatchObject({ carId: 'GR86-001', track: 'sebring', lap: 1, lapDistanceM: 100, speedKmh: 180, rpm: 6000 });
  });

  test('clamps pedal and steering to the schema range and honours other scales', () => {
    const f = frameOf({ ...grRow, aps: '104', pbrake_f: '160', Steering_Angle: '600' });
    expect([f.throttle, f.brake, f.steer]).toEqual([1, 1, 1]);
    const g = frameOf(grRow, defaults, new ChannelMapper({ ...DEFAULT_MAPPING, brakeFullScaleBar: 200, steerFullScaleDeg: 180 }));
    expect([g.brake, g.steer]).toEqual([0.25, -0.5]);
  });

  test('falls back to the defaults for car and time', () => {
    const f = frameOf({ speed: '10' }, { ...defaults, carId: 'car-7', sourceTimeUs: 42_000_000 });
    expect([f.carId, f.sourceTimeUs, f.sequence]).toEqual(['car-7', 42_000_000, 42_000_000]);
  });

  test.each([
    [{ timestamp: '2025-01-01T00:00:00Z' }, 'vehicle_id', 'missing car id'],
    [{ vehicle_id: 'a' }, 'timestamp', 'missing timestamp'],
    [{ vehicle_id: 'a', timestamp: 'yesterday' }, 'timestamp', 'not an ISO 8601'],
    [{ vehicle_id: 'a', timestamp: '2025-01-01T00:00:00Z', speed: 'fast' }, 'speed', 'not a number'],
    [{ vehicle_id: 'a', timestamp: '2025-01-01T00:00:00Z', nmot: '0x1f' }, 'nmot', 'not a number'],
    [{ vehicle_id: 'a', timestamp: '2025-01-01T00:00:00Z', speed: '-3' }, 'speed', 'negative'],
    [{ vehicle_id: 'a', timestamp: '2025-01-01T00:00:00Z', gear: '2.5' }, 'gear', 'not a gear'],
    [{ vehicle_id: 'a', timestamp: '2025-01-01T00:00:00Z', lap: '-1' }, 'lap', 'not a lap number'],
  ])('refuses %j at %s', (record, field, reason) => {
    const r = mapRecord(record);
    expect('error' in r && r.error.field).toBe(field);
    expect('error' in r && r.error.reason).toContain(reason);
  });

  test('refuses a record with more unmodelled channels than the limit, and accepts one at it', () => {
    const base = { vehicle_id: 'a', timestamp: '2025-01-01T00:00:00Z' };
    const atLimit: Record<string, string> = { ...base };
    for (let i = 0; i < MAX_EXTRAS; i++) atLimit[`ch${i}`] = String(i);
    expect(Object.keys(frameOf(atLimit).extras!)).toHaveLength(MAX_EXTRAS);
    const r = mapRecord({ ...atLimit, over: '1' });
    expect('error' in r && r.error).toEqual({ field: 'over', reason: `more than ${MAX_EXTRAS} extra channels` });
  });
});

describe('ChannelMapper.columns (rows of one CSV header)', () => {
  test('maps cells by column exactly as tryMap maps the same row as an object', () => {
    const header = Object.keys(grRow);
    const map = mapper.columns(header);
    const rows = [
      grRow,
      { ...grRow, speed: '', pbrake_f: ' 7.5 ', vehicle_id: ' GR86-1 ' },
      { ...grRow, gear: '2.5' },
      { ...grRow, timestamp: '' },
      { ...grRow, vehicle_id: '' },
      { ...grRow, VBOX_Lat_Min: 'n/a', lap: '0' },
    ];
    for (const row of rows) {
      const cells = header.map((h) => row[h as keyof typeof row]);
      expect(map(cells, defaults, INGEST_US)).toEqual(mapRecord(row));
    }
  });

  test('a repeated column name counts once, the last one winning, as an object key would', () => {
    const map = mapper.columns(['vehicle_id', 'timestamp', 'speed', 'speed', 'x', 'x']);
    const r = map(['a', '2025-01-01T00:00:00Z', '10', '20', '1', '2'], defaults, INGEST_US);
    expect('frame' in r && [r.frame.speedKmh, r.frame.extras]).toEqual([20, { x: 2 }]);
  });

  test('tryMap keeps mapping correctly across more key layouts than it caches', () => {
    for (let i = 0; i < 200; i++) {
      const r = mapRecord({ vehicle_id: `car${i}`, timestamp: '2025-01-01T00:00:00Z', [`ch${i}`]: String(i), speed: String(i) });
      expect('frame' in r && [r.frame.carId, r.frame.speedKmh, r.frame.extras]).toEqual([`car${i}`, i, { [`ch${i}`]: i }]);
    }
  });
});

describe('parseTimestampUs', () => {
  const base = Date.UTC(2025, 8, 5, 0, 26, 56) * 1000;
  test.each([
    ['2025-09-05T00:26:56.939Z', base + 939_000],
    ['2025-09-05T00:26:56.939512Z', base + 939_512],
    ['2025-09-05 00:26:56.5', base + 500_000],
    ['2025-09-05T02:26:56+02:00', base],
    ['2025-09-05T02:26:56+0200', base],
    [String(base / 1e6), base],
    [base / 1e3, base],
    [base, base],
    [base * 1000, base],
  ])('%p → %p µs', (input, us) => {
    expect(parseTimestampUs(input)).toEqual({ us });
  });

  test.each(['', 'soon', '2025-13-45T00:00:00Z', '0', '-5'])('refuses %p', (input) => {
    expect(parseTimestampUs(input)).toHaveProperty('reason');
  });

  test('a run of samples gives the same answers as reading each one alone', () => {
    // Loggers' timestamps mostly share their second with the previous one, which has a fast path;
    // mixed in: other notations, refused values and second boundaries.
    const inputs: string[] = [];
    const expected: ({ us: number } | 'refused')[] = [];
    const t0 = Date.UTC(2025, 8, 5, 23, 59, 58);
    for (let i = 0; i < 400; i++) {
      const ms = t0 + i * 7;
      const iso = new Date(ms).toISOString();
      const digits = ['', '1', '12', '123456', '1234567'][i % 5]!;
      const text = digits ? `${iso.slice(0, 19)}.${digits}Z` : iso;
      inputs.push(text);
      expected.push({ us: Math.floor(ms / 1000) * 1_000_000 + (digits ? Number(digits.padEnd(6, '0').slice(0, 6)) : ms % 1000 * 1000) });
      if (i % 37 === 0) {
        inputs.push(`${iso.slice(0, 19)}.12aZ`, `${iso.slice(0, 19)}+02:00`, '1969-12-31T23:59:59.5Z');
        expected.push('refused', { us: Date.parse(`${iso.slice(0, 19)}+02:00`) * 1000 }, 'refused');
      }
    }
    inputs.forEach((text, i) => {
      const got = parseTimestampUs(text);
      if (expected[i] === 'refused') expect(got).toHaveProperty('reason');
      else expect([text, got]).toEqual([text, expected[i]]);
    });
  });
});

describe('parseDecimal', () => {
  test.each([
    ['12.5', 12.5],
    [' -3 ', -3],
    ['.5', 0.5],
    ['1e3', 1000],
    [7, 7],
  ])('%p → %p', (input, n) => expect(parseDecimal(input)).toBe(n));

  test.each(['', ' ', '0x1f', 'NaN', 'Infinity', '1,5', true, null, undefined, Number.NaN])('refuses %p', (input) => {
    expect(parseDecimal(input)).toBeUndefined();
  });
});
