import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Pool, type PoolConfig } from 'pg';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';

export interface TestDatabase {
  name: string;
  connectionString: string;
  pool: Pool;
}

export interface TestPostgres {
  server: EmbeddedPostgres;
  /** A new, empty database on the server with its own pool; closed by stop(). */
  createDatabase(poolConfig?: PoolConfig): Promise<TestDatabase>;
  /** Ends the pools, stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/** Durability off: test data is thrown away, and fsync on 2 shared cores is the slow part. */
export const TEST_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '60' };

/**
 * One throw-away PostgreSQL server for a test file (own port, own data directory under the OS
 * temp dir), handing out a fresh database per test or suite so they never see each other's rows.
 */
export async function startTestPostgres(label: string): Promise<TestPostgres> {
  const dataDir = path.join(tmpdir(), `pitwall-pg-${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), settings: TEST_SETTINGS });
  const pools: Pool[] = [];
  return {
    server,
    async createDatabase(poolConfig = {}) {
      const name = `test_${randomBytes(6).toString('hex')}`;
      const admin = new Client({ connectionString: server.connectionString });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(server.connectionString);
      url.pathname = `/${name}`;
      const pool = new Pool({ connectionString: url.toString(), max: 8, ...poolConfig });
      // Tests terminate backends on purpose; an idle client dying must not crash the test run.
      pool.on('error', () => undefined);
      pools.push(pool);
      return { name, connectionString: url.toString(), pool };
    },
    async stop() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
