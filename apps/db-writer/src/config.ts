import { ConfigError, type EnvReader } from '@pitwall/config';
import { MAX_BATCH_RECORDS, type Storage } from '@pitwall/db';

export interface DbWriterConfig {
  /** PostgreSQL (or TimescaleDB) connection string. */
  databaseUrl: string;
  /** Consumer group; its offsets are stored in the database with the rows. */
  groupId: string;
  /** Most records in one transaction, and the most messages the bus hands over at once. */
  batchSize: number;
  /**
   * How long records handed over wait for batches of other partitions to join them in one
   * transaction before it starts. 0 = only batches handed over in the same event-loop turn, or
   * while the previous write was running, are combined.
   */
  flushMs: number;
  /** Transactions of one table running at once (the pool has one connection more, for probes). */
  writeConcurrency: number;
  /** How often an unreachable database is probed; consumption stays paused until a probe passes. */
  probeMs: number;
  /** First delay before the bus delivers a failed batch again (doubles up to 30 s). */
  retryBackoffMs: number;
  /** Storage maintenance, run at start and then every `maintenanceIntervalMs`. */
  retentionDays: number;
  partitionDaysAhead: number;
  compressAfterDays: number;
  maintenanceIntervalMs: number;
}

/** `overrides.databaseUrl` stands in for DATABASE_URL (the embedded process passes its own server's). */
export function loadDbWriterConfig(env: EnvReader, overrides: { databaseUrl?: string } = {}): DbWriterConfig {
  return {
    databaseUrl: overrides.databaseUrl ?? env.url('DATABASE_URL', { protocols: ['postgres:', 'postgresql:'] }),
    groupId: env.string('DB_WRITER_GROUP', { default: 'pitwall-db-writer' }),
    batchSize: env.int('DB_WRITER_BATCH_SIZE', { default: 5000, min: 1, max: MAX_BATCH_RECORDS }),
    flushMs: env.int('DB_WRITER_FLUSH_MS', { default: 0, min: 0, max: 60_000 }),
    writeConcurrency: env.int('DB_WRITER_CONCURRENCY', { default: 2, min: 1, max: 32 }),
    probeMs: env.int('DB_WRITER_PROBE_MS', { default: 1000, min: 50, max: 60_000 }),
    retryBackoffMs: env.int('DB_WRITER_RETRY_BACKOFF_MS', { default: 500, min: 10, max: 30_000 }),
    retentionDays: env.int('DB_WRITER_RETENTION_DAYS', { default: 30, min: 1, max: 36_500 }),
    partitionDaysAhead: env.int('DB_WRITER_PARTITION_DAYS_AHEAD', { default: 3, min: 0, max: 365 }),
    compressAfterDays: env.int('DB_WRITER_COMPRESS_AFTER_DAYS', { default: 2, min: 1, max: 36_500 }),
    maintenanceIntervalMs: env.int('DB_WRITER_MAINTENANCE_INTERVAL_MS', { default: 86_400_000, min: 60_000 }),
  };
}

/**
 * The settings that only make sense for one storage path, checked once the database says which
 * it uses: TimescaleDB cannot compress chunks its retention has already dropped. (Plain
 * PostgreSQL does not compress, so a short retention there stays valid.)
 */
export function checkStorageSettings(config: DbWriterConfig, storage: Storage): void {
  if (storage === 'timescaledb' && config.compressAfterDays >= config.retentionDays) {
    throw new ConfigError('DB_WRITER_COMPRESS_AFTER_DAYS', `fewer days than DB_WRITER_RETENTION_DAYS (${config.retentionDays}) on TimescaleDB`, String(config.compressAfterDays));
  }
}
