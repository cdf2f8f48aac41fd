import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MemoryBus, type Consumer } from '@pitwall/bus';
import { DEFAULT_MAPPING } from '@pitwall/channel-map';
import { defaultTopicNames, topicCatalogue } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame, type TelemetryFrame } from '@pitwall/proto';
import { Health, type Stoppable } from '@pitwall/service';
import { startCollectorS3, type CollectorS3Config } from '../src';
import { startLocalS3, type LocalS3 } from '../src/local-s3';

export const until = async (cond: () => boolean | Promise<boolean>, ms = 15_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** s3rver plus a client to fill it, the way a logger upload would. */
export class TestBucket {
  private constructor(
    readonly server: LocalS3,
    readonly client: S3Client,
  ) {}

  static async start(): Promise<TestBucket> {
    const server = await startLocalS3('gr-cup');
    const client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new TestBucket(server, client);
  }

  async put(key: string, body: string | Buffer | Readable, opts: { contentEncoding?: string; contentLength?: number } = {}): Promise<string> {
    const res = await this.client.send(
      new PutObjectCommand({ Bucket: this.server.bucket, Key: key, Body: body, ContentEncoding: opts.contentEncoding, ContentLength: opts.contentLength }),
    );
    return res.ETag!;
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.server.stop();
  }
}

/**
 * The telemetry topic read back by a consumer group, decoded. `hold()` makes the consumer stop
 * committing, so a small MemoryBus fills up and the collector's publish waits for its ack.
 */
export class FrameTap {
  readonly frames: TelemetryFrame[] = [];
  /** Frames seen, also when `keep` is false (large runs count instead of keeping). */
  count = 0;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;
  private consumer!: Consumer;

  constructor(
    readonly bus: MemoryBus,
    private readonly keep = true,
  ) {}

  async start(): Promise<this> {
    this.consumer = this.bus.consumer({ groupId: 'tap', topics: [defaultTopicNames.telemetry], maxBatchMessages: 500 });
    await this.consumer.run(async (batch) => {
      if (this.gate) await this.gate;
      this.count += batch.messages.length;
      if (this.keep) for (const m of batch.messages) this.frames.push(decodeFrame(m.value));
    });
    return this;
  }

  hold(): void {
    this.gate ??= new Promise((r) => (this.open = r));
  }

  release(): void {
    this.open?.();
    this.gate = null;
    this.open = null;
  }

  /** `car|sequence` of every frame, in arrival order. */
  ids(): string[] {
    return this.frames.map((f) => `${f.carId}|${Number(f.sequence)}`);
  }

  async stop(): Promise<void> {
    this.release();
    await this.consumer.stop();
  }
}

export function newBus(maxMessagesPerPartition = 1_000_000): MemoryBus {
  return new MemoryBus({ catalogue: topicCatalogue({ telemetryPartitions: 2 }), maxMessagesPerPartition });
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'collector-s3-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function testConfig(bucket: TestBucket, checkpointFile: string, over: Partial<CollectorS3Config> = {}): CollectorS3Config {
  return {
    bucket: bucket.server.bucket,
    prefix: '',
    endpoint: bucket.server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    pollIntervalMs: 100,
    listPageSize: 1000,
    checkpointFile,
    batchFrames: 500,
    maxOpenSamples: 4096,
    maxDoneObjects: 10_000,
    track: 'barber',
    mapping: DEFAULT_MAPPING,
    ...over,
  };
}

export interface RunningCollector extends Stoppable {
  health: Health;
  metrics: Metrics;
  /** The collector's own health detail. */
  detail(): Promise<Record<string, unknown>>;
}

export async function startCollector(bus: MemoryBus, config: CollectorS3Config): Promise<RunningCollector> {
  const health = new Health();
  const metrics = new Metrics('collector-s3');
  const app = await startCollectorS3({ bus, topics: { ...defaultTopicNames }, logger: silentLogger(), metrics, health, config });
  return {
    health,
    metrics,
    stop: () => app.stop(),
    async detail() {
      const report = await health.report();
      return report.checks['collector-s3']?.detail ?? {};
    },
  };
}

export async function metricValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await metrics.render()).body;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** GR Cup long export: one row per channel, in the column order the exports use. */
export const LONG_HEADER = 'expire_at,lap,meta_event,meta_session,meta_source,meta_time,original_vehicle_id,outing,telemetry_name,telemetry_value,timestamp,vehicle_id,vehicle_number';

export interface LongSample {
  vehicle: string;
  timestamp: string;
  lap: number;
  channels: Record<string, number>;
}

export function longRows(s: LongSample): string[] {
  return Object.entries(s.channels).map(
    ([name, value]) => `,${s.lap},I_R06_2025-09-07,R1,kafka:gr-raw,${s.timestamp},${s.vehicle},0,${name},${value},${s.timestamp},${s.vehicle},${s.vehicle.split('-').pop()}`,
  );
}
