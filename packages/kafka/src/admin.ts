import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';
import type { Logger } from '@pitwall/logger';
import type { TopicSpec } from './catalogue';
import { describeDifference, planStatus, planTopic, topicConfigs, type ExistingTopic, type TopicResult } from './topic-plan';

export interface KafkaAdminOptions {
  kafka: Kafka;
  brokers: string[];
  logger: Logger;
  /** Longest `connect` keeps trying before it gives up with KafkaUnreachableError. Default 15 s. */
  connectTimeoutMs?: number;
}

/** The brokers did not answer within the connect deadline. */
export class KafkaUnreachableError extends Error {
  constructor(
    readonly brokers: string[],
    readonly waitedMs: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot reach Kafka brokers ${brokers.join(',')} within ${Math.round(waitedMs / 1000)} s: ${why}`, { cause });
    this.name = 'KafkaUnreachableError';
  }
}

/** The cluster lacks a topic-admin API (librdkafka's mock cluster has no controller). */
export class KafkaAdminUnsupportedError extends Error {
  constructor(brokers: string[], operation: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `the cluster at ${brokers.join(',')} cannot ${operation}: it reports no controller (librdkafka's mock cluster has none); ${why}`,
      { cause },
    );
    this.name = 'KafkaAdminUnsupportedError';
  }
}

/** Topic administration: describe, create and reconcile topics against the catalogue. */
export class KafkaAdmin {
  private readonly admin: Admin;
  private hasController: boolean | null = null;

  constructor(private readonly opts: KafkaAdminOptions) {
    this.admin = opts.kafka.admin();
  }

  /** Connects within a bounded time: a dead address fails with a clear error instead of hanging. */
  async connect(): Promise<void> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 15_000;
    this.opts.logger.info('connecting to Kafka', { brokers: this.opts.brokers });
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const attempt = this.admin.connect();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no broker answered')), timeoutMs);
    });
    try {
      await Promise.race([attempt, deadline]);
    } catch (err) {
      attempt.catch(() => undefined);
      // Stops kafkajs's own retry loop, which would otherwise keep the process alive.
      await this.admin.disconnect().catch(() => undefined);
      throw new KafkaUnreachableError(this.opts.brokers, Date.now() - started, err);
    } finally {
      clearTimeout(timer);
    }
    const cluster = await this.admin.describeCluster();
    // librdkafka's mock names controller 0 while its brokers are 1..n: no broker to send admin requests to.
    this.hasController = cluster.brokers.some((b) => b.nodeId === cluster.controller);
    this.opts.logger.info('connected to Kafka', { brokers: cluster.brokers.map((b) => `${b.host}:${b.port}`), controller: cluster.controller });
  }

  async disconnect(): Promise<void> {
    await this.admin.disconnect();
  }

  async partitionsFor(topic: string): Promise<number> {
    const meta = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return meta.topics[0].partitions.length;
  }

  /** What exists of the named topics (absent names are missing from the map). */
  async describeTopics(names: string[]): Promise<Map<string, ExistingTopic>> {
    const all = new Set(await this.admin.listTopics());
    const present = names.filter((n) => all.has(n));
    const out = new Map<string, ExistingTopic>();
    if (present.length === 0) return out;
    const meta = await this.admin.fetchTopicMetadata({ topics: present });
    const configs = await this.adminCall('describe topic configs', () =>
      this.admin.describeConfigs({ resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })), includeSynonyms: false }),
    );
    for (const t of meta.topics) {
      const resource = configs.resources.find((r) => r.resourceName === t.name);
      out.set(t.name, {
        name: t.name,
        partitions: t.partitions.length,
        replicationFactor: Math.max(0, ...t.partitions.map((p) => p.replicas.length)),
        configs: Object.fromEntries((resource?.configEntries ?? []).map((e) => [e.configName, e.configValue])),
      });
    }
    return out;
  }

  /**
   * Creates missing topics and compares existing ones with the catalogue. Config differences and too
   * few partitions are fixed (unless dryRun); too many partitions or another replication factor
   * cannot be, and come back as `mismatch`.
   */
  async ensureTopics(catalogue: TopicSpec[], opts: { dryRun?: boolean } = {}): Promise<TopicResult[]> {
    const dryRun = opts.dryRun ?? false;
    const existing = await this.describeTopics(catalogue.map((t) => t.name));
    const plans = catalogue.map((spec) => planTopic(spec, existing.get(spec.name)));
    const missing = plans.filter((p) => !p.existing).map((p) => p.spec);
    if (missing.length > 0 && !dryRun) {
      await this.adminCall('create topics', () =>
        this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: spec.name,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            configEntries: Object.entries(topicConfigs(spec)).map(([name, value]) => ({ name, value })),
          })),
        }),
      );
    }
    const results: TopicResult[] = [];
    for (const plan of plans) {
      const status = planStatus(plan, dryRun);
      if (!dryRun && plan.existing) {
        if (Object.keys(plan.configChanges).length > 0) await this.alterTopicConfigs(plan.spec.name, plan.configChanges);
        if (plan.growPartitionsTo !== undefined) {
          const count = plan.growPartitionsTo;
          await this.adminCall('add partitions', () => this.admin.createPartitions({ topicPartitions: [{ topic: plan.spec.name, count }] }));
        }
      }
      results.push({ topic: plan.spec.name, spec: plan.spec, status, details: plan.differences.map(describeDifference) });
      this.opts.logger.info('topic checked', { topic: plan.spec.name, status, dryRun });
    }
    return results;
  }

  /**
   * AlterConfigs replaces a topic's whole config set, so the topic's other explicit settings are
   * sent along with ours, or they would fall back to broker defaults.
   */
  private async alterTopicConfigs(topic: string, changes: Record<string, string>): Promise<void> {
    const current = await this.admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false });
    const explicit = (current.resources[0]?.configEntries ?? []).filter(
      (e) => e.configSource === ConfigSource.TOPIC_CONFIG && !e.isSensitive && !e.readOnly,
    );
    const merged: Record<string, string> = { ...Object.fromEntries(explicit.map((e) => [e.configName, e.configValue])), ...changes };
    await this.admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: Object.entries(merged).map(([name, value]) => ({ name, value })) }],
    });
  }

  /** Runs a controller-bound request, naming the real cause when the cluster has no controller. */
  private async adminCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
    if (this.hasController === false) throw new KafkaAdminUnsupportedError(this.opts.brokers, operation, 'no controller in cluster metadata');
    return call();
  }
}
