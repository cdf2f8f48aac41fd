import type { Pool } from 'pg';
import { readOffsets, startTestPostgres, writeFrames, MAX_BATCH_RECORDS, type TestPostgres } from '../src';
import { count, delivered, frame, migrated, DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
let pool: Pool;
const group = 'db-writer';

beforeAll(async () => {
  pg = await startTestPostgres('frames-writer');
});
afterAll(async () => {
  await pg?.stop();
});
beforeEach(async () => {
  pool = await migrated((await pg.createDatabase()).pool);
});

const frameCount = () => count(pool, 'SELECT count(*) AS n FROM frames');

describe('writeFrames counts', () => {
  test('a fresh batch is written whole and its offsets stored', async () => {
    const result = await writeFrames(pool, { records: delivered([1, 2, 3, 4, 5].map((s) => frame(s)), 2, 100), group });
    expect(result).toMatchObject({ written: 5, skipped: 0, rejected: [] });
    expect(result.offsets).toEqual([{ topic: 'telemetry', partition: 2, nextOffset: 105 }]);
    expect(await frameCount()).toBe(5);
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[2, 105]]));
  });

  test('duplicates within one batch are stored once', async () => {
    const frames = [1, 2, 2, 3, 3, 3].map((s) => frame(s));
    const result = await writeFrames(pool, { records: delivered(frames), group });
    expect(result).toMatchObject({ written: 3, skipped: 3 });
    expect(await frameCount()).toBe(3);
  });

  test('a redelivered batch (same frames, later offsets) writes nothing new but moves the offsets', async () => {
    const frames = [1, 2, 3].map((s) => frame(s));
    await writeFrames(pool, { records: delivered(frames, 0, 0), group });
    const again = await writeFrames(pool, { records: delivered([...frames, frame(4)], 0, 3), group });
    expect(again).toMatchObject({ written: 1, skipped: 3 });
    expect(await frameCount()).toBe(4);
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[0, 7]]));
  });

  test('the same sequence from another car or session is a different frame', async () => {
    const frames = [frame(1), frame(1, { carId: 'car-8' }), frame(1, { sessionId: 'session-2' })];
    expect(await writeFrames(pool, { records: delivered(frames), group })).toMatchObject({ written: 3, skipped: 0 });
  });

  test('offsets are per partition and per group, and never move back', async () => {
    await writeFrames(pool, {
      records: [...delivered([frame(1), frame(2)], 0, 10), ...delivered([frame(3)], 1, 50), ...delivered([frame(4)], 0, 5)],
      group,
    });
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[0, 12], [1, 51]]));
    // A zombie consumer replays an older part of partition 0 after a rebalance.
    await writeFrames(pool, { records: delivered([frame(1)], 0, 3), group });
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[0, 12], [1, 51]]));
    expect(await readOffsets(pool, 'other-group', 'telemetry')).toEqual(new Map());
  });

  test('an empty batch commits nothing and stores no offsets', async () => {
    expect(await writeFrames(pool, { records: [], group })).toEqual({ written: 0, skipped: 0, rejected: [], offsets: [], path: 'copy' });
    expect(await count(pool, 'SELECT count(*) AS n FROM consumer_offsets')).toBe(0);
  });

  test(`a batch over ${MAX_BATCH_RECORDS} records is refused before touching the database`, async () => {
    const one = frame(1);
    const records = Array.from({ length: MAX_BATCH_RECORDS + 1 }, (_, i) => ({ value: one, topic: 't', partition: 0, offset: i }));
    await expect(writeFrames(pool, { records, group })).rejects.toThrow(/over the limit/);
    expect(await frameCount()).toBe(0);
  });
});

