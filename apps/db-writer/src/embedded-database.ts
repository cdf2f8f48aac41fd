import * as path from 'node:path';
import type { EnvReader } from '@pitwall/config';
import { startEmbeddedPostgres } from '@pitwall/db';
import type { Logger } from '@pitwall/logger';

export interface EmbeddedDatabase {
  connectionString: string;
  /** Whether this process started the server (false: DATABASE_URL named one). */
  embedded: boolean;
  /** Stops the server this process started; nothing when DATABASE_URL was used. */
  stop(): Promise<void>;
}

/**
 * The database of the embedded process: the one DATABASE_URL names when it is set, otherwise an
 * embedded PostgreSQL with its data under PITWALL_DATA_DIR (default `.pitwall-data`) in
 * `postgres/`, on EMBEDDED_POSTGRES_PORT (default 5433, beside a system PostgreSQL's 5432), kept
 * between runs.
 */
export async function startEmbeddedDatabase(env: EnvReader, logger: Logger): Promise<EmbeddedDatabase> {
  if (env.has('DATABASE_URL')) {
    return { connectionString: env.url('DATABASE_URL', { protocols: ['postgres:', 'postgresql:'] }), embedded: false, stop: async () => undefined };
  }
  const dataDir = path.resolve(env.string('PITWALL_DATA_DIR', { default: '.pitwall-data' }), 'postgres');
  const port = env.port('EMBEDDED_POSTGRES_PORT', { default: 5433 });
  const server = await startEmbeddedPostgres({ dataDir, port, logger: logger.child({ component: 'embedded-postgres' }) });
  logger.info('embedded PostgreSQL for the db-writer (set DATABASE_URL to use another)', { dataDir, port });
  return { connectionString: server.connectionString, embedded: true, stop: () => server.stop() };
}
