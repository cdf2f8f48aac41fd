import { MemoryBus, type Bus, type Consumer, type ConsumerOptions, type IncomingMessage } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, type Alert, type Insight, type LapSummary, type TelemetryFrame } from '@pitwall/proto';
import { Health, type Stoppable } from '@pitwall/service';
import { loadAggregatorConfig, startAggregator, type AggregatorConfig } from '../src';

export const catalogue = topicCatalogue({ telemetryPartitions: 4 });
export const topics = topicNames(catalogue);
export const GROUP = 'aggregator-test';
/** Sessions whose keys land on every one of the 4 partitions (two on 0 and 2, one on 1 and 3). */
export const SPREAD_SESSIONS = ['s-alpha', 's-bravo', 's-golf', 's-hotel', 's-india', 's-kilo'];

/** The app's config from variables as an operator sets them; timers slow unless a test wants them. */
export function testConfig(overrides: Partial<AggregatorConfig> = {}): AggregatorConfig {
  const env = new EnvReader({ AGGREGATOR_GROUP: GROUP, AGGREGATOR_RPM_LIMITS: 'GR86=7500', AGGREGATOR_TICK_MS: '60000' });
  return { ...loadAggregatorConfig(env), ...overrides };
}

export function newBus(maxMessagesPerPartition?: number): MemoryBus {
  return new MemoryBus({ catalogue, maxMessagesPerPartition });
}

export interface RunningApp extends Stoppable {
  metrics: Metrics;
  health: Health;
}

export async function startApp(bus: Bus, overrides: Partial<AggregatorConfig> = {}): Promise<RunningApp> {
  const metrics = new Metrics('aggregator');
  const health = new Health();
  const app = await startAggregator({ bus, topics, logger: silentLogger(), metrics, health, config: testConfig(overrides) });
  return { stop: () => app.stop(), metrics, health };
}

export async function publishFrames(bus: MemoryBus, frames: TelemetryFrame[]): Promise<void> {
  const producer = bus.producer();
  for (let i = 0; i < frames.length; i += 500) {
    await producer.send(
      topics.telemetry,
      frames.slice(i, i + 500).map((f) => ({ key: f.sessionId!, value: codecs.frame.encode(f) })),
    );
  }
  await producer.close();
}

export const until = async (cond: () => boolean, ms = 20_000, what = 'condition'): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Every telemetry partition committed by the group up to its end. */
export function caughtUp(bus: MemoryBus, group = GROUP): boolean {
  return [0, 1, 2, 3].every((p) => (bus.committed(group, topics.telemetry, p) ?? -1) === bus.highWatermark(topics.telemetry, p));
}

export function messages(bus: MemoryBus, topic: string): IncomingMessage[] {
  return bus.topic(topic).flatMap((part) => part.read(part.logStart, Number.MAX_SAFE_INTEGER));
}

export const laps = (bus: MemoryBus): LapSummary[] => messages(bus, topics.laps).map((m) => codecs.lap.decode(m.value));
export const insights = (bus: MemoryBus): Insight[] => messages(bus, topics.insights).map((m) => codecs.insight.decode(m.value));
export const alerts = (bus: MemoryBus): Alert[] => messages(bus, topics.alerts).map((m) => codecs.alert.decode(m.value));

export const lapKey = (l: LapSummary) => `${l.sessionId}/${l.carId}/${l.lap}`;

/** A metric's value from the text exposition (labels as written, e.g. `kind="lap"`). */
export async function metricValue(metrics: Metrics, name: string, labels = ''): Promise<number> {
  const { body } = await metrics.render();
  const line = body.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/**
 * The bus with a record of the consumers made through it, so a test can crash or pause the app's
 * ones; `failSends` makes that many sends to a topic fail before reaching the bus.
 */
export function recordingBus(bus: MemoryBus, failSends: { topic: string; times: number } = { topic: '', times: 0 }) {
  const consumers: { opts: ConsumerOptions; consumer: Consumer }[] = [];
  let failuresLeft = failSends.times;
  const recording: Bus = {
    kind: bus.kind,
    producer: (opts) => {
      const producer = bus.producer(opts);
      const send = producer.send.bind(producer);
      producer.send = async (topic, msgs) => {
        if (topic === failSends.topic && failuresLeft > 0) {
          failuresLeft--;
          throw new Error(`injected failure sending ${msgs.length} messages to ${topic}`);
        }
        return send(topic, msgs);
      };
      return producer;
    },
    consumer: (opts) => {
      const consumer = bus.consumer(opts);
      consumers.push({ opts, consumer });
      return consumer;
    },
    partitionsFor: (topic) => bus.partitionsFor(topic),
    close: () => bus.close(),
  };
  return { bus: recording, consumers };
}

/** The latest snapshot per input partition on the state topic. */
export function stateSnapshots(bus: MemoryBus): Map<number, { nextOffset: number; sessions: { analyzer: { cars: { carId: string; stats: { fittedLaps: number } }[] } }[] }> {
  const latest = new Map();
  for (const m of messages(bus, topics.aggregator_state)) {
    if (m.headers['pitwall.state'] === 'snapshot') latest.set(Number(m.key), JSON.parse(m.value.toString()));
  }
  return latest;
}

/** Messages as hex strings, sorted: equal multisets compare equal. */
export const sortedHex = (bus: MemoryBus, topic: string): string[] => messages(bus, topic).map((m) => m.value.toString('hex')).sort();
