import { gzipSync } from 'node:zlib';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { Checkpoint } from '../src/checkpoint';
import { FrameTap, LONG_HEADER, longRows, metricValue, newBus, startCollector, tempDir, testConfig, TestBucket, until, type RunningCollector } from './helpers';

jest.setTimeout(60_000);

let bucket: TestBucket;
let dir: Awaited<ReturnType<typeof tempDir>>;
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  bucket = await TestBucket.start();
  dir = await tempDir();
});
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});
afterAll(async () => {
  await bucket?.stop();
  await dir?.remove();
});

async function collect(prefix: string, over: Parameters<typeof testConfig>[2] = {}): Promise<{ tap: FrameTap; app: RunningCollector; checkpointFile: string }> {
  const bus = newBus();
  const tap = await new FrameTap(bus).start();
  const checkpointFile = `${dir.path}/${prefix.replace(/\W/g, '_')}.json`;
  const app = await startCollector(bus, testConfig(bucket, checkpointFile, { prefix, ...over }));
  running.push(tap, app);
  return { tap, app, checkpointFile };
}

const wide = (car: string, n: number) =>
  ['vehicle_id,timestamp,speed', ...Array.from({ length: n }, (_, i) => `${car},${new Date(Date.UTC(2025, 5, 1) + i * 100).toISOString()},${100 + i}`)].join('\n') + '\n';

