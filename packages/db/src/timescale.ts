import type { Pool } from 'pg';
import type { Logger } from '@pitwall/logger';

export interface TimescalePolicies {
  retentionDays: number;
  compressAfterDays: number;
}

function days(n: number, what: string): string {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what}: expected a whole number of days >= 1, got ${n}`);
  return `INTERVAL '${n} days'`;
}

/**
 * The statements that set the frames hypertable's compression and retention policies. A policy's
 * interval cannot be changed in place (add_*_policy with if_not_exists keeps the old one), so
 * each is removed (if present) and added again; the caller runs them in one transaction.
 */
export function timescalePolicyStatements(opts: TimescalePolicies): string[] {
  const retention = days(opts.retentionDays, 'retentionDays');
  const compressAfter = days(opts.compressAfterDays, 'compressAfterDays');
  if (opts.compressAfterDays >= opts.retentionDays) {
    throw new Error(`compressAfterDays (${opts.compressAfterDays}) must be less than retentionDays (${opts.retentionDays})`);
  }
  return [
    `SELECT remove_compression_policy('frames', if_exists => true)`,
    `SELECT add_compression_policy('frames', compress_after => ${compressAfter})`,
    `SELECT remove_retention_policy('frames', if_exists => true)`,
    `SELECT add_retention_policy('frames', drop_after => ${retention})`,
  ];
}

export async function applyTimescalePolicies(pool: Pool, opts: TimescalePolicies & { logger: Logger }): Promise<void> {
  const statements = timescalePolicyStatements(opts);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const sql of statements) await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new Error(`setting TimescaleDB policies on frames failed: ${(err as Error).message}`);
  } finally {
    client.release();
  }
  opts.logger.info('TimescaleDB policies set on frames', { retentionDays: opts.retentionDays, compressAfterDays: opts.compressAfterDays });
}
