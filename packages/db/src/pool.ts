import { Pool, type PoolConfig } from 'pg';
import type { Logger } from '@pitwall/logger';

export interface CreatePoolOptions extends PoolConfig {
  connectionString: string;
  logger: Logger;
}

/**
 * A pg Pool that survives the database dropping idle connections (restart, failover, an admin's
 * pg_terminate_backend): pg emits those as 'error' on the pool, which kills the process when no
 * one listens. They are logged; the pool replaces the connection on next use.
 */
export function createPool({ logger, ...config }: CreatePoolOptions): Pool {
  const pool = new Pool({ max: 10, idleTimeoutMillis: 30_000, ...config });
  pool.on('error', (err) => logger.warn('idle PostgreSQL connection lost', { err }));
  return pool;
}
