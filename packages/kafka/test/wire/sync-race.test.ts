import { PassThrough } from 'node:stream';
import { createLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { createKafkaClient, KafkaConsumer, type TopicPartitionRef } from '../../src';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from './wire-cluster';

jest.setTimeout(90_000);

type SyncRequest = { memberId: string; groupAssignment: unknown[] };
const Broker = require('kafkajs/src/broker') as { prototype: { syncGroup(this: unknown, request: SyncRequest): Promise<unknown> } };

/**
 * A follower whose SyncGroup reaches the coordinator after the leader's. A real coordinator hands it
 * its assignment; librdkafka's mock answers INVALID_REQUEST. Either way the member must stay one
 * member: no crash, no restart under a new id leaving the old one to hold partitions.
 */
describe('a follower that syncs after the leader', () => {
  let cluster: WireCluster;
  const syncGroup = Broker.prototype.syncGroup;
  /** What the delayed follower's SyncGroup came back with. */
  let delayed: { memberId: string; outcome: string } | null = null;

  beforeAll(async () => {
    cluster = await startWireCluster([{ name: 'race', partitions: 6 }], { brokers: 1 });
    // The first follower SyncGroup (no assignments in it) waits until the leader's has been answered.
    Broker.prototype.syncGroup = async function (this: unknown, request: SyncRequest) {
      if (delayed || request.groupAssignment.length > 0) return syncGroup.call(this, request);
      delayed = { memberId: request.memberId, outcome: 'pending' };
      await new Promise((r) => setTimeout(r, 1500));
      try {
        const answer = await syncGroup.call(this, request);
        delayed.outcome = 'assigned';
        return answer;
      } catch (err) {
        delayed.outcome = (err as { type?: string }).type ?? String(err);
        throw err;
      }
    };
  });

  afterAll(async () => {
    Broker.prototype.syncGroup = syncGroup;
    await cluster?.stop();
  });

  it('joins again under its own member id and both members share the partitions', async () => {
    const topic = cluster.topic('race');
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const logger = createLogger({ service: 'sync-race', level: 'verbose', format: 'json', stream });
    const owned: TopicPartitionRef[][] = [[], []];
    const consumers = [0, 1].map(
      (i) =>
        new KafkaConsumer({
          kafka: createKafkaClient(cluster.settings, logger),
          logger,
          metrics: new Metrics('wire-test'),
          groupId: 'sync-race',
          topics: [topic],
          ...fastGroup,
          onAssigned: async (partitions) => void (owned[i] = partitions),
          onRevoked: async () => void (owned[i] = []),
        }),
    );
    try {
      await consumers[0]!.run(async () => undefined);
      await waitFor('the first member to own every partition', () => owned[0]!.length === 6);
      await consumers[1]!.run(async () => undefined);
      await waitFor('both members to own partitions', () => owned[0]!.length > 0 && owned[1]!.length > 0 && owned[0]!.length + owned[1]!.length === 6, 60_000);

      // The race happened, and the late follower was refused, not crashed.
      expect(delayed).toEqual({ memberId: expect.any(String), outcome: 'REBALANCE_IN_PROGRESS' });
      const crashes = lines.filter((l) => /kafka consumer crashed|Crash:/.test(l));
      expect(crashes).toEqual([]);
      // It joined again under the member id it had: the coordinator knows exactly two members.
      const joins = lines.map((l) => JSON.parse(l) as { message?: string; memberId?: string }).filter((l) => l.message === 'Consumer has joined the group');
      expect(new Set(joins.map((j) => j.memberId)).size).toBe(2);
      expect(joins.map((j) => j.memberId)).toContain(delayed!.memberId);
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
    }
  });
});
