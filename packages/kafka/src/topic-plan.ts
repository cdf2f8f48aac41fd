import type { CompressionType, TopicSpec } from './catalogue';

/** What the cluster has for one topic. */
export interface ExistingTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic configs as the broker reports them (cleanup.policy, retention.ms, compression.type, …). */
  configs: Record<string, string>;
}

export type TopicStatus = 'ok' | 'created' | 'would-create' | 'fixed' | 'would-fix' | 'mismatch';

/** One difference between the catalogue and the cluster. */
export interface TopicDifference {
  setting: 'partitions' | 'replication' | 'cleanup.policy' | 'retention.ms' | 'compression.type';
  want: string;
  have: string;
  /** Whether kafka:setup can change it in place (configs, more partitions). */
  fixable: boolean;
}

export interface TopicPlan {
  spec: TopicSpec;
  existing?: ExistingTopic;
  differences: TopicDifference[];
  /** Configs to set with alterConfigs, when any differ. */
  configChanges: Record<string, string>;
  /** New partition count, when the topic has fewer than the catalogue. */
  growPartitionsTo?: number;
}

export interface TopicResult {
  topic: string;
  spec: TopicSpec;
  status: TopicStatus;
  /** Readable differences, e.g. `partitions: want 12, have 6 (cannot shrink)`. */
  details: string[];
}

/** Broker value of `compression.type` for a catalogue compression. */
export function brokerCompression(c: CompressionType): string {
  return c === 'none' ? 'uncompressed' : c;
}

/** The topic configs a catalogue entry sets on the broker. */
export function topicConfigs(spec: TopicSpec): Record<string, string> {
  return {
    'cleanup.policy': spec.cleanupPolicy,
    'retention.ms': String(spec.retentionMs),
    'compression.type': brokerCompression(spec.compression),
  };
}

/** Compares one catalogue entry with what exists; pure, so the rules are unit-tested. */
export function planTopic(spec: TopicSpec, existing: ExistingTopic | undefined): TopicPlan {
  const plan: TopicPlan = { spec, existing, differences: [], configChanges: {} };
  if (!existing) return plan;
  if (existing.partitions !== spec.partitions) {
    const fixable = existing.partitions < spec.partitions;
    plan.differences.push({ setting: 'partitions', want: String(spec.partitions), have: String(existing.partitions), fixable });
    if (fixable) plan.growPartitionsTo = spec.partitions;
  }
  if (existing.replicationFactor !== spec.replicationFactor) {
    plan.differences.push({ setting: 'replication', want: String(spec.replicationFactor), have: String(existing.replicationFactor), fixable: false });
  }
  for (const [name, want] of Object.entries(topicConfigs(spec))) {
    const have = existing.configs[name];
    if (have === want) continue;
    plan.differences.push({ setting: name as TopicDifference['setting'], want, have: have ?? '(unknown)', fixable: true });
    plan.configChanges[name] = want;
  }
  return plan;
}

export function describeDifference(d: TopicDifference): string {
  const why = d.fixable ? '' : d.setting === 'partitions' ? ' (Kafka cannot remove partitions)' : ' (needs a partition reassignment)';
  return `${d.setting}: want ${d.want}, have ${d.have}${why}`;
}

/** Status of a compared topic: what was (or would be) done about its differences. */
export function planStatus(plan: TopicPlan, dryRun: boolean): TopicStatus {
  if (!plan.existing) return dryRun ? 'would-create' : 'created';
  if (plan.differences.length === 0) return 'ok';
  if (plan.differences.some((d) => !d.fixable)) return 'mismatch';
  return dryRun ? 'would-fix' : 'fixed';
}

/** Whether the cluster matches (or now matches) the catalogue. */
export function isSettled(status: TopicStatus): boolean {
  return status !== 'mismatch';
}
