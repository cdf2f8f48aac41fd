// `npm run db:migrate`: brings the database at DATABASE_URL up to the current schema.
import { Pool } from 'pg';
import { createLogger } from '@pitwall/logger';
import { migrate } from '../migrations';

async function main(): Promise<number> {
  const logger = createLogger({ service: 'db-migrate' });
  const url = process.env.DATABASE_URL;
  if (!url) {
    logger.error('DATABASE_URL: expected a PostgreSQL connection string, e.g. postgres://user:pass@host:5432/pitwall');
    return 2;
  }
  const pool = new Pool({ connectionString: url, max: 1 });
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

void main().then((code) => {
  process.exitCode = code;
});
