import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { EnvReader } from '@pitwall/config';
import { startMockCluster, type MockCluster } from '@pitwall/kafka-mock';
import { kafkaSettingsFromEnv, settleLingeringLeaves, type KafkaSettings } from '../../src';

/**
 * Where a Kafka wire test runs: the cluster named by KAFKA_BROKERS when set, otherwise a fresh
 * librdkafka mock cluster for this test file. Topic names get a per-run suffix so runs against a
 * shared real cluster never see each other's messages.
 */
export interface WireCluster {
  brokers: string[];
  settings: KafkaSettings;
  /** The mock, for fault injection; null against a real cluster. */
  mock: MockCluster | null;
  /** This run's name of a topic asked for at start. */
  topic(base: string): string;
  stop(): Promise<void>;
}

export const realCluster = new EnvReader().has('KAFKA_BROKERS');

/** Tests that need a real cluster call this instead of `it` (it prints why it skipped). */
export function itWithRealCluster(name: string, fn: () => Promise<void>, timeoutMs?: number): void {
  if (realCluster) {
    it(name, fn, timeoutMs);
  } else {
    it.skip(`${name} [needs KAFKA_BROKERS: librdkafka's mock has no controller/CreateTopics/idempotent producer]`, fn);
  }
}

export function warnSkippedWithoutRealCluster(what: string): void {
  if (!realCluster) console.warn(`${what}: skipped, they need a real cluster (set KAFKA_BROKERS); librdkafka's mock cluster has no CreateTopics, controller or idempotent producer`);
}

export async function startWireCluster(topics: { name: string; partitions: number }[], opts: { brokers?: number } = {}): Promise<WireCluster> {
  const suffix = randomBytes(3).toString('hex');
  const names = new Map(topics.map((t) => [t.name, `${t.name}.${suffix}`]));
  const topic = (base: string) => {
    const name = names.get(base);
    if (!name) throw new Error(`wire cluster: topic ${base} was not created at start`);
    return name;
  };
  const specs = topics.map((t) => ({ name: topic(t.name), partitions: t.partitions }));
  if (realCluster) {
    const settings = kafkaSettingsFromEnv(new EnvReader(), { clientId: 'pitwall-wire-test' });
    const admin = new Kafka({ brokers: settings.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    if (specs.length > 0) await admin.createTopics({ waitForLeaders: true, topics: specs.map((s) => ({ topic: s.name, numPartitions: s.partitions })) });
    return {
      brokers: settings.brokers,
      settings,
      mock: null,
      topic,
      stop: () =>
        afterLingeringLeaves(async () => {
          if (specs.length > 0) await admin.deleteTopics({ topics: specs.map((s) => s.name) }).catch(() => undefined);
          await admin.disconnect();
        }),
    };
  }
  const mock = await startMockCluster({ brokers: opts.brokers ?? 3, topics: specs });
  return {
    brokers: mock.bootstrap,
    settings: { brokers: mock.bootstrap, clientId: 'pitwall-wire-test', idempotent: false, ssl: false },
    mock,
    topic,
    stop: () => afterLingeringLeaves(() => mock.stop()),
  };
}

const LINGERING_LEAVE_WAIT_MS = 30_000;

/**
 * Stops the cluster once no consumer is still leaving its group in the background (a member
 * stopped during a rebalance). Jest runs the files one after another in this process: kafkajs
 * carrying on after its test file ended loads modules into a torn-down environment, which jest
 * reports only by exiting 1 with every test passed.
 */
async function afterLingeringLeaves(stop: () => Promise<void>): Promise<void> {
  const settled = await settleLingeringLeaves(LINGERING_LEAVE_WAIT_MS);
  await stop();
  if (!settled) throw new Error(`wire cluster: a consumer was still leaving its group ${LINGERING_LEAVE_WAIT_MS} ms after the tests ended`);
}

/** Short group timings: the mock holds a rebalance for a session timeout less one second. */
export const fastGroup = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, maxWaitTimeMs: 200 };

/** Polls until `check` returns true, failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
