import { ConfigError, EnvReader } from '@pitwall/config';
import { catalogueFromEnv, kafkaSettingsFromEnv, topicCatalogue } from '../src';

describe('kafkaSettingsFromEnv', () => {
  it('reads brokers, client id, idempotence and SASL', () => {
    const s = kafkaSettingsFromEnv(
      new EnvReader({
        KAFKA_BROKERS: 'k1:9092, k2:9093',
        KAFKA_CLIENT_ID: 'collector-ac',
        KAFKA_IDEMPOTENT: 'true',
        KAFKA_SSL: '1',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    );
    expect(s).toEqual({ brokers: ['k1:9092', 'k2:9093'], clientId: 'collector-ac', idempotent: true, ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' } });
  });

  it('defaults the optional settings', () => {
    expect(kafkaSettingsFromEnv(new EnvReader({ KAFKA_BROKERS: 'localhost:9092' }), { clientId: 'aggregator' })).toEqual({
      brokers: ['localhost:9092'],
      clientId: 'aggregator',
      idempotent: false,
      ssl: false,
    });
  });

  it.each([
    [{}, /KAFKA_BROKERS: expected a comma-separated list of host:port, got nothing/],
    [{ KAFKA_BROKERS: 'kafka' }, /KAFKA_BROKERS: expected a comma-separated list of host:port, got "kafka"/],
    [{ KAFKA_BROKERS: 'k:1', KAFKA_IDEMPOTENT: 'maybe' }, /KAFKA_IDEMPOTENT/],
    [{ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'gssapi' }, /KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512/],
    [{ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD/],
    [{ KAFKA_BROKERS: 'k:1', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_MECHANISM: expected one of .* \(KAFKA_SASL_USERNAME is set\)/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => kafkaSettingsFromEnv(new EnvReader(env))).toThrow(ConfigError);
    expect(() => kafkaSettingsFromEnv(new EnvReader(env))).toThrow(message);
  });
});

describe('catalogueFromEnv', () => {
  it('takes topic names, telemetry partitions, replication and retention from the environment', () => {
    const catalogue = catalogueFromEnv(
      new EnvReader({
        KAFKA_TOPIC_TELEMETRY: 'team.frames',
        KAFKA_TOPIC_DLQ: 'team.dead',
        KAFKA_TELEMETRY_PARTITIONS: '24',
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_TELEMETRY_RETENTION_MS: '86400000',
      }),
    );
    const byRole = Object.fromEntries(catalogue.map((t) => [t.role, t]));
    expect(byRole.telemetry).toMatchObject({ name: 'team.frames', partitions: 24, replicationFactor: 3, retentionMs: 86_400_000 });
    expect(byRole.dlq).toMatchObject({ name: 'team.dead', replicationFactor: 3 });
    expect(byRole.laps).toMatchObject({ name: 'telemetry.laps', partitions: 24 });
    expect(byRole.sessions).toMatchObject({ partitions: 3, cleanupPolicy: 'compact' });
  });

  it('gives the default catalogue for an empty environment', () => {
    expect(catalogueFromEnv(new EnvReader({}))).toEqual(topicCatalogue());
  });

  it.each([
    [{ KAFKA_TELEMETRY_PARTITIONS: '0' }, /KAFKA_TELEMETRY_PARTITIONS: expected an integer from 1/],
    [{ KAFKA_REPLICATION_FACTOR: 'three' }, /KAFKA_REPLICATION_FACTOR/],
    [{ KAFKA_TOPIC_LAPS: 'laps/with/slashes' }, /KAFKA_TOPIC_LAPS: expected a Kafka topic name/],
    [{ KAFKA_TOPIC_ALERTS: 'telemetry' }, /KAFKA_TOPIC_ALERTS: expected a name not already used by telemetry, got "telemetry"/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => catalogueFromEnv(new EnvReader(env))).toThrow(message);
  });
});
