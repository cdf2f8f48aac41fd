// `npm run db:migrate`: brings the database at DATABASE_URL up to the current schema.
import { createLogger, type Logger } from '@pitwall/logger';
import { migrate } from '../migrations';
import { createPool } from '../pool';

/** Returns the process exit code: 0 done, 1 migration failed, 2 bad settings. */
export async function runMigrate(env: NodeJS.ProcessEnv, logger: Logger): Promise<number> {
  const url = env.DATABASE_URL;
  if (!url) {
    logger.error('DATABASE_URL: expected a PostgreSQL connection string, e.g. postgres://user:pass@host:5432/pitwall');
    return 2;
  }
  // createPool listens for errors on idle clients: a server restarting must not crash the CLI.
  const pool = createPool({ connectionString: url, max: 1, logger });
  try {
    const result = await migrate(pool, { logger });
    logger.info('migrations done', { version: result.version, applied: result.applied, storage: result.storage });
    return 0;
  } catch (err) {
    logger.error('migration failed', { err });
    return 1;
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  void runMigrate(process.env, createLogger({ service: 'db-migrate' })).then((code) => {
    process.exitCode = code;
  });
}
