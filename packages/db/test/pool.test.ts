import { Writable } from 'node:stream';
import { createLogger } from '@pitwall/logger';
import { createPool, startTestPostgres, type TestPostgres } from '../src';
import { DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres('pool');
});
afterAll(async () => {
  await pg?.stop();
});

test('idle connections killed by the server are logged, and the pool carries on', async () => {
  const { connectionString, pool: admin } = await pg.createDatabase();
  const warnings: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      warnings.push((JSON.parse(chunk.toString()) as { message: string }).message);
      done();
    },
  });
  const pool = createPool({ connectionString, logger: createLogger({ service: 'test', stream }), max: 2 });
  try {
    await Promise.all([pool.query('SELECT 1'), pool.query('SELECT 1')]);
    expect(pool.idleCount).toBe(2);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await new Promise<void>((resolve) => {
      const poll = () => (warnings.length >= 2 ? resolve() : setTimeout(poll, 10));
      poll();
    });
    expect(warnings).toEqual(['idle PostgreSQL connection lost', 'idle PostgreSQL connection lost']);
    expect((await pool.query('SELECT 42 AS n')).rows).toEqual([{ n: 42 }]);
  } finally {
    await pool.end();
  }
});
