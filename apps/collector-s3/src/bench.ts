/**
 * Benchmark: S3 CSV rows per second through the real collector (list, GET, csv-parse, channel
 * mapping, protobuf, FramePublisher, MemoryBus with a draining consumer, checkpoint) against
 * csv-parse alone reading the same object from the same s3rver, in the same run.
 * Importing this module does nothing; call `benchS3Csv`.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { BenchResult } from '@pitwall/bench';
import { MemoryBus } from '@pitwall/bus';
import { DEFAULT_MAPPING } from '@pitwall/channel-map';
import { defaultTopicNames, topicCatalogue } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { Health } from '@pitwall/service';
import { parse } from 'csv-parse';
import { startCollectorS3 } from './app';
import type { CollectorS3Config } from './config';
import { startLocalS3, type LocalS3 } from './local-s3';
import { createS3Client } from './poller';

export interface S3CsvBenchOptions {
  /** Rows in each file (wide and long shape, 20 cars). Default 300 000 (wide: about 29 MB). */
  rows?: number;
  /** Runs of each side; the best of each counts. Default 2. */
  runs?: number;
}

const WIDE_HEADER = 'vehicle_id,timestamp,lap,speed,nmot,aps,pbrake_f,pbrake_r,accx_can,accy_can,Steering_Angle,gear,Laptrigger_lapdist_dls,VBOX_Lat_Min,VBOX_Long_Minutes\n';
const LONG_HEADER = 'expire_at,lap,meta_event,meta_session,meta_source,meta_time,original_vehicle_id,outing,telemetry_name,telemetry_value,timestamp,vehicle_id,vehicle_number\n';
const LONG_CHANNELS = ['speed', 'nmot', 'aps', 'pbrake_f', 'pbrake_r', 'accx_can', 'accy_can', 'Steering_Angle', 'gear', 'Laptrigger_lapdist_dls', 'VBOX_Lat_Min', 'VBOX_Long_Minutes'];

/** GR Cup wide rows, 20 cars at 20 Hz, written chunk by chunk. */
async function* wideRows(rows: number): AsyncGenerator<string> {
  yield WIDE_HEADER;
  const t0 = Date.UTC(2025, 8, 5, 18, 0, 0);
  for (let r = 0; r < rows; ) {
    let chunk = '';
    for (let k = 0; k < 500 && r < rows; k++, r++) {
      const i = Math.floor(r / 20);
      const c = r % 20;
      const t = new Date(t0 + i * 50 + c).toISOString();
      chunk += `GR86-0${10 + c}-${c},${t},${1 + (i >> 10)},${(100 + (i % 80) + c / 10).toFixed(1)},${5000 + (i % 2000)},${i % 100},${(i % 40) / 2},${(i % 30) / 2},0.${i % 97},-0.${i % 89},${(i % 180) - 90},${1 + (i % 6)},${(i * 3.7).toFixed(1)},33.5${i % 1000},-86.6${i % 1000}\n`;
    }
    yield chunk;
  }
}

/** GR Cup long rows (one per channel, 12 channels per sample), 20 cars at 20 Hz. */
async function* longRows(rows: number): AsyncGenerator<string> {
  yield LONG_HEADER;
  const t0 = Date.UTC(2025, 8, 7, 15, 0, 0);
  for (let r = 0; r < rows; ) {
    let chunk = '';
    for (let k = 0; k < 500 && r < rows; k++, r++) {
      const sample = Math.floor(r / LONG_CHANNELS.length);
      const i = Math.floor(sample / 20);
      const c = sample % 20;
      const t = new Date(t0 + i * 50 + c).toISOString();
      const channel = LONG_CHANNELS[r % LONG_CHANNELS.length]!;
      const value = channel === 'gear' ? 1 + (i % 6) : ((i * 7 + r) % 1000) / 10;
      chunk += `,${1 + (i >> 10)},I_R06_2025-09-07,R1,kafka:gr-raw,${t},GR86-0${10 + c}-${c},0,${channel},${value},${t},GR86-0${10 + c}-${c},${c}\n`;
    }
    yield chunk;
  }
}

/** csv-parse alone: the same object from the same server, parsed and counted. */
async function baselineRun(s3: LocalS3, key: string): Promise<number> {
  const client = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  try {
    const started = performance.now();
    const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    let rows = -1; // the header
    for await (const _record of (res.Body as Readable).pipe(parse())) rows++;
    return rows / ((performance.now() - started) / 1000);
  } finally {
    client.destroy();
  }
}

