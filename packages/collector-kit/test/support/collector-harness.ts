// Runs a collector app in-process over a MemoryBus for its tests, collecting the frames it
// publishes; the app's own harness adds its config and fast timings.
import { MemoryBus, type MemoryBusOptions } from '@pitwall/bus';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger, type Logger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame, type TelemetryFrame } from '@pitwall/proto';
import { Health, type Stoppable } from '@pitwall/service';

export const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a collector's start function gets from the harness (the app adds its config). */
export interface HarnessDeps {
  bus: MemoryBus;
  topics: ReturnType<typeof topicNames>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
}

export interface RunOptions {
  busOptions?: MemoryBusOptions;
  /** Holds the frame consumer until `open()`, to stall the bus. */
  gated?: boolean;
  partitions?: number;
}

export interface RunningCollector<C> {
  collector: C;
  bus: MemoryBus;
  topics: ReturnType<typeof topicNames>;
  metrics: Metrics;
  health: Health;
  frames: TelemetryFrame[];
  /** Opens the consumer's gate (it is open unless `gated`). */
  open(): void;
  stop(): Promise<void>;
  counter(name: string, labels?: Record<string, string>): Promise<number>;
}

/** Starts a consumer of the telemetry topic, then the collector (`app` labels its metrics). */
export async function runCollector<C extends Stoppable>(
  app: string,
  start: (deps: HarnessDeps) => Promise<C>,
  opts: RunOptions & { logger?: Logger } = {},
): Promise<RunningCollector<C>> {
  const catalogue = topicCatalogue({ telemetryPartitions: opts.partitions ?? 4 });
  const bus = new MemoryBus({ catalogue, ...opts.busOptions });
  const metrics = new Metrics(app);
  const health = new Health();
  const frames: TelemetryFrame[] = [];
  let open: () => void = () => undefined;
  const gate = opts.gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  const topics = topicNames(catalogue);
  await bus.consumer({ groupId: 'test', topics: [topics.telemetry] }).run(async (batch) => {
    await gate;
    for (const m of batch.messages) frames.push(decodeFrame(m.value));
  });
  const collector = await start({ bus, topics, logger: opts.logger ?? silentLogger(), metrics, health });
  return {
    collector,
    bus,
    topics,
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
