import { copyFile, readFile } from 'node:fs/promises';
import type { TelemetryFrame } from '@pitwall/proto';
import { FrameTap, LONG_HEADER, longRows, metricValue, newBus, startCollector, tempDir, testConfig, TestBucket, until, type RunningCollector } from './helpers';

jest.setTimeout(90_000);

let bucket: TestBucket;
let dir: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  bucket = await TestBucket.start();
  dir = await tempDir();
});

afterAll(async () => {
  await bucket?.stop();
  await dir?.remove();
});

interface Checkpointed {
  inProgress: { key: string; rowsDone: number } | null;
  done: [string, string][];
}
const readCheckpoint = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Checkpointed;

/** 4 cars × `perCar` samples at 20 Hz; wide: one row each. */
function wide(perCar: number): { text: string; ids: string[] } {
  const lines = ['vehicle_id,timestamp,lap,speed,nmot'];
  const ids: string[] = [];
  const t0 = Date.UTC(2025, 8, 6, 14, 0, 0);
  for (let i = 0; i < perCar; i++) {
    for (let c = 0; c < 4; c++) {
      const t = t0 + i * 50 + c;
      lines.push(`GR86-00${c},${new Date(t).toISOString()},${1 + Math.floor(i / 400)},${80 + (i % 90)},${4000 + i}`);
      ids.push(`GR86-00${c}|${t * 1000}`);
    }
  }
  return { text: `${lines.join('\n')}\n`, ids };
}

/**
 * Long shape with the cars' channel rows interleaved and each sample's rows spread over ~13 rows,
 * so with a small sample window and small batches a batch boundary falls inside open samples.
 */
function long(perCar: number): { text: string; ids: string[] } {
  const lines = [LONG_HEADER];
  const ids: string[] = [];
  const t0 = Date.UTC(2025, 8, 7, 15, 0, 0);
  for (let i = 0; i < perCar; i++) {
    const rows = [0, 1, 2, 3].map((c) => {
      const ts = new Date(t0 + i * 50 + c).toISOString();
      ids.push(`GR86-00${c}|${Date.parse(ts) * 1000}`);
      return longRows({ vehicle: `GR86-00${c}`, timestamp: ts, lap: 2, channels: { speed: 100 + (i % 50), nmot: 5000 + i, gear: 1 + (c % 5) } });
    });
    for (let k = 0; k < 3; k++) for (const r of rows) lines.push(r[k]!);
  }
  return { text: `${lines.join('\n')}\n`, ids };
}

async function restartMidFile(key: string, file: { text: string; ids: string[] }, over: Parameters<typeof testConfig>[2]) {
  await bucket.put(key, file.text);
  const checkpointFile = `${dir.path}/${key.replace(/\W/g, '_')}.json`;
  const config = testConfig(bucket, checkpointFile, { prefix: key, ...over });
  // A small partition the tap does not commit from: the bus fills, and publish waits for its ack.
  const bus = newBus(300);
  const tap = await new FrameTap(bus).start();
  tap.hold();

  const first = await startCollector(bus, config);
  await until(async () => (((await first.detail()).inProgress as { rowsDone: number } | null)?.rowsDone ?? 0) > 0, 15_000, 'first batches acked');
  // Stalled: the bus is full and nothing is being acked any more.
  await until(() => bus.highWatermark('telemetry', 0) + bus.highWatermark('telemetry', 1) >= 300, 15_000, 'bus full');
  const stopping = first.stop();
  tap.release();
  await stopping;
  const afterFirst = tap.frames.length;
  const cp = await readCheckpoint(checkpointFile);
  return { bus, tap, config, checkpointFile, afterFirst, cp };
}

function expectExactlyOnce(frames: TelemetryFrame[], ids: string[]): void {
  const got = frames.map((f) => `${f.carId}|${Number(f.sequence)}`);
  expect(got).toHaveLength(ids.length);
  expect(new Set(got).size).toBe(ids.length);
  expect(new Set(got)).toEqual(new Set(ids));
}

async function finish(bus: ReturnType<typeof newBus>, config: ReturnType<typeof testConfig>, tap: FrameTap, expected: number): Promise<RunningCollector> {
  const second = await startCollector(bus, config);
  await until(async () => (await second.detail()).objectsDone === 1, 30_000, 'second instance done');
  await until(() => tap.frames.length >= expected, 10_000, 'frames consumed');
  return second;
}

