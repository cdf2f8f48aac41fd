import { MemoryBus, type MemoryBusOptions } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame, type TelemetryFrame } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { loadCollectorAcConfig, startCollectorAc, type CollectorAc } from '../src';

export const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

export interface Running {
  collector: CollectorAc;
  bus: MemoryBus;
  metrics: Metrics;
  health: Health;
  frames: TelemetryFrame[];
  /** Opens the consumer's gate (it is open unless `gated`). */
  open(): void;
  stop(): Promise<void>;
  counter(name: string, labels?: Record<string, string>): Promise<number>;
}

/** Fast timings so silence and retries happen within a test. */
export const fastEnv = (gamePort: number, extra: Record<string, string> = {}) => ({
  AC_HOST: '127.0.0.1',
  AC_PORT: String(gamePort),
  AC_HANDSHAKE_TIMEOUT_MS: '150',
  AC_DATA_TIMEOUT_MS: '250',
  AC_RETRY_INITIAL_MS: '20',
  AC_RETRY_MAX_MS: '200',
  ...extra,
});

export async function run(env: Record<string, string>, opts: { busOptions?: MemoryBusOptions; gated?: boolean; partitions?: number } = {}): Promise<Running> {
  const catalogue = topicCatalogue({ telemetryPartitions: opts.partitions ?? 4 });
  const bus = new MemoryBus({ catalogue, ...opts.busOptions });
  const metrics = new Metrics('collector-ac');
  const health = new Health();
  const frames: TelemetryFrame[] = [];
  let open!: () => void;
  const gate = opts.gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  if (!opts.gated) open = () => undefined;
  const topics = topicNames(catalogue);
  await bus.consumer({ groupId: 'test', topics: [topics.telemetry] }).run(async (batch) => {
    await gate;
    for (const m of batch.messages) frames.push(decodeFrame(m.value));
  });
  const collector = await startCollectorAc({ bus, topics, logger: silentLogger(), metrics, health, config: loadCollectorAcConfig(new EnvReader(env)) });
  return {
    collector,
    bus,
    metrics,
    health,
    frames,
    open: () => open(),
    async stop() {
      open();
      await collector.stop();
      await bus.close();
    },
    counter: (name, labels = {}) => metrics.counter(name, '', Object.keys(labels)).value(labels),
  };
}
