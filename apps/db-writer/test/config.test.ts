import { ConfigError, EnvReader } from '@pitwall/config';
import { MAX_BATCH_RECORDS } from '@pitwall/db';
import { loadDbWriterConfig } from '../src';
import { checkStorageSettings } from '../src/config';

const url = 'postgres://pitwall:pitwall@db.example:5432/pitwall';

describe('loadDbWriterConfig', () => {
  test('defaults that work on a laptop', () => {
    expect(loadDbWriterConfig(new EnvReader({ DATABASE_URL: url }))).toEqual({
      databaseUrl: url,
      groupId: 'pitwall-db-writer',
      batchSize: 5000,
      flushMs: 0,
      writeConcurrency: 2,
      probeMs: 1000,
      retryBackoffMs: 500,
      retentionDays: 30,
      partitionDaysAhead: 3,
      compressAfterDays: 2,
      maintenanceIntervalMs: 86_400_000,
    });
  });

  test('DATABASE_URL is required unless the embedded process passes its own', () => {
    expect(() => loadDbWriterConfig(new EnvReader({}))).toThrow(ConfigError);
    expect(() => loadDbWriterConfig(new EnvReader({}))).toThrow(/^DATABASE_URL: expected a URL \(postgres: or postgresql:\)/);
    expect(loadDbWriterConfig(new EnvReader({}), { databaseUrl: url }).databaseUrl).toBe(url);
  });

  test.each([
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['DB_WRITER_BATCH_SIZE', String(MAX_BATCH_RECORDS + 1)],
    ['DB_WRITER_BATCH_SIZE', '0'],
    ['DB_WRITER_FLUSH_MS', '-1'],
    ['DB_WRITER_CONCURRENCY', 'two'],
    ['DB_WRITER_PROBE_MS', '10'],
    ['DB_WRITER_RETENTION_DAYS', '0'],
  ])('%s=%s is refused naming the variable', (variable, value) => {
    expect(() => loadDbWriterConfig(new EnvReader({ DATABASE_URL: url, [variable]: value }))).toThrow(new RegExp(`^${variable}: expected`));
  });

  test('settings are read from their variables', () => {
    const config = loadDbWriterConfig(new EnvReader({ DATABASE_URL: url, DB_WRITER_GROUP: 'g2', DB_WRITER_BATCH_SIZE: '20000', DB_WRITER_FLUSH_MS: '25' }));
    expect(config).toMatchObject({ groupId: 'g2', batchSize: 20_000, flushMs: 25 });
  });
});

describe('checkStorageSettings', () => {
  const config = (env: Record<string, string>) => loadDbWriterConfig(new EnvReader({ DATABASE_URL: url, ...env }));

  test('on TimescaleDB compression must come before retention drops the chunk: a configuration error naming the variable', () => {
    const tooLate = config({ DB_WRITER_RETENTION_DAYS: '7', DB_WRITER_COMPRESS_AFTER_DAYS: '7' });
    expect(() => checkStorageSettings(tooLate, 'timescaledb')).toThrow(ConfigError);
    expect(() => checkStorageSettings(tooLate, 'timescaledb')).toThrow('DB_WRITER_COMPRESS_AFTER_DAYS: expected fewer days than DB_WRITER_RETENTION_DAYS (7) on TimescaleDB, got "7"');
    expect(() => checkStorageSettings(config({ DB_WRITER_RETENTION_DAYS: '7', DB_WRITER_COMPRESS_AFTER_DAYS: '6' }), 'timescaledb')).not.toThrow();
  });

  test('plain PostgreSQL does not compress, so a retention shorter than the compression delay is fine there', () => {
    expect(() => checkStorageSettings(config({ DB_WRITER_RETENTION_DAYS: '1' }), 'postgres')).not.toThrow();
  });
});
