// PostgreSQL stopped while frames flow and started again on the same data directory and port:
// the writer pauses, retries, resumes, and the table ends up with exactly the produced frames.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MemoryBus } from '@pitwall/bus';
import { createPool, freePort, startEmbeddedPostgres, type EmbeddedPostgres } from '@pitwall/db';
import { silentLogger } from '@pitwall/logger';
import { catalogue, DB_TEST_TIMEOUT_MS, expectedCounts, frameStream, publishFrames, startWriter, storedFrames, until } from './harness';

jest.setTimeout(DB_TEST_TIMEOUT_MS * 2);

const settings = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };
const dataDir = path.join(tmpdir(), `pitwall-pg-db-writer-outage-${process.pid}-${randomBytes(3).toString('hex')}`);
let port: number;
let server: EmbeddedPostgres | null = null;

beforeAll(async () => {
  port = await freePort();
  server = await startEmbeddedPostgres({ dataDir, port, settings });
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const batchFailures = async (bus: MemoryBus) => {
  const metric = await bus.metrics.registry.getSingleMetric('pitwall_bus_batch_failures_total')?.get();
  return (metric?.values ?? []).reduce((n, v) => n + v.value, 0);
};

test('the database stopped and started again mid-stream: paused meanwhile, nothing lost, nothing twice', async () => {
  const bus = new MemoryBus({ catalogue });
  const writer = await startWriter(bus, server!.connectionString, { config: { batchSize: 500 } });
  const pool = createPool({ connectionString: server!.connectionString, logger: silentLogger(), max: 2 });
  const count = async () => (await storedFrames(pool)).total;
  const health = async () => (await writer.health.report()).checks['db-writer']!;

  const sessions = ['s-a', 's-b', 's-c', 's-d'];
  const frames = frameStream(sessions, 4, 300); // 4 800 frames
  let sent = 0;
  const producing = (async () => {
    for (; sent < frames.length; sent += 100) {
      await publishFrames(bus, frames.slice(sent, sent + 100), 100);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  await until('some frames stored', async () => (await count()) > 500);
  await server!.stop();
  server = null;
  const stoppedAt = sent;
  await until('the writer seeing the database down', async () => (await health()).status === 'down', 30_000);
  expect((await health()).detail).toMatchObject({ database: 'unreachable' });
  expect(await writer.metrics.registry.getSingleMetric('pitwall_db_writer_database_up')!.get()).toMatchObject({ values: [{ value: 0 }] });
  // Frames keep coming while it is down.
  await until('more frames produced during the outage', () => sent >= stoppedAt + 1000, 30_000);
  // Down for a while: several probes fail, and the partitions stay paused.
  const countersBefore = await batchFailures(bus);
  await new Promise((r) => setTimeout(r, 1500));
  expect((await health()).status).toBe('down');
  // Paused: the failed batches are not handed over again and again (4 partitions, 1.5 s).
  expect((await batchFailures(bus)) - countersBefore).toBeLessThanOrEqual(8);

  server = await startEmbeddedPostgres({ dataDir, port, settings });
  await producing;
  await until('every frame stored', async () => (await count().catch(() => 0)) >= frames.length, 60_000);
  expect((await health()).status).toBe('ok');
  const stored = await storedFrames(pool);
  console.log(`outage test: ${frames.length} frames produced (${sent - stoppedAt} while the database was down or starting), ${stored.total} rows stored, ${stored.distinct} distinct`);
  expect(stored.total).toBe(frames.length);
  expect(stored.cars).toEqual(expectedCounts(sessions, 4, 300));
  await writer.stop();
  await pool.end();
  await bus.close();
});
