import { ConfigError, type EnvReader } from '@pitwall/config';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** How to reach the cluster: everything kafkajs needs, validated. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** kafkajs `idempotent` (marked experimental there); forces one request in flight per connection. */
  idempotent: boolean;
  ssl: boolean;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

const saslMechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/**
 * KAFKA_BROKERS (host:port list, required), KAFKA_CLIENT_ID, KAFKA_IDEMPOTENT, KAFKA_SSL,
 * KAFKA_SASL_MECHANISM with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.
 */
export function kafkaSettingsFromEnv(env: EnvReader, defaults: { clientId?: string } = {}): KafkaSettings {
  const settings: KafkaSettings = {
    brokers: env.hostPorts('KAFKA_BROKERS'),
    clientId: env.string('KAFKA_CLIENT_ID', { default: defaults.clientId ?? 'pitwall' }),
    idempotent: env.bool('KAFKA_IDEMPOTENT', { default: false }),
    ssl: env.bool('KAFKA_SSL', { default: false }),
  };
  if (env.has('KAFKA_SASL_MECHANISM')) {
    const mechanism = env.oneOf('KAFKA_SASL_MECHANISM', saslMechanisms);
    settings.sasl = { mechanism, username: env.string('KAFKA_SASL_USERNAME'), password: env.string('KAFKA_SASL_PASSWORD') };
  } else if (env.has('KAFKA_SASL_USERNAME')) {
    throw new ConfigError('KAFKA_SASL_MECHANISM', `one of ${saslMechanisms.join(', ')} (KAFKA_SASL_USERNAME is set)`, undefined);
  }
  return settings;
}
