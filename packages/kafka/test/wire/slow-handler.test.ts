import { silentLogger } from '@pitwall/logger';
import { Metrics, metricSum } from '@pitwall/metrics';
import { createKafkaClient, KafkaAdmin, KafkaConsumer, KafkaProducer } from '../../src';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from './wire-cluster';

jest.setTimeout(90_000);

/**
 * kafkajs heartbeats between batches only. A handler that runs longer than the session timeout
 * (a write waiting on a slow database) must not get its member evicted: that would rebalance the
 * group and deliver the batch a second time.
 */
describe('a handler slower than the session timeout', () => {
  let cluster: WireCluster;
  const logger = silentLogger();

  beforeAll(async () => {
    cluster = await startWireCluster([{ name: 'slow', partitions: 1 }], { brokers: 1 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('keeps its member in the group, and its batch is committed once', async () => {
    const topic = cluster.topic('slow');
    const producer = new KafkaProducer({ kafka: createKafkaClient(cluster.settings, logger), brokers: cluster.brokers, logger, metrics: new Metrics('wire-test') });
    await producer.send(topic, [{ key: 'k', value: Buffer.from('slow') }]);
    await producer.close();

    const metrics = new Metrics('wire-test');
    const consumer = new KafkaConsumer({ kafka: createKafkaClient(cluster.settings, logger), logger, metrics, groupId: 'slow-handler', topics: [topic], ...fastGroup });
    const deliveries: number[] = [];
    const handlerMs = fastGroup.sessionTimeoutMs * 1.5;
    try {
      await consumer.run(async (batch) => {
        deliveries.push(...batch.messages.map((m) => m.offset));
        await new Promise((r) => setTimeout(r, handlerMs));
      });
      const admin = new KafkaAdmin({ settings: cluster.settings, logger });
      await admin.connect();
      try {
        await waitFor('the slow batch to be committed', async () => (await admin.committedOffsets('slow-handler', topic))[0] === 1, 60_000);
      } finally {
        await admin.disconnect();
      }
      expect(deliveries).toEqual([0]);
      // One group join: the one at start. An eviction would have made it two.
      expect(metricSum((await metrics.render()).body, 'pitwall_kafka_rebalances_total')).toBe(1);
    } finally {
      await consumer.stop();
    }
  });
});
