import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { EnvReader } from '@pitwall/config';
import { freePort } from '@pitwall/db';
import { silentLogger } from '@pitwall/logger';
import { startEmbeddedDatabase } from '../src';
import { DB_TEST_TIMEOUT_MS } from './harness';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

describe('startEmbeddedDatabase', () => {
  test('with DATABASE_URL set it starts nothing and hands that URL on', async () => {
    const url = 'postgres://pitwall:pitwall@db.example:5432/pitwall';
    const db = await startEmbeddedDatabase(new EnvReader({ DATABASE_URL: url }), silentLogger());
    expect(db).toMatchObject({ connectionString: url, embedded: false });
    await db.stop();
  });

  test('without it, a PostgreSQL under PITWALL_DATA_DIR/postgres that keeps its data between runs', async () => {
    const dataRoot = path.join(tmpdir(), `pitwall-db-writer-embedded-${process.pid}-${randomBytes(3).toString('hex')}`);
    const env = new EnvReader({ PITWALL_DATA_DIR: dataRoot, EMBEDDED_POSTGRES_PORT: String(await freePort()) });
    try {
      const first = await startEmbeddedDatabase(env, silentLogger());
      expect(first.embedded).toBe(true);
      expect(existsSync(path.join(dataRoot, 'postgres', 'PG_VERSION'))).toBe(true);
      const query = async (connectionString: string, sql: string) => {
        const client = new Client({ connectionString });
        await client.connect();
        try {
          return (await client.query<{ n: number }>(sql)).rows;
        } finally {
          await client.end();
        }
      };
      await query(first.connectionString, 'CREATE TABLE kept AS SELECT 42 AS n');
      await first.stop();
      const second = await startEmbeddedDatabase(env, silentLogger());
      expect(await query(second.connectionString, 'SELECT n FROM kept')).toEqual([{ n: 42 }]);
      await second.stop();
    } finally {
      rmSync(dataRoot, { recursive: true, force: true });
    }
  });
});