describe('writeFrames stores every field', () => {
  test('a frame reads back with each column equal to its field', async () => {
    const f = frame(9);
    await writeFrames(pool, { records: delivered([f]), group });
    const { rows } = await pool.query(`SELECT *, (extract(epoch FROM time) * 1e6)::bigint AS time_us,
      (extract(epoch FROM ingest_time) * 1e6)::bigint AS ingest_us FROM frames`);
    const row = rows[0];
    expect(row).toMatchObject({
      session_id: f.sessionId, car_id: f.carId, sequence: '9', source: f.source, driver_name: f.driverName,
      car_model: f.carModel, track: f.track, session_time_s: f.sessionTimeS, lap: f.lap,
      lap_distance_m: f.lapDistanceM, normalized_position: f.normalizedPosition, sector: f.sector,
      race_position: f.racePosition, current_lap_time_ms: f.currentLapTimeMs, last_lap_time_ms: f.lastLapTimeMs,
      in_pit: false, lap_invalid: false, speed_kmh: f.speedKmh, throttle: f.throttle, brake: f.brake, clutch: f.clutch,
      steer: f.steer, gear: f.gear, rpm: f.rpm, g_lat: f.gLat, g_lon: f.gLon, g_vert: f.gVert,
      world_x_m: 1.5, world_y_m: -2.5, world_z_m: 3.25, yaw_rad: f.yawRad,
      tyre_surface_temp_c_rl: 80, tyre_surface_temp_c_fr: 83, tyre_inner_temp_c_rr: 91, tyre_pressure_psi_fl: 28,
      tyre_wear_fr: 0.5, brake_temp_c_rl: 400, fuel_kg: 42.5, extras: { pbrake_r: 0.5 },
    });
    // Exact to the microsecond: the key of a replayed frame depends on it.
    expect(Number(row.time_us)).toBe(f.sourceTimeUs);
    expect(Number(row.ingest_us)).toBe(f.ingestTimeUs);
  });

  test('absent optional channels are NULL, not zero', async () => {
    const sparse = frame(1, {
      speedKmh: null, gear: null, inPit: null, worldPositionM: null, tyreWear: null, sessionTimeS: null, extras: {},
    });
    await writeFrames(pool, { records: delivered([sparse]), group });
    const { rows } = await pool.query('SELECT speed_kmh, gear, in_pit, world_x_m, tyre_wear_rl, session_time_s, extras FROM frames');
    expect(rows[0]).toEqual({ speed_kmh: null, gear: null, in_pit: null, world_x_m: null, tyre_wear_rl: null, session_time_s: null, extras: null });
  });

  test('a frame without source time is stored at its ingest time', async () => {
    const f = frame(1, { sourceTimeUs: 0 });
    await writeFrames(pool, { records: delivered([f]), group });
    const { rows } = await pool.query('SELECT (extract(epoch FROM time) * 1e6)::bigint AS t FROM frames');
    expect(Number(rows[0].t)).toBe(f.ingestTimeUs);
  });
});

describe('rejected records', () => {
  test('a row the database rejects is isolated with its reason and the rest is written', async () => {
    // lap is uint32 on the wire but integer in the table: 3e9 is out of range.
    const frames = Array.from({ length: 40 }, (_, i) => frame(i + 1, i === 17 ? { lap: 3_000_000_000 } : {}));
    const result = await writeFrames(pool, { records: delivered(frames, 0, 200), group });
    expect(result.written).toBe(39);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]!.record.offset).toBe(217);
    expect(result.rejected[0]!.code).toBe('22003');
    expect(result.rejected[0]!.reason).toMatch(/out of range/);
    expect(await frameCount()).toBe(39);
    expect(await count(pool, 'SELECT count(*) AS n FROM frames WHERE sequence = 18')).toBe(0);
    // The offset moves past the rejected record: the app has it (for the DLQ), so it is not re-read.
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[0, 240]]));
  });

  test('several bad rows scattered through a batch are each found', async () => {
    const bad = new Set([0, 5, 6, 31]);
    const frames = Array.from({ length: 32 }, (_, i) => frame(i + 1, bad.has(i) ? { gear: 40_000 } : {}));
    const result = await writeFrames(pool, { records: delivered(frames), group });
    expect(result.written).toBe(28);
    expect(result.rejected.map((r) => r.record.offset).sort((a, b) => a - b)).toEqual([...bad]);
  });

  test('frames that cannot be placed in time are rejected before the database', async () => {
    const frames = [frame(1, { sourceTimeUs: 0, ingestTimeUs: 0 }), frame(2, { sourceTimeUs: 1000 }), frame(3)];
    const result = await writeFrames(pool, { records: delivered(frames), group });
    expect(result.written).toBe(1);
    expect(result.rejected.map((r) => [r.record.offset, r.code])).toEqual([[0, undefined], [1, undefined]]);
    expect(result.rejected[0]!.reason).toMatch(/neither source_time_us nor ingest_time_us/);
    expect(result.rejected[1]!.reason).toMatch(/before 2000/);
  });
});

