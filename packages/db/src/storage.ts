import type { ClientBase, Pool } from 'pg';
import type { Logger } from '@pitwall/logger';
import { maintainPartitions, type PartitionMaintenance } from './partitions';
import { applyTimescalePolicies } from './timescale';

/** How `frames` is partitioned: TimescaleDB hypertable, or native PostgreSQL day partitions. */
export type Storage = 'timescaledb' | 'postgres';

/**
 * TimescaleDB is used when the server can load it: the extension must be installed *and* in
 * shared_preload_libraries (CREATE EXTENSION fails otherwise), so a server that merely ships
 * the files falls back to plain PostgreSQL with the reason said.
 */
export async function detectStorage(client: ClientBase): Promise<{ storage: Storage; reason: string }> {
  const { rows } = await client.query<{ installed: boolean; preload: string }>(`
    SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS installed,
           current_setting('shared_preload_libraries') AS preload`);
  const { installed, preload } = rows[0]!;
  if (!installed) return { storage: 'postgres', reason: 'the timescaledb extension is not installed on this server' };
  if (!/(^|[\s,])timescaledb([\s,]|$)/.test(preload)) {
    return { storage: 'postgres', reason: 'timescaledb is installed but not in shared_preload_libraries' };
  }
  return { storage: 'timescaledb', reason: 'the timescaledb extension is available' };
}

/** The path an already migrated database uses, read from how `frames` was created. */
export async function framesStorage(client: ClientBase | Pool): Promise<Storage> {
  const { rows } = await client.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE oid = to_regclass('frames')`);
  if (!rows[0]) throw new Error('table frames does not exist: run the migrations first (npm run db:migrate)');
  return rows[0].relkind === 'p' ? 'postgres' : 'timescaledb';
}

export interface StorageMaintenance extends PartitionMaintenance {
  /** TimescaleDB only: compress chunks older than this. */
  compressAfterDays: number;
  logger: Logger;
  /** The path, when the caller already read it (`framesStorage`); read from the database otherwise. */
  storage?: Storage;
}

/**
 * Keeps `frames` within its retention and ready for the coming days, whichever the path: day
 * partitions on plain PostgreSQL, compression and retention policies on TimescaleDB (whose own
 * background jobs then do the work). Run at start-up and daily.
 */
export async function maintainStorage(pool: Pool, opts: StorageMaintenance): Promise<Storage> {
  const storage = opts.storage ?? (await framesStorage(pool));
  if (storage === 'timescaledb') {
    await applyTimescalePolicies(pool, opts);
  } else {
    await maintainPartitions(pool, opts);
  }
  return storage;
}
