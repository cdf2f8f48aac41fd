import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from '@pitwall/logger';
import { detectStorage, type Storage } from './storage';

/** Shipped with the package and read at run time. */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

/**
 * One schema version. Its SQL is the common file `NNN_name.sql` (if any) followed by the file for
 * the storage path (`NNN_name.postgres.sql` / `NNN_name.timescaledb.sql`), when the version has
 * storage variants: then it must have both.
 */
export interface Migration {
  version: number;
  name: string;
  common?: string;
  variants?: Record<Storage, string>;
}

export interface AppliedMigration {
  version: number;
  name: string;
  variant: Storage | 'common';
  checksum: string;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+?)(?:\.(postgres|timescaledb))?\.sql$/;

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const byVersion = new Map<number, { name: string; common?: string; postgres?: string; timescaledb?: string }>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new MigrationError(`${dir}/${file}: expected NNN_name.sql or NNN_name.{postgres,timescaledb}.sql`);
    const version = Number(match[1]);
    const entry = byVersion.get(version) ?? { name: match[2]! };
    if (entry.name !== match[2]) throw new MigrationError(`migration ${version} has two names: ${entry.name} and ${match[2]}`);
    // Normalised line ends: a checkout with CRLF must not look like an edited migration.
    entry[(match[3] as Storage | undefined) ?? 'common'] = readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n');
    byVersion.set(version, entry);
  }
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  return versions.map((version, i) => {
    if (version !== i + 1) throw new MigrationError(`migrations must be numbered 1, 2, 3, ... without gaps; found ${version} at position ${i + 1}`);
    const { name, common, postgres, timescaledb } = byVersion.get(version)!;
    if ((postgres === undefined) !== (timescaledb === undefined)) {
      throw new MigrationError(`migration ${version}_${name} must have both a .postgres.sql and a .timescaledb.sql variant, or neither`);
    }
    return { version, name, common, variants: postgres !== undefined ? { postgres, timescaledb: timescaledb! } : undefined };
  });
}

/** The SQL that runs for a migration on a storage path, and what is recorded for it. */
export function migrationSql(migration: Migration, storage: Storage): { sql: string; variant: Storage | 'common'; checksum: string } {
  const sql = [migration.common, migration.variants?.[storage]].filter((s) => s !== undefined).join('\n');
  return {
    sql,
    variant: migration.variants ? storage : 'common',
    checksum: createHash('sha256').update(sql).digest('hex'),
  };
}

/** Key of the session-level advisory lock that serialises migration runs across processes. */
const MIGRATION_LOCK_KEY = 0x7069_7477; // "pitw"
/** UNIQUE NULLS NOT DISTINCT (insights) needs PostgreSQL 15. */
const MIN_SERVER_VERSION = 150000;

export interface MigrateOptions {
  logger: Logger;
  /** Apply only up to this version (tests of upgrades from older schemas). Default: all. */
  target?: number;
  migrations?: Migration[];
}

export interface MigrateResult {
  storage: Storage;
  applied: number[];
  version: number;
}

/**
 * Brings the schema up to date. Safe to run repeatedly and from several processes at once: runs
 * hold an advisory lock, each migration runs in its own transaction with its record in
 * schema_migrations, and a recorded migration whose SQL has since changed stops the run.
 */
export async function migrate(pool: Pool, opts: MigrateOptions): Promise<MigrateResult> {
  const migrations = opts.migrations ?? loadMigrations();
  const target = opts.target ?? migrations.length;
  const client = await pool.connect();
  try {
    const { rows: versionRows } = await client.query<{ v: number }>(`SELECT current_setting('server_version_num')::int AS v`);
    if (versionRows[0]!.v < MIN_SERVER_VERSION) {
      throw new MigrationError(`PostgreSQL ${versionRows[0]!.v} is too old: pitwall needs 15 or later`);
    }
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await migrateLocked(client, migrations, target, opts.logger);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function migrateLocked(client: PoolClient, migrations: Migration[], target: number, logger: Logger): Promise<MigrateResult> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version      integer     PRIMARY KEY,
      name         text        NOT NULL,
      variant      text        NOT NULL,
      checksum     text        NOT NULL,
      applied_at   timestamptz NOT NULL DEFAULT now(),
      execution_ms integer     NOT NULL
    )`);
  const applied = await readApplied(client);
  const storage = await chooseStorage(client, applied, logger);
  verifyApplied(applied, migrations, storage, logger);

  const done: number[] = [];
  for (const migration of migrations) {
    if (migration.version > target || applied.has(migration.version)) continue;
    const { sql, variant, checksum } = migrationSql(migration, storage);
    const started = Date.now();
    try {
      await client.query('BEGIN');
      await client.query(sql);
      await client.query(
        'INSERT INTO schema_migrations (version, name, variant, checksum, execution_ms) VALUES ($1, $2, $3, $4, $5)',
        [migration.version, migration.name, variant, checksum, Date.now() - started],
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationError(`migration ${migration.version}_${migration.name} (${variant}) failed: ${(err as Error).message}`);
    }
    logger.info('applied migration', { version: migration.version, name: migration.name, variant, ms: Date.now() - started });
    done.push(migration.version);
  }
  const version = Math.max(0, ...applied.keys(), ...done);
  if (done.length === 0) logger.info('schema is up to date', { version, storage });
  return { storage, applied: done, version };
}

async function readApplied(client: PoolClient): Promise<Map<number, AppliedMigration>> {
  const { rows } = await client.query<AppliedMigration>('SELECT version, name, variant, checksum FROM schema_migrations ORDER BY version');
  return new Map(rows.map((row) => [row.version, row]));
}

/** A database keeps the storage path it was created with; a new one takes what the server offers. */
async function chooseStorage(client: PoolClient, applied: Map<number, AppliedMigration>, logger: Logger): Promise<Storage> {
  const recorded = [...applied.values()].find((m) => m.variant !== 'common')?.variant as Storage | undefined;
  if (recorded) {
    logger.info(`storage path: ${recorded}`, { storage: recorded, reason: 'chosen when this database was first migrated' });
    return recorded;
  }
  const detected = await detectStorage(client);
  logger.info(`storage path: ${detected.storage}`, { storage: detected.storage, reason: detected.reason });
  return detected.storage;
}

function verifyApplied(applied: Map<number, AppliedMigration>, migrations: Migration[], storage: Storage, logger: Logger): void {
  const mismatched: string[] = [];
  for (const record of applied.values()) {
    const migration = migrations[record.version - 1];
    if (!migration) {
      // Additive migrations from a newer release: this code can still work with that schema.
      logger.warn('database has a migration this code does not know (written by a newer release?)', { version: record.version, name: record.name });
      continue;
    }
    if (migrationSql(migration, storage).checksum !== record.checksum) {
      mismatched.push(`${record.version}_${record.name} (${record.variant})`);
    }
  }
  if (mismatched.length) {
    throw new MigrationError(
      `applied migrations were changed after they ran: ${mismatched.join(', ')}. ` +
        'Never edit an applied migration; add a new one instead (or restore the original file).',
    );
  }
}
