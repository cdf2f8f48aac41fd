// The TimescaleDB path cannot run here (no TimescaleDB server); these tests pin down the SQL it
// sends, checked against the TimescaleDB API: create_hypertable(relation, by_range(column,
// interval)), add_compression_policy(hypertable, compress_after), add_retention_policy(relation,
// drop_after), remove_*_policy(relation, if_exists), add_continuous_aggregate_policy(cagg,
// start_offset, end_offset, schedule_interval).
import { loadMigrations, timescalePolicyStatements } from '../src';
import { migrationSql } from '../src/migrations';

describe('timescalePolicyStatements', () => {
  test('replaces both policies with the configured intervals, compression first', () => {
    expect(timescalePolicyStatements({ retentionDays: 30, compressAfterDays: 7 })).toEqual([
      `SELECT remove_compression_policy('frames', if_exists => true)`,
      `SELECT add_compression_policy('frames', compress_after => INTERVAL '7 days')`,
      `SELECT remove_retention_policy('frames', if_exists => true)`,
      `SELECT add_retention_policy('frames', drop_after => INTERVAL '30 days')`,
    ]);
  });

  test('refuses intervals that are not whole days or that compress after dropping', () => {
    expect(() => timescalePolicyStatements({ retentionDays: 1.5, compressAfterDays: 1 })).toThrow(/retentionDays: expected a whole number/);
    expect(() => timescalePolicyStatements({ retentionDays: 7, compressAfterDays: 0 })).toThrow(/compressAfterDays/);
    expect(() => timescalePolicyStatements({ retentionDays: 7, compressAfterDays: 7 })).toThrow(/must be less than retentionDays/);
  });
});

describe('frames migration on the TimescaleDB path', () => {
  const frames = loadMigrations().find((m) => m.name === 'frames')!;
  const { sql, variant } = migrationSql(frames, 'timescaledb');
  const statements = sql
    .replace(/--.*$/gm, '')
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const indexOf = (pattern: RegExp) => statements.findIndex((s) => pattern.test(s));

  test('is recorded as the timescaledb variant and shares the column template with the plain path', () => {
    expect(variant).toBe('timescaledb');
    expect(migrationSql(frames, 'postgres').sql.startsWith(frames.common!)).toBe(true);
    expect(sql.startsWith(frames.common!)).toBe(true);
  });

  test('creates the extension, then the table keyed with its time column, then the hypertable', () => {
    const extension = indexOf(/^CREATE EXTENSION IF NOT EXISTS timescaledb$/);
    const table = indexOf(/^CREATE TABLE frames \(LIKE frame_columns INCLUDING ALL\)$/);
    const key = indexOf(/^ALTER TABLE frames ADD CONSTRAINT frames_pkey PRIMARY KEY \(session_id, car_id, time, sequence\)$/);
    const hypertable = indexOf(/^SELECT create_hypertable\('frames', by_range\('time', INTERVAL '1 day'\), create_default_indexes => false\)$/);
    expect([extension, table, key, hypertable].every((i) => i >= 0)).toBe(true);
    expect(extension < table && table < key && key < hypertable).toBe(true);
    // A plain table (not PARTITION BY): a hypertable cannot be made from a partitioned table.
    expect(sql).not.toMatch(/PARTITION BY/);
  });

  test('enables compression segmented by session and car after the hypertable exists', () => {
    const compress = indexOf(/^ALTER TABLE frames SET \( timescaledb\.compress, timescaledb\.compress_segmentby = 'session_id, car_id', timescaledb\.compress_orderby = 'time, sequence' \)$/);
    expect(compress).toBeGreaterThan(indexOf(/create_hypertable/));
  });

  test('creates the per-second per-car continuous aggregate WITH NO DATA (allowed in a transaction) and its refresh policy', () => {
    const cagg = indexOf(/^CREATE MATERIALIZED VIEW frames_per_second WITH \(timescaledb\.continuous\) AS SELECT session_id, car_id, time_bucket\(INTERVAL '1 second', time\) AS bucket, .* FROM frames GROUP BY session_id, car_id, bucket WITH NO DATA$/);
    const policy = indexOf(/^SELECT add_continuous_aggregate_policy\('frames_per_second', start_offset => INTERVAL '1 hour', end_offset => INTERVAL '10 seconds', schedule_interval => INTERVAL '1 minute'\)$/);
    expect(cagg).toBeGreaterThan(0);
    expect(policy).toBeGreaterThan(cagg);
    // Policies over settings (retention, compression age) are not hard-coded in the migration.
    expect(sql).not.toMatch(/add_retention_policy|add_compression_policy/);
  });
});
