// The PM2 entry as a real process over Kafka (librdkafka's mock cluster, or KAFKA_BROKERS) reading
// from s3rver: SIGTERM in the middle of an object exits 0 with the acked rows in the checkpoint
// file, and the next process publishes exactly the rest.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { KafkaBus } from '@pitwall/bus';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame, Source, type TelemetryFrame } from '@pitwall/proto';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../../packages/kafka/test/wire/wire-cluster';
import { tempDir, TestBucket } from '../helpers';

jest.setTimeout(120_000);

const runTs = path.resolve(__dirname, '../../../../packages/bus/test/wire/child/run-ts.js');
const main = path.resolve(__dirname, '../../src/main.ts');

const ROWS = 24_000;

function wideCsv(): { text: string; ids: string[] } {
  const lines = ['vehicle_id,timestamp,lap,speed,nmot,gear'];
  const ids: string[] = [];
  const t0 = Date.UTC(2025, 8, 5, 18, 0, 0);
  for (let r = 0; r < ROWS; r++) {
    const car = `GR86-00${r % 4}`;
    const t = t0 + Math.floor(r / 4) * 50 + (r % 4);
    lines.push(`${car},${new Date(t).toISOString()},${1 + Math.floor(r / 4000)},${100 + (r % 90)},${5000 + (r % 1000)},${1 + (r % 6)}`);
    ids.push(`${car}|${t * 1000}`);
  }
  return { text: `${lines.join('\n')}\n`, ids };
}

describe('collector-s3 as a process over Kafka', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;
  let bucket: TestBucket;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    cluster = await startWireCluster([{ name: 'telemetry', partitions: 3 }]);
    bus = new KafkaBus({ settings: cluster.settings, catalogue: [], logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
    bucket = await TestBucket.start();
    dir = await tempDir();
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await bus?.close();
    await cluster?.stop();
    await bucket?.stop();
    await dir?.remove();
  });

  it('stops mid-object on SIGTERM with its checkpoint, and the next process publishes exactly the rest', async () => {
    const file = wideCsv();
    await bucket.put('exports/barber_r1.csv', file.text);
    const checkpointFile = path.join(dir.path, 'collector-s3', 'checkpoint.json');
    const start = () => {
      const child = spawn(process.execPath, [runTs, main], {
        env: {
          ...process.env,
          KAFKA_BROKERS: cluster.brokers.join(','),
          KAFKA_TOPIC_TELEMETRY: cluster.topic('telemetry'),
          HEALTH_PORT: '0',
          LOG_LEVEL: 'warn',
          S3_BUCKET: bucket.server.bucket,
          S3_PREFIX: 'exports/',
          S3_ENDPOINT: bucket.server.endpoint,
          S3_ACCESS_KEY_ID: 'S3RVER',
          S3_SECRET_ACCESS_KEY: 'S3RVER',
          S3_POLL_INTERVAL_MS: '200',
          S3_CHECKPOINT_FILE: checkpointFile,
          // Small batches, each waiting for Kafka's ack: the object takes long enough to stop inside it.
          S3_BATCH_FRAMES: '50',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      return { child, exited: new Promise<number | null>((r) => child.once('exit', (code) => r(code))) };
    };

    const frames: TelemetryFrame[] = [];
    const consumer = bus.consumer({ groupId: 'wire-frames', topics: [cluster.topic('telemetry')], fromBeginning: true });
    await consumer.run(async (batch) => {
      for (const m of batch.messages) frames.push(decodeFrame(m.value));
    });

    const first = start();
    await waitFor('frames from the first process', () => frames.length >= 1000, 60_000);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const stopped = JSON.parse(await readFile(checkpointFile, 'utf8')) as { inProgress: { key: string; rowsDone: number } | null };
    expect(stopped.inProgress?.key).toBe('exports/barber_r1.csv');
    expect(stopped.inProgress!.rowsDone).toBeGreaterThanOrEqual(1000);
    expect(stopped.inProgress!.rowsDone).toBeLessThan(ROWS);
    await waitFor('the acked frames of the first process', () => frames.length >= stopped.inProgress!.rowsDone, 30_000);
    expect(frames.length).toBe(stopped.inProgress!.rowsDone);

    const second = start();
    await waitFor('every row on Kafka', () => frames.length >= ROWS, 90_000);
    await waitFor('the object done in the checkpoint', async () => {
      const cp = JSON.parse(await readFile(checkpointFile, 'utf8')) as { inProgress: unknown; done: [string, string][] };
      return cp.inProgress === null && cp.done.length === 1;
    });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await consumer.stop();

    const ids = frames.map((f) => `${f.carId}|${Number(f.sequence)}`);
    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids)).toEqual(new Set(file.ids));
    expect(frames[0]).toMatchObject({ source: Source.SOURCE_S3_CSV, sessionId: 'barber_r1' });
  });
});
