import type { Pool } from 'pg';
import type { Source, TelemetryFrame } from '@pitwall/proto';
import { startTestPostgres, writeFrames, type TestPostgres } from '../src';
import { binaryCopyData, binaryRowEncoder, NotBinaryEncodable } from '../src/pg-binary';
import { delivered, frame, migrated, DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

describe('COPY binary rows', () => {
  const encode = binaryRowEncoder<{ n: number | null; s: string }>([
    { name: 'n', type: 'integer', get: (v) => v.n },
    { name: 's', type: 'text', get: (v) => v.s },
  ]);

  test('a row is its field count, then each field as length and bytes (-1 for NULL), big-endian', () => {
    expect([...encode({ n: -2, s: 'é' })]).toEqual([0, 2, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 2, 0xc3, 0xa9]);
    expect([...encode({ n: null, s: '' })]).toEqual([0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  });

  test('a value the column cannot take from binary is refused, and the refused row leaves nothing behind', () => {
    const before = encode({ n: 1, s: 'a' });
    expect(() => encode({ n: 2 ** 31, s: 'b' })).toThrow(NotBinaryEncodable);
    expect(() => encode({ n: 1.5, s: 'b' })).toThrow(NotBinaryEncodable);
    const after = encode({ n: 3, s: 'c' });
    // The next row starts where the last good one ended: the two are sent as one piece.
    expect(after.byteOffset).toBe(before.byteOffset + before.length);
    const data = binaryCopyData([before, after]);
    expect(data).toHaveLength(3);
    expect(data[1]!.length).toBe(before.length + after.length);
    expect(data[0]!.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect([...data[2]!]).toEqual([0xff, 0xff]);
  });

  test('rows apart in memory are sent as separate pieces, in order', () => {
    const a = encode({ n: 1, s: 'x'.repeat(200_000) });
    const b = encode({ n: 2, s: 'y'.repeat(200_000) }); // does not fit after a: starts a new buffer
    expect(b.buffer).not.toBe(a.buffer);
    const which = (rows: Buffer[]) => binaryCopyData(rows).slice(1, -1).map((p) => (p.equals(a) ? 'a' : p.equals(b) ? 'b' : 'other'));
    expect(which([a, b])).toEqual(['a', 'b']);
    expect(which([b, a])).toEqual(['b', 'a']);
  });
});

describe('the binary fast path stores every value as the text path does', () => {
  let pg: TestPostgres;
  let pool: Pool;
  beforeAll(async () => {
    pg = await startTestPostgres('binary-copy');
    pool = await migrated((await pg.createDatabase()).pool);
  });
  afterAll(async () => {
    await pg?.stop();
  });

  const FLOAT32_MAX = 3.4028234663852886e38;
  // Set after decoding where the wire could not carry them (doubles in float fields): in-process
  // producers (the memory bus) hand over JavaScript values as they are.
  const cases: [string, Partial<TelemetryFrame>][] = [
    ['non-finite and signed zeros', { speedKmh: Number.NaN, rpm: Infinity, gLat: -Infinity, steer: -0, sessionTimeS: -0, brake: 0, gear: 0 }],
    ['float extremes', { lapDistanceM: FLOAT32_MAX, gLon: -FLOAT32_MAX, normalizedPosition: 1.401298464324817e-45, sessionTimeS: 1.7976931348623157e308, fuelKg: -1e-7 }],
    ['doubles in real columns (nearest float32)', { throttle: 0.1, clutch: 1 / 3, yawRad: 2 ** 60 + 1, gVert: 16777217 }],
    ['integer extremes', { sequence: Number.MAX_SAFE_INTEGER, lap: 2 ** 31 - 1, gear: -32768, racePosition: 0, lastLapTimeMs: 2 ** 31 - 1, source: 32767 as Source }],
    ['timestamps before 2000 and with every µs digit', { ingestTimeUs: 1, sourceTimeUs: Date.UTC(2025, 11, 31, 23, 59, 59) * 1000 + 999_999 }],
    ['absent and present booleans, absent nested messages', { inPit: true, lapInvalid: null, worldPositionM: null, tyreWear: null, sector: null }],
    ['unicode and COPY-special text', { driverName: 'Pérez 佐藤 Ωμέγα 🏎️ e\u0301 tab\there\nnl', track: 'back\\slash \\N', carModel: '' }],
    ['a lone surrogate and NUL', { driverName: 'lone \ud800 nul\0here', carModel: '\0' }],
    ['jsonb extras', { extras: { 'ünï €': -0, '佐藤 🏎️ "q"\\': 1e300, big: 2 ** 53 + 2, tiny: 5e-324, nan: Number.NaN, 'nul\0key': 1 } }],
    ['long text across buffers', { driverName: 'Ω'.repeat(120_000), track: 't'.repeat(300_000) }],
  ];

  const row = async (sessionId: string) => {
    const { rows } = await pool.query('SELECT * FROM frames WHERE session_id = $1', [sessionId]);
    expect(rows).toHaveLength(1);
    const { session_id: _session, ...rest } = rows[0];
    return rest;
  };

  test.each(cases)('%s', async (name, overrides) => {
    const make = (sessionId: string, sequence = 1) => Object.assign(frame(sequence, { sessionId }), overrides);
    const fast = await writeFrames(pool, { records: delivered([make(`bin ${name}`)]), group: 'g' });
    expect(fast).toMatchObject({ written: 1, rejected: [], path: 'copy' });

    // The same frame through the text path: a stored frame in the batch refuses the direct COPY.
    const stored = frame(1, { sessionId: `stored ${name}` });
    await writeFrames(pool, { records: delivered([stored]), group: 'g' });
    const staged = await writeFrames(pool, { records: delivered([stored, make(`txt ${name}`)]), group: 'g' });
    expect(staged).toMatchObject({ written: 1, skipped: 1, rejected: [], path: 'staged' });

    // -0, NaN and every digit count: toEqual compares numbers with Object.is.
    expect(await row(`bin ${name}`)).toEqual(await row(`txt ${name}`));
  });

  test('the stored values are exactly the frame values', async () => {
    const f = Object.assign(frame(7, { sessionId: 'exact' }), {
      steer: -0, speedKmh: Number.NaN, throttle: 0.1, sequence: Number.MAX_SAFE_INTEGER, gear: -32768, ingestTimeUs: 1,
      driverName: 'Pérez 🏎️ \ud800', extras: { 'ünï': 1e300, z: -0 },
    });
    await writeFrames(pool, { records: delivered([f]), group: 'g' });
    const { rows } = await pool.query(`SELECT steer, speed_kmh, throttle::float8 AS throttle, sequence, gear, driver_name, extras,
      (extract(epoch FROM time) * 1e6)::bigint AS time_us, (extract(epoch FROM ingest_time) * 1e6)::bigint AS ingest_us FROM frames WHERE session_id = 'exact'`);
    expect(rows[0]).toEqual({
      steer: -0, speed_kmh: Number.NaN, throttle: Math.fround(0.1), sequence: String(Number.MAX_SAFE_INTEGER), gear: -32768,
      driver_name: 'Pérez 🏎️ \ufffd', extras: { 'ünï': 1e300, z: 0 }, time_us: String(f.sourceTimeUs), ingest_us: '1',
    });
  });

  test.each([
    ['a finite double beyond float32', { rpm: 1e39 }],
    ['a double that float32 rounds to zero', { rpm: 1e-50 }],
    ['an integer beyond smallint', { gear: 40_000 }],
    ['a fraction in an integer column', { lap: 1.5 }],
  ] as [string, Partial<TelemetryFrame>][])('%s goes as text, for PostgreSQL to judge and the writer to isolate', async (name, overrides) => {
    const frames = [frame(1, { sessionId: `refused ${name}` }), Object.assign(frame(2, { sessionId: `refused ${name}` }), overrides)];
    const result = await writeFrames(pool, { records: delivered(frames), group: 'g' });
    expect(result).toMatchObject({ written: 1, path: 'staged' });
    expect(result.rejected.map((r) => [r.record.offset, r.code?.slice(0, 2)])).toEqual([[1, '22']]);
  });
});