describe('restart mid-file', () => {
  test('wide CSV: the new instance publishes exactly the rows the first did not have acked', async () => {
    const file = wide(500); // 2000 rows
    const { bus, tap, config, cp, afterFirst } = await restartMidFile('restart/wide.csv', file, { batchFrames: 64 });
    // Stopped in the middle: the checkpoint counts exactly the frames the bus acked.
    expect(cp.inProgress!.key).toBe('restart/wide.csv');
    expect(cp.inProgress!.rowsDone).toBeGreaterThan(0);
    expect(cp.inProgress!.rowsDone).toBeLessThan(2000);
    await until(() => tap.frames.length >= cp.inProgress!.rowsDone);
    expect(afterFirst).toBeLessThanOrEqual(cp.inProgress!.rowsDone);
    expect(tap.frames.length).toBe(cp.inProgress!.rowsDone);

    const second = await finish(bus, config, tap, file.ids.length);
    await second.stop();
    await tap.stop();
    expectExactlyOnce(tap.frames, file.ids);
    const done = await readCheckpoint(config.checkpointFile);
    expect(done.inProgress).toBeNull();
    expect(done.done.map(([k]) => k)).toEqual(['restart/wide.csv']);
  });

  test('long CSV with open samples across batch boundaries: no duplicates, no gaps', async () => {
    const file = long(300); // 1200 samples, 3600 rows
    const { bus, tap, config, cp } = await restartMidFile('restart/long.csv', file, { batchFrames: 7, maxOpenSamples: 5 });
    expect(cp.inProgress!.rowsDone).toBeGreaterThan(0);
    expect(cp.inProgress!.rowsDone).toBeLessThan(3600);
    // The second instance resumes with the window the object was started with, not its own.
    const second = await finish(bus, { ...config, maxOpenSamples: 4096 }, tap, file.ids.length);
    await second.stop();
    await tap.stop();
    expectExactlyOnce(tap.frames, file.ids);
    // Every frame is whole: three channels each.
    for (const f of tap.frames) expect([f.speedKmh, f.rpm, f.gear].every((v) => v !== undefined && v !== null)).toBe(true);
  });

  test('a crash between ack and checkpoint replays the same (car, sequence), which storage dedupes', async () => {
    const file = wide(400); // 1600 rows
    await bucket.put('crash/wide.csv', file.text);
    const checkpointFile = `${dir.path}/crash.json`;
    const config = testConfig(bucket, checkpointFile, { prefix: 'crash/', batchFrames: 100 });
    const bus = newBus(300);
    const tap = await new FrameTap(bus).start();
    tap.hold();
    const first = await startCollector(bus, config);
    // An early checkpoint, as a crash right after it would leave it...
    await until(async () => {
      try {
        return ((await readCheckpoint(checkpointFile)).inProgress?.rowsDone ?? 0) > 0;
      } catch {
        return false;
      }
    });
    await copyFile(checkpointFile, `${checkpointFile}.early`);
    const early = (await readCheckpoint(`${checkpointFile}.early`)).inProgress!.rowsDone;
    // ...while the bus acked more than it says.
    await until(() => bus.highWatermark('telemetry', 0) + bus.highWatermark('telemetry', 1) >= 300);
    const stopping = first.stop();
    tap.release();
    await stopping;
    const acked = (await readCheckpoint(checkpointFile)).inProgress!.rowsDone;
    expect(acked).toBeGreaterThan(early);
    await copyFile(`${checkpointFile}.early`, checkpointFile);

    const second = await finish(bus, config, tap, file.ids.length + (acked - early));
    await second.stop();
    await tap.stop();
    const ids = tap.ids();
    // Rows early..acked went out twice, with identical identity and content.
    expect(ids).toHaveLength(file.ids.length + (acked - early));
    expect(new Set(ids)).toEqual(new Set(file.ids));
    const seen = new Map<string, TelemetryFrame>();
    let replayed = 0;
    for (const f of tap.frames) {
      const id = `${f.carId}|${Number(f.sequence)}`;
      const before = seen.get(id);
      if (before) {
        replayed++;
        expect({ ...f, ingestTimeUs: 0 }).toEqual({ ...before, ingestTimeUs: 0 });
      }
      seen.set(id, f);
    }
    expect(replayed).toBe(acked - early);
  });

  test('while the bus does not ack, the download stops after a bounded read-ahead (backpressure)', async () => {
    const file = wide(25_000); // 100 000 rows, about 5 MB
    const size = Buffer.byteLength(file.text);
    await bucket.put('stall/wide.csv', file.text);
    const bus = newBus(300);
    const tap = await new FrameTap(bus, false).start();
    tap.hold();
    const app = await startCollector(bus, testConfig(bucket, `${dir.path}/stall.json`, { prefix: 'stall/', batchFrames: 100 }));
    await until(() => bus.highWatermark('telemetry', 0) + bus.highWatermark('telemetry', 1) >= 300, 15_000, 'bus full');
    // Stalled: reading stops at the read-ahead bound instead of pulling the whole object in.
    let bytes = -1;
    await until(async () => {
      const now = await metricValue(app.metrics, 'pitwall_s3_bytes_total');
      const settled = now === bytes;
      bytes = now;
      return settled && now > 0;
    }, 15_000, 'download paused');
    await new Promise((r) => setTimeout(r, 300));
    expect(await metricValue(app.metrics, 'pitwall_s3_bytes_total')).toBe(bytes);
    process.stdout.write(`stalled after ${bytes} of ${size} bytes\n`);
    expect(bytes).toBeLessThan(3 * 2 ** 20);
    expect(bytes).toBeLessThan(size);
    // Released, it reads the rest and publishes every row exactly once.
    tap.release();
    await until(async () => (await app.detail()).objectsDone === 1, 60_000, 'object done');
    await until(() => tap.count >= file.ids.length);
    expect(tap.count).toBe(file.ids.length);
    expect(await metricValue(app.metrics, 'pitwall_s3_bytes_total')).toBe(size);
    await app.stop();
    await tap.stop();
  });
});
