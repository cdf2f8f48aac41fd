import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FrameTap, metricValue, newBus, startCollector, tempDir, testConfig, TestBucket, until } from './helpers';

jest.setTimeout(180_000);

const TARGET_BYTES = 50 * 1024 * 1024;
const MAX_GROWTH_BYTES = 60 * 1024 * 1024;
const HEADER = 'vehicle_id,timestamp,lap,speed,nmot,aps,pbrake_f,pbrake_r,accx_can,accy_can,Steering_Angle,gear,Laptrigger_lapdist_dls,VBOX_Lat_Min,VBOX_Long_Minutes\n';

/** GR Cup wide rows for 20 cars, generated chunk by chunk: the file never exists in memory. */
async function* rows(): AsyncGenerator<string> {
  let bytes = HEADER.length;
  yield HEADER;
  const t0 = Date.UTC(2025, 8, 5, 18, 0, 0);
  for (let i = 0; bytes < TARGET_BYTES; i++) {
    let chunk = '';
    for (let c = 0; c < 20; c++) {
      const t = new Date(t0 + i * 50 + c).toISOString();
      chunk += `GR86-0${10 + c}-${c},${t},${1 + (i >> 10)},${(100 + (i % 80) + c / 10).toFixed(1)},${5000 + (i % 2000)},${i % 100},${(i % 40) / 2},${(i % 30) / 2},0.${i % 97},-0.${i % 89},${(i % 180) - 90},${1 + (i % 6)},${(i * 3.7).toFixed(1)},33.5${i % 1000},-86.6${i % 1000}\n`;
    }
    bytes += chunk.length;
    yield chunk;
  }
}

test('a 50 MB CSV streams through with flat memory', async () => {
  const bucket = await TestBucket.start();
  const dir = await tempDir();
  try {
    const path = `${dir.path}/big.csv`;
    await pipeline(Readable.from(rows()), createWriteStream(path));
    const size = (await stat(path)).size;
    expect(size).toBeGreaterThanOrEqual(TARGET_BYTES);
    await bucket.put('big/session.csv', createReadStream(path), { contentLength: size });
    const expectedRows = (await countLines(path)) - 1;

    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    // A full GC before each sample measures what is held, not garbage V8 has not collected yet
    // (its heap grows freely under allocation pressure, which is not what "flat" is about).
    const sampler = setInterval(() => {
      gc();
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 200);

    // The bus keeps at most 5 000 messages per partition; the tap counts and lets them go.
    const bus = newBus(5_000);
    const tap = await new FrameTap(bus, false).start();
    const app = await startCollector(bus, testConfig(bucket, `${dir.path}/cp.json`, { prefix: 'big/', batchFrames: 2000 }));
    const started = Date.now();
    // While it reads, health shows the object and the rate.
    await until(async () => {
      const d = await app.detail();
      return (d.inProgress as { key: string } | null)?.key === 'big/session.csv' && (d.rowsPerSecond as number) > 0;
    }, 60_000, 'progress in health');
    await until(async () => (await app.detail()).objectsDone === 1, 150_000, 'big object done');
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    await app.stop();
    await tap.stop();

    expect(await metricValue(app.metrics, 'pitwall_s3_rows_total')).toBe(expectedRows);
    expect(tap.count).toBe(expectedRows);
    expect(await metricValue(app.metrics, 'pitwall_s3_bytes_total')).toBe(size);
    const rssGrowth = peakRss - base.rss;
    const heapGrowth = peakHeap - base.heapUsed;
    process.stdout.write(
      `50 MB CSV: ${expectedRows} rows in ${seconds.toFixed(1)} s (${Math.round(expectedRows / seconds)} rows/s); ` +
        `peak growth RSS ${(rssGrowth / 2 ** 20).toFixed(1)} MB, heap ${(heapGrowth / 2 ** 20).toFixed(1)} MB\n`,
    );
    expect(heapGrowth).toBeLessThan(MAX_GROWTH_BYTES);
    expect(rssGrowth).toBeLessThan(MAX_GROWTH_BYTES);
  } finally {
    await bucket.stop();
    await dir.remove();
  }
});

async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path)) for (const b of chunk as Buffer) if (b === 10) n++;
  return n;
}
