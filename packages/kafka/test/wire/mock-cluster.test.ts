import * as net from 'node:net';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startMockCluster, type MockCluster } from '@pitwall/kafka-mock';

jest.setTimeout(60_000);

// What the rest of the Kafka wire suite relies on: kafkajs speaks to librdkafka's mock cluster over
// real TCP for metadata, produce, fetch, consumer groups and offset commits, and broker faults bite.
describe('librdkafka mock cluster launcher', () => {
  let cluster: MockCluster;
  let kafka: Kafka;

  beforeAll(async () => {
    cluster = await startMockCluster({ brokers: 3, topics: [{ name: 'mock.t', partitions: 5 }] });
    kafka = new Kafka({ clientId: 'mock-test', brokers: cluster.bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('reports one bootstrap address per broker, and the topics it was asked to create', async () => {
    expect(cluster.bootstrap).toHaveLength(3);
    for (const hp of cluster.bootstrap) expect(hp).toMatch(/^127\.0\.0\.1:\d+$/);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: ['mock.t'] });
      expect(meta.topics[0].partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);
      const { brokers } = await admin.describeCluster();
      expect(brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    } finally {
      await admin.disconnect();
    }
  });

  it('produces, fetches through a consumer group and keeps the committed offsets', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: `v${i}` }));
    await producer.send({ topic: 'mock.t', acks: -1, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'mock-g', retry: { retries: 3 } });
    await consumer.connect();
    await consumer.subscribe({ topic: 'mock.t', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) seen.push(m.value!.toString());
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }]);
            if (seen.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(seen.sort()).toEqual(sent.map((m) => m.value).sort());

    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: 'mock-g', topics: ['mock.t'] });
      const committed = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      expect(committed).toBe(sent.length);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses connections to a broker taken down and accepts them again once up', async () => {
    const [host, port] = cluster.bootstrap[0].split(':');
    const connects = () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(Number(port), host);
        s.once('connect', () => {
          // The mock accepts then closes at once when down; give it the moment to do so.
          s.once('close', () => resolve(false));
          setTimeout(() => {
            s.destroy();
            resolve(true);
          }, 200);
        });
        s.once('error', () => resolve(false));
      });
    expect(await connects()).toBe(true);
    await cluster.brokerDown(1);
    expect(await connects()).toBe(false);
    await cluster.brokerUp(1);
    expect(await connects()).toBe(true);
  });

  it('rejects a command the launcher does not accept, with the reason', async () => {
    await expect(cluster.brokerDown(99)).rejects.toThrow(/down 99/);
    await expect(cluster.createTopic('bad name', 1)).rejects.toThrow(/invalid topic name/);
  });

  it('rejects bad options before starting anything', async () => {
    await expect(startMockCluster({ brokers: 0 })).rejects.toThrow(/brokers must be 1\.\.64/);
    await expect(startMockCluster({ topics: [{ name: 'x', partitions: 0 }] })).rejects.toThrow(/positive partition count/);
  });
});
