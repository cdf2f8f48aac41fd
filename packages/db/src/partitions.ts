import type { ClientBase, Pool } from 'pg';
import type { Logger } from '@pitwall/logger';

/**
 * Day partitions of `frames` on plain PostgreSQL: frames_pYYYYMMDD holds the UTC day
 * [YYYY-MM-DD 00:00, next day 00:00) of `time`.
 */
const PARTITION_NAME = /^frames_p(\d{4})(\d{2})(\d{2})$/;
/** Serialises partition DDL between writers and maintenance (CREATE ... IF NOT EXISTS races otherwise). */
const PARTITION_LOCK_KEY = 0x7069_7470; // "pitp"
const DAY_MS = 86_400_000;
/** How long partition DDL waits for its lock on `frames` by default. */
const PARTITION_DDL_LOCK_TIMEOUT_MS = 10_000;

export interface PartitionMaintenance {
  /** Partitions exist from today up to today + daysAhead (UTC). */
  daysAhead: number;
  /** Partitions whose whole day is older than this many days before today are dropped. */
  retentionDays: number;
  logger: Logger;
  /** How long to wait for the lock on `frames` before giving up (default 10 s). */
  lockTimeoutMs?: number;
  /** The clock, for tests. */
  now?: Date;
}

/** `YYYY-MM-DD` of the UTC day containing `ms`. */
export function utcDay(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export function partitionName(day: string): string {
  return `frames_p${day.replaceAll('-', '')}`;
}

function partitionDay(name: string): string | undefined {
  const m = PARTITION_NAME.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

function nextDay(day: string): string {
  return utcDay(Date.parse(`${day}T00:00:00Z`) + DAY_MS);
}

export function createPartitionSql(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return (
    `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF frames ` +
    `FOR VALUES FROM ('${day} 00:00:00+00') TO ('${nextDay(day)} 00:00:00+00')`
  );
}

/** Creates the partitions of those days that do not exist yet; returns the days it created. */
export async function ensureDayPartitions(pool: Pool, days: Iterable<string>, lockTimeoutMs = PARTITION_DDL_LOCK_TIMEOUT_MS): Promise<string[]> {
  const wanted = [...new Set(days)];
  if (wanted.length === 0) return [];
  const { rows } = await pool.query<{ day: string }>(
    `SELECT day FROM unnest($1::text[]) AS day WHERE to_regclass('frames_p' || replace(day, '-', '')) IS NULL`,
    [wanted],
  );
  if (rows.length === 0) return [];
  const missing = rows.map((r) => r.day).sort();
  await inPartitionLock(pool, lockTimeoutMs, async (client) => {
    for (const day of missing) await client.query(createPartitionSql(day));
  });
  return missing;
}

/** Lists the day partitions of frames, oldest first. */
export async function listDayPartitions(pool: Pool | ClientBase): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(`
    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'frames'::regclass`);
  return rows
    .map((r) => partitionDay(r.name))
    .filter((d): d is string => d !== undefined)
    .sort();
}

/** Creates the coming days' partitions and drops those past retention (plain PostgreSQL path). */
export async function maintainPartitions(pool: Pool, opts: PartitionMaintenance): Promise<{ created: string[]; dropped: string[] }> {
  for (const [name, value] of [['daysAhead', opts.daysAhead], ['retentionDays', opts.retentionDays]] as const) {
    if (!Number.isInteger(value) || value < (name === 'daysAhead' ? 0 : 1)) throw new Error(`${name}: expected a whole number of days, got ${value}`);
  }
  const today = utcDay((opts.now ?? new Date()).getTime());
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const ahead = Array.from({ length: opts.daysAhead + 1 }, (_, i) => utcDay(todayMs + i * DAY_MS));
  const lockTimeoutMs = opts.lockTimeoutMs ?? PARTITION_DDL_LOCK_TIMEOUT_MS;
  const created = await ensureDayPartitions(pool, ahead, lockTimeoutMs);

  // A partition holds one day; it goes once that whole day is older than the retention cut-off.
  const cutoff = utcDay(todayMs - opts.retentionDays * DAY_MS);
  const expired = (await listDayPartitions(pool)).filter((day) => nextDay(day) <= cutoff);
  if (expired.length) {
    await inPartitionLock(pool, lockTimeoutMs, async (client) => {
      for (const day of expired) await client.query(`DROP TABLE IF EXISTS ${partitionName(day)}`);
    });
  }
  opts.logger.info('frames partitions maintained', { created, dropped: expired, retentionDays: opts.retentionDays, daysAhead: opts.daysAhead });
  return { created, dropped: expired };
}

async function inPartitionLock(pool: Pool, lockTimeoutMs: number, work: (client: ClientBase) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Partition DDL locks `frames`; behind a long history query it would queue every writer
    // behind itself. Better to fail and try again at the next maintenance or batch.
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
    await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
    await work(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(`frames partition DDL failed: ${(err as Error).message}`);
  } finally {
    client.release();
  }
}
