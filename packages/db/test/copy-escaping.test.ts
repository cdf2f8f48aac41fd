import type { Pool } from 'pg';
import { startTestPostgres, writeFrames, type TestPostgres } from '../src';
import { copyField, copyLine, jsonbText, realField, timestamptzField } from '../src/pg-text';
import { delivered, frame, migrated, DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

describe('COPY text encoding', () => {
  test('escapes backslash, newline, carriage return and tab; NULL is \\N; NUL is removed', () => {
    expect(copyField('a\\b\nc\rd\te')).toBe('a\\\\b\\nc\\rd\\te');
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('nul\0here')).toBe('nulhere');
    expect(copyField(true)).toBe('t');
    expect(copyField(Number.NaN)).toBe('NaN');
    expect(copyField(-Infinity)).toBe('-Infinity');
    expect(copyLine(['x', 1, null])).toBe('x\t1\t\\N\n');
  });

  test('µs instants become exact UTC timestamptz text; anything else passes through for PostgreSQL to reject', () => {
    const us = Date.UTC(2026, 2, 1, 12, 0, 5, 123) * 1000;
    expect(timestamptzField(us + 456)).toBe('2026-03-01T12:00:05.123456Z');
    expect(timestamptzField(us + 7)).toBe('2026-03-01T12:00:05.123007Z');
    expect(timestamptzField(us)).toBe('2026-03-01T12:00:05.123000Z');
    expect(timestamptzField(-1)).toBe('1969-12-31T23:59:59.999999Z');
    expect(timestamptzField(0)).toBe('1970-01-01T00:00:00.000000Z');
    expect(timestamptzField(null)).toBe('\\N');
    expect(timestamptzField(1.5)).toBe('1.5');
  });

  test('a float32 with a long binary fraction is written with 9 significant digits, which read back as the same float32', () => {
    for (const v of [0.1, 1 / 3, 5792.9, -1e-7, 0.77].map(Math.fround)) {
      const text = realField(v);
      expect(text.replace(/^-|\.|e.*$/g, '').replace(/^0+/, '')).toHaveLength(9);
      expect(Math.fround(Number(text))).toBe(v);
    }
    // Whole numbers, short binary fractions, values that are not float32, non-finite, absent: as copyField writes them.
    for (const v of [80, 6000, 1.25, -0.5, Math.fround(3.4e38), 0.1, Number.NaN, Infinity, undefined]) expect(realField(v)).toBe(copyField(v));
  });

  test('jsonb text drops NUL from keys and nested strings, and non-finite numbers become null', () => {
    expect(JSON.parse(jsonbText({ 'a\0b': 1, nested: ['x\0y', { 'k\0': Number.NaN }] }))).toEqual({ ab: 1, nested: ['xy', { k: null }] });
  });
});

describe('awkward values survive the round trip through COPY', () => {
  let pg: TestPostgres;
  let pool: Pool;
  beforeAll(async () => {
    pg = await startTestPostgres('copy-escaping');
    pool = await migrated((await pg.createDatabase()).pool);
  });
  afterAll(async () => {
    await pg?.stop();
  });

  const awkward = [
    'tab\there',
    'new\nline and\r\ncrlf',
    'back\\slash \\N \\. \\t',
    `quotes ' " \` and ,;|`,
    'unicode: Pérez 佐藤 Ωμέγα 🏎️ e\u0301 \u200f',
    '\\',
    '',
    ' leading and trailing ',
    '\\.',
    'lone surrogate \ud800 becomes U+FFFD',
  ];

  test.each(awkward.map((s, i) => [i, s]))('string %i is stored exactly (driver_name, track, car_id)', async (i, s) => {
    const value = String(s);
    // Set after decoding: the wire decoder already refuses invalid UTF-8, but in-process producers
    // (the in-memory bus) hand over JavaScript strings as they are.
    const f = Object.assign(frame(1, { sessionId: `escaping-${i}` }), { driverName: value, track: value, carId: `car ${value}` });
    expect(await writeFrames(pool, { records: delivered([f]), group: 'g' })).toMatchObject({ written: 1, rejected: [] });
    const { rows } = await pool.query('SELECT driver_name, track, car_id FROM frames WHERE session_id = $1', [`escaping-${i}`]);
    const expected = value.replace('\ud800', '\ufffd');
    expect(rows).toEqual([{ driver_name: expected, track: expected, car_id: `car ${expected}` }]);
  });

  test('NUL characters are removed rather than failing the row', async () => {
    const f = frame(1, { sessionId: 'nul', driverName: 'a\0b\0c', extras: { 'ch\0an': 1 } });
    expect(await writeFrames(pool, { records: delivered([f]), group: 'g' })).toMatchObject({ written: 1, rejected: [] });
    const { rows } = await pool.query(`SELECT driver_name, extras FROM frames WHERE session_id = 'nul'`);
    expect(rows).toEqual([{ driver_name: 'abc', extras: { chan: 1 } }]);
  });

  test('jsonb extras keep awkward channel names and exact doubles', async () => {
    const extras = {
      'VBOX_Lat_Min': -0.1 + 0.3,
      'pbrake r\t"front"': 1e-300,
      'back\\slash\nnewline': 1.7976931348623157e308,
      'ünï €': -0,
      '': 42,
    };
    const f = frame(1, { sessionId: 'extras', extras });
    await writeFrames(pool, { records: delivered([f]), group: 'g' });
    const { rows } = await pool.query(`SELECT extras FROM frames WHERE session_id = 'extras'`);
    expect(rows[0].extras).toEqual({ ...extras, 'ünï €': 0 });
    expect(rows[0].extras.VBOX_Lat_Min).toBe(-0.1 + 0.3);
  });

  test('non-finite floats are stored as such in real columns', async () => {
    const f = frame(1, { sessionId: 'nonfinite', speedKmh: Number.NaN, rpm: Infinity, gLat: -Infinity });
    await writeFrames(pool, { records: delivered([f]), group: 'g' });
    const { rows } = await pool.query(`SELECT speed_kmh, rpm, g_lat FROM frames WHERE session_id = 'nonfinite'`);
    expect(rows).toEqual([{ speed_kmh: Number.NaN, rpm: Infinity, g_lat: -Infinity }]);
  });
});