/** The app over a MemoryBus whose consumer commits as it reads: poll, stream, map, publish, ack. */
async function oursRun(s3: LocalS3, prefix: string, dir: string, run: string): Promise<number> {
  const bus = new MemoryBus({ catalogue: topicCatalogue(), maxMessagesPerPartition: 20_000 });
  let consumed = 0;
  const consumer = bus.consumer({ groupId: 'bench', topics: [defaultTopicNames.telemetry], maxBatchMessages: 5000 });
  await consumer.run(async (b) => {
    consumed += b.messages.length;
  });
  const health = new Health();
  const config: CollectorS3Config = {
    bucket: s3.bucket,
    prefix,
    endpoint: s3.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    pollIntervalMs: 60_000,
    listPageSize: 1000,
    checkpointFile: join(dir, `checkpoint-${run}.json`),
    batchFrames: 1000,
    maxOpenSamples: 4096,
    maxDoneObjects: 1000,
    track: 'barber',
    mapping: DEFAULT_MAPPING,
  };
  const started = performance.now();
  const app = await startCollectorS3({ bus, topics: { ...defaultTopicNames }, logger: silentLogger(), metrics: new Metrics('bench'), health, config });
  let rowsPerSecond: number;
  try {
    for (;;) {
      const detail = (await health.report()).checks['collector-s3']?.detail as { objectsDone: number; rows: number } | undefined;
      if (detail && detail.objectsDone >= 1) {
        rowsPerSecond = detail.rows / ((performance.now() - started) / 1000);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    await app.stop();
    await consumer.stop();
  }
  if (consumed === 0) throw new Error('benchmark published nothing');
  return rowsPerSecond;
}

interface ShapeFigures {
  ours: number;
  baseline: number;
  megabytes: number;
}

/** Both sides on one file, alternating, best of `runs` each. */
async function measure(s3: LocalS3, dir: string, shape: 'wide' | 'long', rows: number, runs: number): Promise<ShapeFigures> {
  const path = join(dir, `${shape}.csv`);
  await pipeline(Readable.from(shape === 'wide' ? wideRows(rows) : longRows(rows)), createWriteStream(path));
  const size = (await stat(path)).size;
  const client = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  // One copy per run of ours, under its own prefix, so each run reads a not-yet-done object.
  for (let i = 0; i < runs; i++) {
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${shape}${i}/session.csv`, Body: createReadStream(path), ContentLength: size }));
  }
  client.destroy();
  await rm(path);
  let baseline = 0;
  let ours = 0;
  for (let i = 0; i < runs; i++) {
    baseline = Math.max(baseline, await baselineRun(s3, `${shape}0/session.csv`));
    ours = Math.max(ours, await oursRun(s3, `${shape}${i}/`, dir, `${shape}${i}`));
  }
  return { ours, baseline, megabytes: size / 2 ** 20 };
}

const pct = (ratio: number) => `${Math.round(ratio * 100)} %`;

/**
 * S3 CSV rows/s through collector-s3 (over MemoryBus) against csv-parse alone reading the same
 * object from the same s3rver, in the same run. The headline is the wide shape (a frame per row,
 * the most work per row); the long shape (GR Cup's own export, a frame per 12 rows) is in notes.
 */
export async function benchS3Csv(opts: S3CsvBenchOptions = {}): Promise<BenchResult> {
  const rows = opts.rows ?? 300_000;
  const runs = opts.runs ?? 2;
  const dir = await mkdtemp(join(tmpdir(), 'pitwall-bench-s3-'));
  const s3 = await startLocalS3('bench');
  try {
    const wide = await measure(s3, dir, 'wide', rows, runs);
    const long = await measure(s3, dir, 'long', rows, runs);
    const ratio = wide.ours / wide.baseline;
    return {
      name: 's3-csv',
      unit: 'rows/s',
      ours: wide.ours,
      baselineName: 'csv-parse alone (same object, same s3rver)',
      baseline: wide.baseline,
      ratio,
      goal: '≥50 % of csv-parse alone',
      met: ratio >= 0.5,
      notes:
        `${rows} wide GR Cup rows (${wide.megabytes.toFixed(1)} MB, 15 channels, 20 cars, a frame per row); ` +
        `long GR Cup export shape, ${rows} rows (${long.megabytes.toFixed(1)} MB, a frame per 12 rows): ` +
        `ours ${Math.round(long.ours)} vs ${Math.round(long.baseline)} rows/s (${pct(long.ours / long.baseline)}); ` +
        `ours = list + GET + csv-parse + channel mapping + protobuf + MemoryBus ack + checkpoint; best of ${runs} runs each`,
    };
  } finally {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
