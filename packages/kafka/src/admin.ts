import { ConfigResourceTypes, ConfigSource, type Admin } from 'kafkajs';
import { silentLogger, type Logger } from '@pitwall/logger';
import { createKafkaClient, type ClientOptions } from './client';
import { withDeadline } from './deadline';
import type { KafkaSettings } from './settings';
import type { TopicSpec } from './catalogue';
import { describeDifference, planStatus, planTopic, topicConfigs, type ExistingTopic, type TopicResult } from './topic-plan';

export interface KafkaAdminOptions {
  settings: KafkaSettings;
  logger: Logger;
  client?: ClientOptions;
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
    this.admin = createKafkaClient(opts.settings, opts.logger, opts.client).admin();
  }

  private get brokers(): string[] {
    return this.opts.settings.brokers;
  }

  /**
   * Connects within a bounded time: a dead address fails with a clear error instead of hanging.
   * Reachability is probed with throwaway clients that never retry, because a kafkajs client left
   * retrying after a failed connect keeps its timers (and the process) alive for many seconds.
   */
  async connect(): Promise<void> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 15_000;
    const started = Date.now();
    const remaining = () => started + timeoutMs - Date.now();
    this.opts.logger.info('connecting to Kafka', { brokers: this.brokers, timeoutMs });
    let delayMs = 250;
    let lastError: unknown;
    for (;;) {
      // Out of time after a backoff wait: report the last real failure (ECONNREFUSED, ...), not a
      // probe given no time at all.
      if (lastError !== undefined && remaining() <= 0) throw new KafkaUnreachableError(this.brokers, Date.now() - started, lastError);
      try {
        await this.probe(Math.min(remaining(), 5000));
        break;
      } catch (err) {
        lastError = err;
        const wait = Math.min(delayMs, remaining());
        if (wait <= 0) throw new KafkaUnreachableError(this.brokers, Date.now() - started, err);
        this.opts.logger.warn('Kafka not reachable yet', { brokers: this.brokers, error: (err as Error).message, retryInMs: wait });
        await new Promise((r) => setTimeout(r, wait));
        delayMs = Math.min(delayMs * 2, 2000);
      }
    }
    let cluster: Awaited<ReturnType<Admin['describeCluster']>>;
    try {
      cluster = await withDeadline(
        this.admin.connect().then(() => this.admin.describeCluster()),
        Math.max(remaining(), 5000),
      );
    } catch (err) {
      await this.admin.disconnect().catch(() => undefined);
      throw new KafkaUnreachableError(this.brokers, Date.now() - started, err);
    }
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

  /** Each partition's end offset (high watermark), by partition number. */
  async endOffsets(topic: string): Promise<number[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic);
    return offsets.sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
  }

  /**
   * A consumer group's committed offsets (the next offset it reads) by partition number; -1 where it
   * has committed none. Lag per partition = endOffsets − this.
   */
  async committedOffsets(groupId: string, topic: string): Promise<number[]> {
    const [result] = await this.admin.fetchOffsets({ groupId, topics: [topic] });
    return (result?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
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

  private async probe(timeoutMs: number): Promise<void> {
    const admin = createKafkaClient(this.opts.settings, silentLogger(), {
      retry: { retries: 0 },
      connectionTimeoutMs: Math.min(timeoutMs, 3000),
      requestTimeoutMs: timeoutMs,
    }).admin();
    try {
      await withDeadline(
        admin.connect().then(() => admin.describeCluster()),
        timeoutMs,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Runs a controller-bound request, naming the real cause when the cluster has no controller. */
  private async adminCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
    if (this.hasController === false) throw new KafkaAdminUnsupportedError(this.brokers, operation, 'no controller in cluster metadata');
    return call();
  }
}
