import { ConfigError, type EnvReader } from '@pitwall/config';
import { defaultTopicNames, topicCatalogue, type TopicRole, type TopicSpec } from './catalogue';

/** Environment variable naming each role's topic, e.g. KAFKA_TOPIC_TELEMETRY. */
export function topicNameVariable(role: TopicRole): string {
  return `KAFKA_TOPIC_${role.toUpperCase()}`;
}

const topicName = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The catalogue with names and sizes from the environment: KAFKA_TOPIC_<ROLE>,
 * KAFKA_TELEMETRY_PARTITIONS, KAFKA_REPLICATION_FACTOR, KAFKA_TELEMETRY_RETENTION_MS.
 */
export function catalogueFromEnv(env: EnvReader): TopicSpec[] {
  const names: Partial<Record<TopicRole, string>> = {};
  for (const role of Object.keys(defaultTopicNames) as TopicRole[]) {
    const variable = topicNameVariable(role);
    if (!env.has(variable)) continue;
    const name = env.string(variable);
    if (!topicName.test(name) || name === '.' || name === '..') {
      throw new ConfigError(variable, 'a Kafka topic name (letters, digits, . _ -, at most 249)', name);
    }
    names[role] = name;
  }
  const catalogue = topicCatalogue({
    names,
    telemetryPartitions: env.int('KAFKA_TELEMETRY_PARTITIONS', { default: 12, min: 1, max: 10_000 }),
    replicationFactor: env.int('KAFKA_REPLICATION_FACTOR', { default: 1, min: 1, max: 32 }),
    telemetryRetentionMs: env.int('KAFKA_TELEMETRY_RETENTION_MS', { default: 3 * 24 * 3_600_000, min: -1 }),
  });
  const seen = new Map<string, TopicRole>();
  for (const t of catalogue) {
    const other = seen.get(t.name);
    if (other) throw new ConfigError(topicNameVariable(t.role), `a name not already used by ${other}`, t.name);
    seen.set(t.name, t.role);
  }
  return catalogue;
}
