import { ConfigError, type EnvReader } from '@pitwall/config';
import { catalogueFromEnv, kafkaSettingsFromEnv, topicNames, type TopicRole, type TopicSpec } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { KafkaBus } from './kafka-bus';
import { MemoryBus } from './memory-bus';
import type { Bus } from './types';

export interface BusFromEnv {
  bus: Bus;
  catalogue: TopicSpec[];
  topics: Record<TopicRole, string>;
}

/**
 * The bus an app runs on, chosen by the environment: Kafka when KAFKA_BROKERS is set. Without it,
 * a fleet app (one process per app, `memoryFallback: false`) stops with a ConfigError naming the
 * variable, since an in-memory bus in one process could not reach the others; the embedded
 * single process (`memoryFallback: true`) runs on the in-memory bus.
 */
export function busFromEnv(
  ctx: { env: EnvReader; logger: Logger; metrics: Metrics; name: string; fatal?(reason: string, err: Error): void },
  opts: { memoryFallback: boolean },
): BusFromEnv {
  const catalogue = catalogueFromEnv(ctx.env);
  const topics = topicNames(catalogue);
  if (ctx.env.has('KAFKA_BROKERS')) {
    const settings = kafkaSettingsFromEnv(ctx.env, { clientId: `pitwall-${ctx.name}` });
    ctx.logger.info('bus: Kafka', { brokers: settings.brokers, clientId: settings.clientId });
    // Group timing: a dead member's partitions stand still for a session timeout. Live telemetry
    // cannot wait kafkajs' 30 s, so 10 s (Kafka's own default for years), heartbeats every second;
    // a longer one only spares an event loop that stalls for more than 10 s.
    const sessionTimeoutMs = ctx.env.int('KAFKA_SESSION_TIMEOUT_MS', { default: 10_000, min: 1000, max: 3_600_000 });
    const groupTuning = {
      sessionTimeoutMs,
      heartbeatIntervalMs: ctx.env.int('KAFKA_HEARTBEAT_INTERVAL_MS', { default: Math.min(1000, Math.floor(sessionTimeoutMs / 3)), min: 100, max: sessionTimeoutMs }),
      // How long a fetch waits for data. A broker answers as soon as data arrives, so this only
      // bounds an idle poll; librdkafka's mock cluster always waits it out, so a latency
      // measurement over the mock sets it low.
      maxWaitTimeMs: ctx.env.int('KAFKA_FETCH_MAX_WAIT_MS', { default: 1000, min: 1, max: 60_000 }),
    };
    return {
      bus: new KafkaBus({
        settings,
        catalogue,
        logger: ctx.logger.child({ component: 'kafka' }),
        metrics: ctx.metrics,
        groupTuning,
        onFatal: (err) => ctx.fatal?.('a Kafka consumer stopped for good', err),
      }),
      catalogue,
      topics,
    };
  }
  if (!opts.memoryFallback) throw new ConfigError('KAFKA_BROKERS', 'a comma-separated list of host:port (this app runs over Kafka)', undefined);
  const bus = new MemoryBus({
    catalogue,
    maxMessagesPerPartition: ctx.env.int('MEMORY_BUS_MAX_MESSAGES_PER_PARTITION', { default: 100_000, min: 100 }),
    logger: ctx.logger.child({ component: 'memory-bus' }),
    metrics: ctx.metrics,
  });
  ctx.logger.info('bus: in-memory (set KAFKA_BROKERS to use Kafka)');
  return { bus, catalogue, topics };
}