describe('collector-s3 when things go wrong', () => {
  test('a corrupt gzip fails that object once; the rows before the damage and the other objects are published', async () => {
    const good = gzipSync(wide('GR86-1', 3000));
    // Cut the stream: the first part inflates, then it ends early.
    await bucket.put('corrupt/a.csv.gz', good.subarray(0, Math.floor(good.length / 2)));
    await bucket.put('corrupt/b.csv', wide('GR86-2', 10));
    const { tap, app } = await collect('corrupt/');
    await until(async () => (await app.detail()).objectsDone === 1 && (await app.detail()).objectsFailed === 1);
    const detail = await app.detail();
    expect(detail.lastError).toMatch(/corrupt\/a\.csv\.gz: .*(unexpected end|gzip)/i);
    expect(await metricValue(app.metrics, 'pitwall_s3_objects_total', { result: 'failed' })).toBe(1);
    const fromA = tap.frames.filter((f) => f.carId === 'GR86-1').length;
    expect(fromA).toBeGreaterThan(0);
    expect(fromA).toBeLessThan(3000);
    expect(tap.frames.filter((f) => f.carId === 'GR86-2')).toHaveLength(10);
    // Not downloaded again by later polls.
    const bytes = await metricValue(app.metrics, 'pitwall_s3_bytes_total');
    const polls = await metricValue(app.metrics, 'pitwall_s3_polls_total');
    await until(async () => (await metricValue(app.metrics, 'pitwall_s3_polls_total')) >= polls + 3);
    expect(await metricValue(app.metrics, 'pitwall_s3_bytes_total')).toBe(bytes);
    expect((await app.detail()).objectsFailed).toBe(1);
  });

  test('a listing that fails makes health degraded with the reason; the app keeps polling', async () => {
    const { app } = await collect('', { bucket: 'no-such-bucket' });
    await until(async () => (await app.detail()).lastPollOk === false);
    const report = await app.health.report();
    expect(report.status).toBe('degraded');
    expect(String(report.checks['collector-s3']!.detail!.lastError)).toContain('listing s3://no-such-bucket failed');
    const polls = await metricValue(app.metrics, 'pitwall_s3_polls_total', { result: 'failed' });
    await until(async () => (await metricValue(app.metrics, 'pitwall_s3_polls_total', { result: 'failed' })) > polls);
    expect(await metricValue(app.metrics, 'pitwall_s3_errors_total', { stage: 'list' })).toBeGreaterThanOrEqual(2);
  });

  test('a deleted object leaves the done set after the next complete listing', async () => {
    await bucket.put('deleted/a.csv', wide('GR86-3', 5));
    await bucket.put('deleted/b.csv', wide('GR86-4', 5));
    const { app, checkpointFile } = await collect('deleted/');
    await until(async () => (await app.detail()).objectsDone === 2);
    await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.server.bucket, Key: 'deleted/a.csv' }));
    // Read as the next process would: saves are throttled, so the file may not exist yet.
    await until(async () => {
      const { checkpoint } = await Checkpoint.load({ file: checkpointFile, bucket: bucket.server.bucket, prefix: 'deleted/', maxDone: 100 });
      return checkpoint.doneCount === 1 && checkpoint.hasDone('deleted/b.csv');
    });
  });

  test('long CSV rows arriving after their sample was published are reported as late, not sent twice', async () => {
    const ts = (i: number) => new Date(Date.UTC(2025, 6, 1) + i * 100).toISOString();
    const lines = [LONG_HEADER];
    for (let i = 0; i < 6; i++) lines.push(...longRows({ vehicle: 'GR86-5', timestamp: ts(i), lap: 1, channels: { speed: 100 + i } }));
    // Line 8: a channel for sample 0, five samples later, with only 2 samples gathered at once.
    lines.push(...longRows({ vehicle: 'GR86-5', timestamp: ts(0), lap: 1, channels: { nmot: 5000 } }));
    await bucket.put('late/a.csv', `${lines.join('\n')}\n`);
    const { tap, app } = await collect('late/', { maxOpenSamples: 2 });
    await until(async () => (await app.detail()).objectsDone === 1);
    expect(tap.frames.map((f) => f.speedKmh)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(tap.frames[0]!.rpm ?? "absent").toBe("absent");
    const reports = (await app.detail()).recentBadRows as { line: number; field: string; reason: string }[];
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ line: 8, field: 'nmot' });
    expect(reports[0]!.reason).toMatch(/^late: /);
  });

  test('a record over 1 MB (an unclosed quote swallowing the file) fails the object with its line', async () => {
    const rows = wide('GR86-6', 6).trimEnd().split('\n');
    rows.splice(3, 0, `GR86-6,2025-06-01T00:00:00.250Z,${'9'.repeat(1_100_000)}`); // line 4
    await bucket.put('huge/a.csv', `${rows.join('\n')}\n`);
    const { tap, app } = await collect('huge/');
    await until(async () => (await app.detail()).objectsFailed === 1);
    expect(tap.frames.map((f) => f.speedKmh)).toEqual([100, 101]);
    expect((await app.detail()).lastError).toMatch(/huge\/a\.csv: Max Record Size.* at line 4/);
  });

  test('an unclosed quote at the end is reported as a bad row; the rows before it are published', async () => {
    const rows = wide('GR86-7', 4).trimEnd().split('\n');
    rows.push('GR86-7,2025-06-01T00:00:01.000Z,"120');
    await bucket.put('quote/a.csv', `${rows.join('\n')}\n`);
    const { tap, app } = await collect('quote/');
    await until(async () => (await app.detail()).objectsDone === 1);
    expect(tap.frames.map((f) => f.speedKmh)).toEqual([100, 101, 102, 103]);
    const reports = (await app.detail()).recentBadRows as { key: string; line: number; reason: string }[];
    expect(reports).toEqual([expect.objectContaining({ key: 'quote/a.csv', line: 6 })]);
    expect(reports[0]!.reason).toMatch(/Quote Not Closed/);
  });

  test('a CSV whose header names no car or no time column is refused at line 1, once', async () => {
    await bucket.put('header/laps.csv', 'lap,lap_time_s\n1,92.5\n2,91.8\n');
    await bucket.put('header/long.csv', 'telemetry_name,telemetry_value,timestamp\nspeed,100,2025-01-01T00:00:00Z\n');
    const { tap, app } = await collect('header/');
    await until(async () => (await app.detail()).objectsFailed === 2);
    expect(tap.frames).toHaveLength(0);
    expect((await app.detail()).badRows).toBe(0);
    expect((await app.detail()).lastError).toMatch(/^read: header\/long\.csv: line 1: long CSV header without vehicle_id/);
  });
});
