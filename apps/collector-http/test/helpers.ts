import * as http from 'node:http';
import { MemoryBus, type MemoryBusOptions } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { defaultTopicNames } from '@pitwall/kafka';
import { silentLogger, type Logger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, type TelemetryFrame } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { startCollectorHttp, type CollectorHttp } from '../src/app';
import { loadCollectorHttpConfig } from '../src/config';

export interface Harness {
  app: CollectorHttp;
  bus: MemoryBus;
  metrics: Metrics;
  health: Health;
  /** Frames the test consumer read from the telemetry topic, in arrival order. */
  frames: TelemetryFrame[];
  /** Opens the gate of a gated consumer (no-op otherwise). */
  release(): void;
  url(path: string): string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  bus?: MemoryBusOptions;
  /** The consumer holds every batch until release(): the bus fills and sends wait. */
  gated?: boolean;
  logger?: Logger;
}

/** The real app on 127.0.0.1 (ports 0) over a MemoryBus, with a consumer collecting frames. */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const bus = new MemoryBus({ defaultPartitions: 2, ...opts.bus });
  const metrics = new Metrics('collector-http');
  const health = new Health();
  const frames: TelemetryFrame[] = [];
  let open: () => void = () => {};
  let gate: Promise<void> = opts.gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  const consumer = bus.consumer({ groupId: 'test', topics: [defaultTopicNames.telemetry], maxBatchMessages: 1 });
  await consumer.run(async (batch) => {
    await gate;
    for (const m of batch.messages) frames.push(codecs.frame.decode(m.value));
  });
  const config = loadCollectorHttpConfig(
    new EnvReader({ INGEST_PORT: '0', HOST: '127.0.0.1', UDP_PORT: '0', UDP_HOST: '127.0.0.1', ...opts.env }),
  );
  const app = await startCollectorHttp({ bus, topics: defaultTopicNames, logger: opts.logger ?? silentLogger(), metrics, health, config });
  return {
    app,
    bus,
    metrics,
    health,
    frames,
    release() {
      open();
      gate = Promise.resolve();
    },
    url: (path) => `http://127.0.0.1:${app.port}${path}`,
    async stop() {
      open();
      await app.stop();
      await bus.close();
    },
  };
}

/** Polls until `check` passes or the time is up (then the last failure is thrown). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A POST with http.request (fetch cannot stream a body while watching the response). */
export function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Length-delimited protobuf frames, as `application/x-protobuf; delimited=true` expects. */
export function delimited(frames: TelemetryFrame[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of frames) {
    const bytes = codecs.frame.encode(f);
    const len: number[] = [];
    let n = bytes.length;
    while (n >= 0x80) {
      len.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    len.push(n);
    parts.push(Buffer.from(len), Buffer.from(bytes));
  }
  return Buffer.concat(parts);
}

/** A GR Cup logger point as the team's tooling sends it (shared with channel-map's tests). */
export { grCupPoint } from '../../../packages/channel-map/test/gr-cup-point';

/** A point as the seed realtime server's clients send it (README of server/realtime). */
export function seedPoint(i: number): Record<string, unknown> {
  return {
    meta_time: new Date(Date.UTC(2025, 10, 20, 0, 0, i)).toISOString(),
    track: 'sebring',
    chassis: 'GR86-001',
    lap: 1,
    lapdist_m: 100 + 50 * i,
    speed_kmh: 180,
    accx_can: 0.02,
    accy_can: 0.8,
    Steering_Angle: 12,
    pbrake_f: 0,
    rpm: 6000,
  };
}
