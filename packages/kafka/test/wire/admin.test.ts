import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '@pitwall/logger';
import { KafkaAdmin, KafkaAdminUnsupportedError, topicCatalogue, type TopicSpec } from '../../src';
import { itWithRealCluster, realCluster, startWireCluster, warnSkippedWithoutRealCluster, type WireCluster } from './wire-cluster';

jest.setTimeout(90_000);

describe('KafkaAdmin on the wire', () => {
  let cluster: WireCluster;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    cluster = await startWireCluster([{ name: 'known', partitions: 5 }]);
    admin = new KafkaAdmin({ settings: cluster.settings, logger: silentLogger() });
    await admin.connect();
    warnSkippedWithoutRealCluster('topic creation/fix tests');
  });

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stop();
  });

  it('reads partition counts and end offsets from the cluster', async () => {
    const topic = cluster.topic('known');
    expect(await admin.partitionsFor(topic)).toBe(5);
    expect(await admin.endOffsets(topic)).toEqual([0, 0, 0, 0, 0]);
    const producer = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ partition: 3, value: 'a' }, { partition: 3, value: 'b' }, { partition: 0, value: 'c' }] });
    await producer.disconnect();
    expect(await admin.endOffsets(topic)).toEqual([1, 0, 0, 2, 0]);
  });

  it("reads a group's committed offsets: what the group consumed, -1 where it has committed none", async () => {
    const topic = cluster.topic('known');
    const groupId = `admin-offsets-${Date.now().toString(36)}`;
    expect(await admin.committedOffsets(groupId, topic)).toEqual([-1, -1, -1, -1, -1]);
    const kafka = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ partition: 1, value: 'x' }, { partition: 1, value: 'y' }] });
    await producer.disconnect();
    const end = await admin.endOffsets(topic);
    const total = end.reduce((a, b) => a + b, 0);
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let seen = 0;
      await new Promise<void>((resolve) => {
        void consumer.run({ autoCommitThreshold: 1, eachMessage: async () => void (++seen === total && resolve()) });
      });
      await consumer.commitOffsets([]);
    } finally {
      await consumer.disconnect();
    }
    expect(await admin.committedOffsets(groupId, topic)).toEqual(end.map((e) => (e > 0 ? e : -1)));
  });

  if (!realCluster) {
    it('says plainly that the mock cluster cannot administer topics, instead of a kafkajs internal error', async () => {
      const catalogue = topicCatalogue({ names: { telemetry: cluster.topic('known') } });
      const attempt = admin.ensureTopics(catalogue, { dryRun: true });
      await expect(attempt).rejects.toThrow(KafkaAdminUnsupportedError);
      await expect(attempt).rejects.toThrow(/cannot describe topic configs: it reports no controller/);
    });
  }

  describe('against a real cluster', () => {
    const suffix = `${Date.now().toString(36)}`;
    const spec = (over: Partial<TopicSpec> = {}): TopicSpec => ({
      role: 'telemetry',
      name: `admin-test.${suffix}`,
      partitions: 3,
      replicationFactor: 1,
      cleanupPolicy: 'delete',
      retentionMs: 3_600_000,
      compression: 'gzip',
      description: 'admin wire test',
      ...over,
    });

    afterAll(async () => {
      if (!realCluster) return;
      const raw = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
      await raw.connect();
      await raw.deleteTopics({ topics: [spec().name] }).catch(() => undefined);
      await raw.disconnect();
    });

    itWithRealCluster('reports would-create on a dry run and creates nothing', async () => {
      const [r] = await admin.ensureTopics([spec()], { dryRun: true });
      expect(r.status).toBe('would-create');
      expect((await admin.describeTopics([spec().name])).size).toBe(0);
    });

    itWithRealCluster('creates a missing topic with the catalogue settings, then finds it ok', async () => {
      expect((await admin.ensureTopics([spec()]))[0].status).toBe('created');
      const existing = (await admin.describeTopics([spec().name])).get(spec().name)!;
      expect(existing.partitions).toBe(3);
      expect(existing.configs['retention.ms']).toBe('3600000');
      expect(existing.configs['compression.type']).toBe('gzip');
      expect((await admin.ensureTopics([spec()]))[0].status).toBe('ok');
    });

    itWithRealCluster('fixes configs and grows partitions, reporting would-fix first on a dry run', async () => {
      const wanted = spec({ retentionMs: 7_200_000, partitions: 4 });
      const [dry] = await admin.ensureTopics([wanted], { dryRun: true });
      expect(dry.status).toBe('would-fix');
      expect(dry.details).toEqual(expect.arrayContaining(['partitions: want 4, have 3', 'retention.ms: want 7200000, have 3600000']));
      expect((await admin.ensureTopics([wanted]))[0].status).toBe('fixed');
      const existing = (await admin.describeTopics([wanted.name])).get(wanted.name)!;
      expect(existing.partitions).toBe(4);
      expect(existing.configs['retention.ms']).toBe('7200000');
    });

    itWithRealCluster('reports fewer partitions as a mismatch it cannot fix', async () => {
      const [r] = await admin.ensureTopics([spec({ partitions: 2, retentionMs: 7_200_000 })]);
      expect(r.status).toBe('mismatch');
      expect(r.details).toEqual(['partitions: want 2, have 4 (Kafka cannot remove partitions)']);
    });
  });
});