describe('the fast path (COPY straight into frames) and its fallback to staging', () => {
  const distinctKeys = () => count(pool, 'SELECT count(DISTINCT (session_id, car_id, sequence)) AS n FROM frames');

  test('a fresh batch goes in by direct COPY, routed to its day partitions', async () => {
    const day = 86_400_000_000;
    const frames = [frame(1), frame(2, { sourceTimeUs: (frame(2).sourceTimeUs as number) - day }), frame(3)];
    const result = await writeFrames(pool, { records: delivered(frames, 1, 10), group });
    expect(result).toMatchObject({ written: 3, skipped: 0, rejected: [], path: 'copy' });
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[1, 13]]));
    // Rows land in the partitions, not in the parent.
    expect(await count(pool, 'SELECT count(*) AS n FROM ONLY frames')).toBe(0);
    expect(await count(pool, 'SELECT count(DISTINCT tableoid) AS n FROM frames')).toBe(2);
  });

  test('a frame already stored makes the COPY fail; the batch is staged instead: exact counts and offsets, nothing twice', async () => {
    await writeFrames(pool, { records: delivered([1, 2, 3].map((s) => frame(s)), 0, 0), group });
    // A redelivery overlapping the stored frames, then new ones, in one batch.
    const result = await writeFrames(pool, { records: delivered([2, 3, 4, 5, 6].map((s) => frame(s)), 0, 1), group });
    expect(result).toMatchObject({ written: 3, skipped: 2, rejected: [], path: 'staged' });
    expect(result.offsets).toEqual([{ topic: 'telemetry', partition: 0, nextOffset: 6 }]);
    expect(await frameCount()).toBe(6);
    expect(await distinctKeys()).toBe(6);
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[0, 6]]));
    // The next fresh batch takes the fast path again.
    expect(await writeFrames(pool, { records: delivered([frame(7)], 0, 6), group })).toMatchObject({ written: 1, path: 'copy' });
  });

  test('a rejected row and a duplicate in one batch: the failed COPY leaves nothing, the row is isolated, the rest stored once', async () => {
    await writeFrames(pool, { records: delivered([frame(1)], 0, 0), group });
    const frames = [frame(1), ...Array.from({ length: 20 }, (_, i) => frame(i + 2, i === 12 ? { gear: 40_000 } : {}))];
    const result = await writeFrames(pool, { records: delivered(frames, 0, 1), group });
    expect(result).toMatchObject({ written: 19, skipped: 1, path: 'staged' });
    expect(result.rejected.map((r) => [r.record.offset, r.code])).toEqual([[14, '22003']]);
    expect(await frameCount()).toBe(20);
    expect(await distinctKeys()).toBe(20);
    expect(await count(pool, 'SELECT count(*) AS n FROM frames WHERE sequence = 14')).toBe(0);
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map([[0, 22]]));
  });
});

describe('atomicity of rows and offsets', () => {
  test('a failing beforeCommit hook leaves neither rows nor offsets', async () => {
    const records = delivered([frame(1), frame(2)]);
    await expect(
      writeFrames(pool, { records, group, beforeCommit: async () => Promise.reject(new Error('DLQ unreachable')) }),
    ).rejects.toThrow('DLQ unreachable');
    expect(await frameCount()).toBe(0);
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map());
    // The retry succeeds in full.
    expect(await writeFrames(pool, { records, group })).toMatchObject({ written: 2 });
  });

  test('a connection killed mid-transaction leaves neither rows nor offsets', async () => {
    const records = delivered([1, 2, 3].map((s) => frame(s)), 0, 0);
    await expect(
      writeFrames(pool, {
        records,
        group,
        // Rows and offsets are written but not committed: kill the writer's backend from outside.
        beforeCommit: async () => {
          const { rows } = await pool.query(
            `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
             WHERE datname = current_database() AND state = 'idle in transaction' AND pid <> pg_backend_pid()`,
          );
          expect(rows).toEqual([{ killed: true }]);
        },
      }),
    ).rejects.toThrow();
    expect(await frameCount()).toBe(0);
    expect(await readOffsets(pool, group, 'telemetry')).toEqual(new Map());
    // The pool dropped the dead connection and the redelivered batch is written once.
    expect(await writeFrames(pool, { records, group })).toMatchObject({ written: 3, skipped: 0 });
  });
});
