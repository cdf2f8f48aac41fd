import {
  createKafkaClient,
  KafkaAdmin,
  KafkaConsumer,
  KafkaProducer,
  type ClientOptions,
  type KafkaConsumerOptions,
  type KafkaSettings,
  type TopicSpec,
} from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { assertConsumerOptions } from './consumer-options';
import type { Bus, Consumer, ConsumerOptions, Producer, ProducerOptions, TopicPartition, TopicPartitionOffset } from './types';

/** Group timing knobs; tests shorten them (librdkafka's mock waits a session timeout for a joiner). */
export type KafkaGroupTuning = Pick<KafkaConsumerOptions, 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'maxWaitTimeMs' | 'maxBytesPerPartition'>;

export interface KafkaBusOptions {
  settings: KafkaSettings;
  /** Compression per topic comes from here. */
  catalogue: TopicSpec[];
  logger: Logger;
  metrics: Metrics;
  client?: ClientOptions;
  /** Defaults for every producer this bus makes; per-call options win. */
  producerDefaults?: ProducerOptions & { ackTimeoutMs?: number };
  groupTuning?: KafkaGroupTuning;
  /** A consumer that kafkajs will not restart: the process should stop (and be restarted). */
  onFatal?(err: Error): void;
}

/** The Bus over Kafka: every producer and consumer shares one kafkajs client. */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: ReturnType<typeof createKafkaClient>;
  private readonly compression: Map<string, TopicSpec['compression']>;
  private readonly producers = new Set<KafkaProducer>();
  private readonly consumers = new Set<KafkaConsumer>();
  private admin: Promise<KafkaAdmin> | null = null;

  constructor(private readonly opts: KafkaBusOptions) {
    this.kafka = createKafkaClient(opts.settings, opts.logger, opts.client);
    this.compression = new Map(opts.catalogue.map((t) => [t.name, t.compression]));
  }

  producer(opts: ProducerOptions = {}): Producer {
    const producer = new KafkaProducer({
      kafka: this.kafka,
      brokers: this.opts.settings.brokers,
      logger: this.opts.logger,
      metrics: this.opts.metrics,
      idempotent: this.opts.settings.idempotent,
      compressionFor: (topic) => this.compression.get(topic) ?? 'none',
      ...this.opts.producerDefaults,
      ...opts,
    });
    this.producers.add(producer);
    const close = producer.close.bind(producer);
    producer.close = async () => {
      this.producers.delete(producer);
      await close();
    };
    return producer;
  }

  consumer(opts: ConsumerOptions): Consumer {
    assertConsumerOptions(opts);
    const { live, ...rest } = opts;
    const consumer = new KafkaConsumer({
      kafka: this.kafka,
      logger: this.opts.logger,
      metrics: this.opts.metrics,
      onFatal: this.opts.onFatal,
      ...this.opts.groupTuning,
      ...rest,
      // Seeks to where each partition ends when assigned (messages arriving meanwhile are kept);
      // with no offsets committed, kafkajs's own start before the seek is the end too.
      ...(live && { fromBeginning: false, onAssigned: (partitions) => this.endsOf(partitions), commitOffsets: false }),
    });
    this.consumers.add(consumer);
    const stop = consumer.stop.bind(consumer);
    consumer.stop = async () => {
      this.consumers.delete(consumer);
      await stop();
    };
    return consumer;
  }

  private async endsOf(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const admin = await this.connectedAdmin();
    const topics = [...new Set(partitions.map((p) => p.topic))];
    const ends = new Map(await Promise.all(topics.map(async (topic) => [topic, await admin.endOffsets(topic)] as const)));
    return partitions.map((p) => ({ ...p, offset: ends.get(p.topic)![p.partition] ?? 0 }));
  }

  async partitionsFor(topic: string): Promise<number> {
    return (await this.connectedAdmin()).partitionsFor(topic);
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await Promise.all([...this.producers].map((p) => p.close()));
    const admin = this.admin;
    this.admin = null;
    if (admin) await (await admin.catch(() => null))?.disconnect();
  }

  private connectedAdmin(): Promise<KafkaAdmin> {
    if (!this.admin) {
      const admin = new KafkaAdmin({ settings: this.opts.settings, logger: this.opts.logger, client: this.opts.client });
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = null));
    }
    return this.admin;
  }
}
