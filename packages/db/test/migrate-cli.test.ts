import { Writable } from 'node:stream';
import { createLogger } from '@pitwall/logger';
import { startTestPostgres, type TestPostgres } from '../src';
import { runMigrate } from '../src/cli/migrate';
import { DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres('migrate-cli');
});
afterAll(async () => {
  await pg?.stop();
});

/** A JSON logger whose lines the test reads. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'db-migrate', stream, level: 'info' }) };
}

test('without DATABASE_URL it exits 2 naming the variable', async () => {
  const { lines, logger } = capturingLogger();
  expect(await runMigrate({}, logger)).toBe(2);
  expect(lines.map((l) => l.message)).toEqual([expect.stringMatching(/^DATABASE_URL: expected a PostgreSQL connection string/)]);
});

test('migrates the database at DATABASE_URL, logs the storage path, and a second run is a no-op', async () => {
  const db = await pg.createDatabase();
  const first = capturingLogger();
  expect(await runMigrate({ DATABASE_URL: db.connectionString }, first.logger)).toBe(0);
  expect(first.lines).toContainEqual(expect.objectContaining({ message: 'storage path: postgres', reason: 'the timescaledb extension is not installed on this server' }));
  expect(first.lines.at(-1)).toMatchObject({ message: 'migrations done', version: 6, storage: 'postgres' });

  const second = capturingLogger();
  expect(await runMigrate({ DATABASE_URL: db.connectionString }, second.logger)).toBe(0);
  expect(second.lines).toContainEqual(expect.objectContaining({ message: 'storage path: postgres', reason: 'chosen when this database was first migrated' }));
  expect(second.lines.at(-1)).toMatchObject({ message: 'migrations done', applied: [] });
});

test('an unreachable database exits 1 with the error logged', async () => {
  const { lines, logger } = capturingLogger();
  expect(await runMigrate({ DATABASE_URL: 'postgres://nobody:x@127.0.0.1:1/none' }, logger)).toBe(1);
  expect(lines.at(-1)).toMatchObject({ message: 'migration failed', level: 'error' });
});
