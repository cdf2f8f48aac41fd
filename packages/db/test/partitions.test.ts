import type { Pool } from 'pg';
import { listDayPartitions, maintainPartitions, maintainStorage, startTestPostgres, writeFrames, type TestPostgres } from '../src';
import { count, delivered, frame, logger, migrated, DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
let pool: Pool;
beforeAll(async () => {
  pg = await startTestPostgres('partitions');
});
afterAll(async () => {
  await pg?.stop();
});
beforeEach(async () => {
  pool = await migrated((await pg.createDatabase()).pool);
});

const now = new Date('2026-03-10T15:30:00Z');
const atDay = (day: string, hour = 12) => Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`) * 1000;

describe('maintainPartitions (plain PostgreSQL)', () => {
  test('creates today and the days ahead, and again creates nothing', async () => {
    const first = await maintainPartitions(pool, { daysAhead: 3, retentionDays: 7, logger, now });
    expect(first).toEqual({ created: ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13'], dropped: [] });
    expect(await maintainPartitions(pool, { daysAhead: 3, retentionDays: 7, logger, now })).toEqual({ created: [], dropped: [] });
    expect(await listDayPartitions(pool)).toEqual(first.created);
  });

  test('drops partitions whose whole day is past retention, with their rows, and keeps the rest', async () => {
    // Days 2026-03-01 .. 2026-03-04 exist with one frame each.
    await maintainPartitions(pool, { daysAhead: 3, retentionDays: 30, logger, now: new Date('2026-03-01T00:00:00Z') });
    const frames = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'].map((day, i) => frame(i + 1, { sourceTimeUs: atDay(day) }));
    await writeFrames(pool, { records: delivered(frames), group: 'g' });

    // Retention 7 days on 2026-03-10: the cut-off is 2026-03-03 00:00, so 03-01 and 03-02 go.
    const result = await maintainPartitions(pool, { daysAhead: 1, retentionDays: 7, logger, now });
    expect(result).toEqual({ created: ['2026-03-10', '2026-03-11'], dropped: ['2026-03-01', '2026-03-02'] });
    expect(await listDayPartitions(pool)).toEqual(['2026-03-03', '2026-03-04', '2026-03-10', '2026-03-11']);
    expect(await count(pool, 'SELECT count(*) AS n FROM frames')).toBe(2);
  });

  test('rows land in the partition of their UTC day', async () => {
    const frames = [frame(1, { sourceTimeUs: atDay('2026-03-09', 23) + 3_599_999_999 }), frame(2, { sourceTimeUs: atDay('2026-03-10', 0) })];
    await writeFrames(pool, { records: delivered(frames), group: 'g' });
    const { rows } = await pool.query(`SELECT tableoid::regclass::text AS part, sequence FROM frames ORDER BY sequence`);
    expect(rows).toEqual([
      { part: 'frames_p20260309', sequence: '1' },
      { part: 'frames_p20260310', sequence: '2' },
    ]);
  });

  test('the writer creates the partition of a day nobody prepared (an old session replayed)', async () => {
    const old = frame(1, { sourceTimeUs: atDay('2024-02-29') });
    expect(await writeFrames(pool, { records: delivered([old]), group: 'g' })).toMatchObject({ written: 1 });
    expect(await listDayPartitions(pool)).toEqual(['2024-02-29']);
  });

  test('concurrent writers needing the same new partition both succeed', async () => {
    const day = '2025-12-31';
    const results = await Promise.all(
      [1, 2, 3, 4].map((car) =>
        writeFrames(pool, { records: delivered([frame(1, { carId: `car-${car}`, sourceTimeUs: atDay(day) })], car), group: 'g' }),
      ),
    );
    expect(results.map((r) => r.written)).toEqual([1, 1, 1, 1]);
    expect(await listDayPartitions(pool)).toEqual([day]);
  });

  test('bad settings are refused with the setting named', async () => {
    await expect(maintainPartitions(pool, { daysAhead: -1, retentionDays: 7, logger })).rejects.toThrow(/daysAhead/);
    await expect(maintainPartitions(pool, { daysAhead: 1, retentionDays: 0, logger })).rejects.toThrow(/retentionDays/);
  });

  test('maintainStorage takes the partition path on plain PostgreSQL', async () => {
    expect(await maintainStorage(pool, { daysAhead: 2, retentionDays: 7, compressAfterDays: 3, logger })).toBe('postgres');
    expect(await listDayPartitions(pool)).toHaveLength(3);
  });
});

test('partition DDL gives up after its lock timeout instead of stalling behind a long reader', async () => {
  const reader = await pool.connect();
  try {
    await reader.query('BEGIN');
    await reader.query('LOCK TABLE frames IN ACCESS EXCLUSIVE MODE');
    const started = Date.now();
    await expect(maintainPartitions(pool, { daysAhead: 0, retentionDays: 7, logger, now, lockTimeoutMs: 300 })).rejects.toThrow(
      /frames partition DDL failed: canceling statement due to lock timeout/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  } finally {
    await reader.query('ROLLBACK');
    reader.release();
  }
});
