/**
 * The topic catalogue: every topic pitwall uses, with its partitions, retention, cleanup policy and
 * compression, in one place. `kafka:setup` creates and validates topics from it; the in-memory bus
 * creates its partitions from it; apps look topic names up here, never as string literals.
 */
export type TopicRole = 'telemetry' | 'insights' | 'laps' | 'alerts' | 'sessions' | 'dlq' | 'commands' | 'aggregator_state';

export type CompressionType = 'gzip' | 'none';

export interface TopicSpec {
  role: TopicRole;
  name: string;
  partitions: number;
  replicationFactor: number;
  cleanupPolicy: 'delete' | 'compact';
  /** -1 = keep forever (compacted topics). */
  retentionMs: number;
  /** Broker-side compression.type. kafkajs ships gzip only (its lz4 package breaks on Node 18+, zstd has no official codec). */
  compression: CompressionType;
  description: string;
}

export interface CatalogueOptions {
  /** Topic names by role; defaults are the role names prefixed `telemetry.` (and `telemetry`, `commands`). */
  names?: Partial<Record<TopicRole, string>>;
  telemetryPartitions?: number;
  replicationFactor?: number;
  telemetryRetentionMs?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const defaultTopicNames: Record<TopicRole, string> = {
  telemetry: 'telemetry',
  insights: 'telemetry.insights',
  laps: 'telemetry.laps',
  alerts: 'telemetry.alerts',
  sessions: 'telemetry.sessions',
  dlq: 'telemetry.dlq',
  commands: 'commands',
  aggregator_state: 'telemetry.aggregator-state',
};

export function topicCatalogue(opts: CatalogueOptions = {}): TopicSpec[] {
  const names = { ...defaultTopicNames, ...opts.names };
  const rf = opts.replicationFactor ?? 1;
  const telemetryPartitions = opts.telemetryPartitions ?? 12;
  const spec = (role: TopicRole, rest: Omit<TopicSpec, 'role' | 'name' | 'replicationFactor'>): TopicSpec => ({
    role,
    name: names[role],
    replicationFactor: rf,
    ...rest,
  });
  return [
    spec('telemetry', {
      partitions: telemetryPartitions,
      cleanupPolicy: 'delete',
      retentionMs: opts.telemetryRetentionMs ?? 3 * DAY,
      compression: 'gzip',
      description: 'TelemetryFrame per car sample, key = session id',
    }),
    spec('insights', {
      partitions: telemetryPartitions,
      cleanupPolicy: 'delete',
      retentionMs: 7 * DAY,
      compression: 'gzip',
      description: 'Insight per car after each lap and sector, key = session id',
    }),
    spec('laps', {
      partitions: telemetryPartitions,
      cleanupPolicy: 'delete',
      retentionMs: 30 * DAY,
      compression: 'gzip',
      description: 'LapSummary per completed lap, key = session id',
    }),
    spec('alerts', {
      partitions: telemetryPartitions,
      cleanupPolicy: 'delete',
      retentionMs: 30 * DAY,
      compression: 'gzip',
      description: 'Alert raise/clear per episode, key = session id',
    }),
    spec('sessions', {
      partitions: 3,
      cleanupPolicy: 'compact',
      retentionMs: -1,
      compression: 'gzip',
      description: 'SessionInfo, latest per session id (compacted)',
    }),
    spec('dlq', {
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 14 * DAY,
      compression: 'gzip',
      description: 'Messages that could not be decoded or stored, reason in headers',
    }),
    spec('commands', {
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: 1 * DAY,
      compression: 'none',
      description: 'Command from the pit wall to a source, key = session id',
    }),
    spec('aggregator_state', {
      partitions: 3,
      cleanupPolicy: 'compact',
      retentionMs: -1,
      compression: 'gzip',
      description: "The aggregator's analysis state per input partition, so a restart resumes without recounting laps (compacted)",
    }),
  ];
}

/** Topic names by role, for apps. */
export function topicNames(catalogue: TopicSpec[]): Record<TopicRole, string> {
  return Object.fromEntries(catalogue.map((t) => [t.role, t.name])) as Record<TopicRole, string>;
}
