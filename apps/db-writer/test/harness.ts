import { Writable } from 'node:stream';
import type { Pool } from 'pg';
import { MemoryBus, MemoryConsumer, type Bus, type Consumer, type ConsumerOptions, type IncomingMessage } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { createLogger, type Logger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, nowMicros, Source, type TelemetryFrame } from '@pitwall/proto';
import { Health, type Stoppable } from '@pitwall/service';
import { loadDbWriterConfig, startDbWriter, type DbWriterConfig } from '../src';

export const catalogue = topicCatalogue({ telemetryPartitions: 4 });
export const topics = topicNames(catalogue);
export const GROUP = 'db-writer-test';
/** Initdb, migrations and a stopped server's restart take seconds on 2 shared cores. */
export const DB_TEST_TIMEOUT_MS = 120_000;

export function testConfig(databaseUrl: string, overrides: Partial<DbWriterConfig> = {}): DbWriterConfig {
  const env = new EnvReader({ DB_WRITER_GROUP: GROUP, DB_WRITER_PROBE_MS: '100', DB_WRITER_RETRY_BACKOFF_MS: '50' });
  return { ...loadDbWriterConfig(env, { databaseUrl }), ...overrides };
}

/** A logger whose JSON lines a test can read back. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service: 'db-writer-test', level: 'debug', format: 'json', stream }), lines };
}

/** A bus that hands out the consumers it makes, so a test can crash the writer's. */
export class CrashableBus implements Bus {
  readonly kind = 'memory' as const;
  readonly consumers: MemoryConsumer[] = [];
  constructor(readonly inner: MemoryBus) {}
  producer: Bus['producer'] = (opts) => this.inner.producer(opts);
  consumer(opts: ConsumerOptions): Consumer {
    const c = this.inner.consumer(opts) as MemoryConsumer;
    this.consumers.push(c);
    return c;
  }
  partitionsFor = (topic: string) => this.inner.partitionsFor(topic);
  close = () => this.inner.close();
}

export interface RunningWriter extends Stoppable {
  health: Health;
  metrics: Metrics;
}

export async function startWriter(bus: Bus, databaseUrl: string, opts: { config?: Partial<DbWriterConfig>; logger?: Logger } = {}): Promise<RunningWriter> {
  const health = new Health();
  const metrics = new Metrics('db-writer');
  const app = await startDbWriter({ bus, topics, logger: opts.logger ?? recordingLogger().logger, metrics, health, config: testConfig(databaseUrl, opts.config) });
  return { stop: () => app.stop(), health, metrics };
}

const BASE_TIME_US = nowMicros() - 3_600_000_000;

/** Frame `sequence` of a car: its time derives from the sequence, so the same frame twice is equal. */
export function frame(sessionId: string, carId: string, sequence: number, overrides: Partial<TelemetryFrame> = {}): TelemetryFrame {
  return {
    sessionId,
    carId,
    source: Source.SOURCE_SIMULATOR,
    sequence,
    sourceTimeUs: BASE_TIME_US + sequence * 10_000,
    ingestTimeUs: BASE_TIME_US + sequence * 10_000 + 100,
    lap: 1 + Math.floor(sequence / 500),
    speedKmh: 100 + (sequence % 150),
    gear: 1 + (sequence % 6),
    ...overrides,
  };
}

/** Frames of `sessions` × `cars`, sequences 1..perCar each, interleaved as cars send them. */
export function frameStream(sessions: string[], cars: number, perCar: number): TelemetryFrame[] {
  const out: TelemetryFrame[] = [];
  for (let seq = 1; seq <= perCar; seq++) for (const s of sessions) for (let c = 0; c < cars; c++) out.push(frame(s, `car-${c}`, seq));
  return out;
}

export async function publishFrames(bus: Bus, frames: TelemetryFrame[], chunk = 500): Promise<void> {
  const producer = bus.producer();
  for (let i = 0; i < frames.length; i += chunk) {
    await producer.send(topics.telemetry, frames.slice(i, i + chunk).map((f) => ({ key: f.sessionId!, value: codecs.frame.encode(f) })));
  }
  await producer.close();
}

export interface StoredCounts {
  total: number;
  distinct: number;
  /** Per session/car: rows, distinct sequences, lowest and highest sequence. */
  cars: { session_id: string; car_id: string; rows: number; distinct_seq: number; min_seq: number; max_seq: number }[];
}

export async function storedFrames(pool: Pool): Promise<StoredCounts> {
  const { rows } = await pool.query<{ session_id: string; car_id: string; rows: string; distinct_seq: string; min_seq: string; max_seq: string }>(
    `SELECT session_id, car_id, count(*) AS rows, count(DISTINCT sequence) AS distinct_seq, min(sequence) AS min_seq, max(sequence) AS max_seq
       FROM frames GROUP BY session_id, car_id ORDER BY session_id, car_id`,
  );
  const cars = rows.map((r) => ({ session_id: r.session_id, car_id: r.car_id, rows: Number(r.rows), distinct_seq: Number(r.distinct_seq), min_seq: Number(r.min_seq), max_seq: Number(r.max_seq) }));
  return { total: cars.reduce((n, c) => n + c.rows, 0), distinct: cars.reduce((n, c) => n + c.distinct_seq, 0), cars };
}

/** What storedFrames must read for a complete, duplicate-free frameStream. */
export function expectedCounts(sessions: string[], cars: number, perCar: number): StoredCounts['cars'] {
  return [...sessions].sort().flatMap((s) =>
    Array.from({ length: cars }, (_, c) => `car-${c}`)
      .sort()
      .map((car_id) => ({ session_id: s, car_id, rows: perCar, distinct_seq: perCar, min_seq: 1, max_seq: perCar })),
  );
}

export const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Messages on a topic from the start (the DLQ). */
export function readTopic(bus: MemoryBus, topic: string): IncomingMessage[] {
  const parts = bus.topic(topic);
  return parts.flatMap((p) => p.read(p.logStart, Number.MAX_SAFE_INTEGER));
}
