import { isSettled, planStatus, planTopic, describeDifference, topicCatalogue, type ExistingTopic, type TopicSpec } from '../src';

const telemetry = topicCatalogue().find((t) => t.role === 'telemetry')!;
const commands = topicCatalogue().find((t) => t.role === 'commands')!;

function existingLike(spec: TopicSpec, over: Partial<ExistingTopic> = {}, configs: Record<string, string> = {}): ExistingTopic {
  return {
    name: spec.name,
    partitions: spec.partitions,
    replicationFactor: spec.replicationFactor,
    configs: {
      'cleanup.policy': spec.cleanupPolicy,
      'retention.ms': String(spec.retentionMs),
      'compression.type': spec.compression === 'none' ? 'uncompressed' : spec.compression,
      'segment.bytes': '1073741824',
      ...configs,
    },
    ...over,
  };
}

describe('planTopic', () => {
  it('plans a creation for a missing topic', () => {
    const plan = planTopic(telemetry, undefined);
    expect(planStatus(plan, false)).toBe('created');
    expect(planStatus(plan, true)).toBe('would-create');
  });

  it('finds a matching topic ok, whatever else the broker reports', () => {
    const plan = planTopic(commands, existingLike(commands));
    expect(plan.differences).toEqual([]);
    expect(planStatus(plan, false)).toBe('ok');
  });

  it('fixes config differences and too few partitions in place', () => {
    const plan = planTopic(telemetry, existingLike(telemetry, { partitions: 6 }, { 'retention.ms': '604800000', 'compression.type': 'producer' }));
    expect(plan.growPartitionsTo).toBe(12);
    expect(plan.configChanges).toEqual({ 'retention.ms': String(telemetry.retentionMs), 'compression.type': 'gzip' });
    expect(plan.differences.map(describeDifference)).toEqual([
      'partitions: want 12, have 6',
      `retention.ms: want ${telemetry.retentionMs}, have 604800000`,
      'compression.type: want gzip, have producer',
    ]);
    expect(planStatus(plan, false)).toBe('fixed');
    expect(planStatus(plan, true)).toBe('would-fix');
  });

  it('cannot fix too many partitions or another replication factor', () => {
    const plan = planTopic(telemetry, existingLike(telemetry, { partitions: 24, replicationFactor: 3 }, { 'cleanup.policy': 'compact' }));
    expect(plan.growPartitionsTo).toBeUndefined();
    expect(plan.differences.map(describeDifference)).toEqual([
      'partitions: want 12, have 24 (Kafka cannot remove partitions)',
      'replication: want 1, have 3 (needs a partition reassignment)',
      'cleanup.policy: want delete, have compact',
    ]);
    expect(planStatus(plan, false)).toBe('mismatch');
    expect(isSettled(planStatus(plan, false))).toBe(false);
    // What it can fix, it still fixes.
    expect(plan.configChanges).toEqual({ 'cleanup.policy': 'delete' });
  });

  it('reports an unreadable config as unknown', () => {
    const existing = existingLike(commands);
    delete existing.configs['retention.ms'];
    expect(planTopic(commands, existing).differences.map(describeDifference)).toEqual([`retention.ms: want ${commands.retentionMs}, have (unknown)`]);
  });
});
