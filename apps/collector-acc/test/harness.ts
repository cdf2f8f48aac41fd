import { PassThrough } from 'node:stream';
import { MemoryBus, type MemoryBusOptions } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { createLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame, type TelemetryFrame } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { loadCollectorAccConfig, startCollectorAcc, type CollectorAcc } from '../src';

export const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Running {
  collector: CollectorAcc;
  bus: MemoryBus;
  topics: ReturnType<typeof topicNames>;
  metrics: Metrics;
  health: Health;
  frames: TelemetryFrame[];
  /** Every log line the collector wrote, parsed. */
  logs: { level: string; message: string; [k: string]: unknown }[];
  open(): void;
  stop(): Promise<void>;
  counter(name: string, labels?: Record<string, string>): Promise<number>;
}

export const fastEnv = (gamePort: number, extra: Record<string, string> = {}) => ({
  ACC_HOST: '127.0.0.1',
  ACC_UDP_PORT: String(gamePort),
  ACC_CONNECTION_PASSWORD: 'asd',
  ACC_COMMAND_PASSWORD: 'cmd',
  ACC_DISPLAY_NAME: 'pitwall test',
  ACC_UPDATE_INTERVAL_MS: '10',
  ACC_REGISTER_TIMEOUT_MS: '150',
  ACC_DATA_TIMEOUT_MS: '250',
  ACC_RETRY_INITIAL_MS: '20',
  ACC_RETRY_MAX_MS: '200',
  ...extra,
});

export async function run(env: Record<string, string>, opts: { busOptions?: MemoryBusOptions; gated?: boolean; partitions?: number } = {}): Promise<Running> {
  const catalogue = topicCatalogue({ telemetryPartitions: opts.partitions ?? 4 });
  const bus = new MemoryBus({ catalogue, ...opts.busOptions });
  const metrics = new Metrics('collector-acc');
  const health = new Health();
  const frames: TelemetryFrame[] = [];
  const logs: Running['logs'] = [];
  const stream = new PassThrough();
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines.filter(Boolean)) logs.push(JSON.parse(line));
  });
  const logger = createLogger({ service: 'collector-acc', level: 'debug', format: 'json', stream });
  let open: () => void = () => undefined;
  const gate = opts.gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  const topics = topicNames(catalogue);
  await bus.consumer({ groupId: 'test', topics: [topics.telemetry] }).run(async (batch) => {
    await gate;
    for (const m of batch.messages) frames.push(decodeFrame(m.value));
  });
  const collector = await startCollectorAcc({ bus, topics, logger, metrics, health, config: loadCollectorAccConfig(new EnvReader(env)) });
  return {
    collector,
    bus,
    topics,
    metrics,
    health,
    frames,
    logs,
    open: () => open(),
    async stop() {
      open();
      await collector.stop();
      await bus.close();
    },
    counter: (name, labels = {}) => metrics.counter(name, '', Object.keys(labels)).value(labels),
  };
}
