import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort, PortInUseError, startEmbeddedPostgres, type EmbeddedPostgres } from '../src';
import { DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

const dataDir = path.join(tmpdir(), `pitwall-pg-embedded-${process.pid}`);
const otherDir = `${dataDir}-other`;
const running: EmbeddedPostgres[] = [];

async function start(dir: string, port: number): Promise<EmbeddedPostgres> {
  const server = await startEmbeddedPostgres({ dataDir: dir, port, user: 'pitwall', password: 'p@ss:word/1' });
  running.push(server);
  return server;
}

async function query<T>(connectionString: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(otherDir, { recursive: true, force: true });
});

test('initialises a data dir on first start and keeps its data across a restart', async () => {
  const port = await freePort();
  const first = await start(dataDir, port);
  expect(first.connectionString).toBe(`postgres://pitwall:p%40ss%3Aword%2F1@127.0.0.1:${port}/postgres`);
  await query(first.connectionString, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
  await first.stop();
  await expect(query(first.connectionString, 'SELECT 1')).rejects.toThrow(/ECONNREFUSED/);

  const second = await start(dataDir, port);
  expect(await query(second.connectionString, 'SELECT x FROM kept')).toEqual([{ x: 42 }]);
  await second.stop();
});

test('a port held by another process is a clear PortInUseError', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const attempt = start(otherDir, port);
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
  } finally {
    blocker.close();
  }
});

test('a second server on the port of a running one is refused the same way', async () => {
  const port = await freePort();
  const server = await start(dataDir, port);
  await expect(start(otherDir, port)).rejects.toBeInstanceOf(PortInUseError);
  // The running server is unharmed.
  expect(await query(server.connectionString, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
  await server.stop();
});
