import { Metrics } from '@pitwall/metrics';
import { silentLogger } from '@pitwall/logger';
import { createKafkaClient, KafkaConsumer, KafkaProducer, KafkaSendError } from '../../src';
import { fastGroup, itWithRealCluster, startWireCluster, waitFor, warnSkippedWithoutRealCluster, type WireCluster } from './wire-cluster';

jest.setTimeout(90_000);

describe('KafkaProducer on the wire', () => {
  let cluster: WireCluster;
  const logger = silentLogger();

  beforeAll(async () => {
    cluster = await startWireCluster([
      { name: 'bp', partitions: 3 },
      { name: 'gz', partitions: 2 },
      { name: 'fail', partitions: 2 },
      { name: 'idem', partitions: 3 },
    ]);
    warnSkippedWithoutRealCluster('idempotent producer test');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const producerFor = (overrides: Partial<ConstructorParameters<typeof KafkaProducer>[0]> = {}, metrics = new Metrics('wire-test')) =>
    new KafkaProducer({ kafka: createKafkaClient(cluster.settings, logger), brokers: cluster.brokers, logger, metrics, ...overrides });

  async function readAll(topic: string, count: number): Promise<string[]> {
    const consumer = new KafkaConsumer({
      kafka: createKafkaClient(cluster.settings, logger),
      logger,
      metrics: new Metrics('wire-test'),
      groupId: `read-${topic}`,
      topics: [topic],
      ...fastGroup,
    });
    const values: string[] = [];
    await consumer.run(async (batch) => void values.push(...batch.messages.map((m) => m.value.toString())));
    await waitFor(`${count} messages on ${topic}`, () => values.length >= count);
    await consumer.stop();
    return values;
  }

  it('holds at most maxBufferedMessages: further sends wait their turn, then all are acknowledged', async () => {
    if (cluster.mock) await cluster.mock.setRtt(-1, 150);
    const topic = cluster.topic('bp');
    const producer = producerFor({ maxBufferedMessages: 100, maxBatchMessages: 40, lingerMs: 0 });
    let maxSeen = 0;
    const sampler = setInterval(() => (maxSeen = Math.max(maxSeen, producer.buffered)), 1);
    const resolvedOrder: number[] = [];
    const started = Date.now();
    const sends = Array.from({ length: 10 }, (_, call) =>
      producer
        .send(topic, Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 5}`, value: Buffer.from(`${call}:${i}`) })))
        .then(() => resolvedOrder.push(call)),
    );
    // More than the whole buffer in one call goes through in slices.
    const big = producer.send(topic, Array.from({ length: 250 }, (_, i) => ({ key: `b${i % 7}`, value: Buffer.from(`big:${i}`) })));
    expect(producer.buffered).toBeLessThanOrEqual(100);
    await Promise.all([...sends, big]);
    clearInterval(sampler);
    if (cluster.mock) await cluster.mock.setRtt(-1, 0);
    expect(maxSeen).toBeLessThanOrEqual(100);
    expect(maxSeen).toBeGreaterThanOrEqual(60);
    expect(producer.buffered).toBe(0);
    // Waiting sends are admitted in arrival order, so they complete in it.
    expect(resolvedOrder).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // 550 messages through a 100-message window of 150 ms round trips cannot be quicker than ~6 trips.
    if (cluster.mock) expect(Date.now() - started).toBeGreaterThanOrEqual(5 * 150);
    await producer.close();
    const values = await readAll(topic, 550);
    expect(new Set(values).size).toBe(550);
  });

  it('sends gzip-compressed batches that consumers read back intact', async () => {
    const topic = cluster.topic('gz');
    const producer = producerFor({ compressionFor: () => 'gzip' });
    const sent = Array.from({ length: 200 }, (_, i) => `gzip payload ${i} ${'x'.repeat(i % 50)}`);
    await producer.send(topic, sent.map((v, i) => ({ key: `k${i % 3}`, value: Buffer.from(v), headers: { n: String(i) } })));
    await producer.close();
    expect((await readAll(topic, sent.length)).sort()).toEqual([...sent].sort());
  });

  it('rejects with the topic, count and brokers once retries are exhausted, without hanging', async () => {
    if (!cluster.mock) {
      console.warn('producer failure test skipped: it takes brokers down, which needs the mock cluster');
      return;
    }
    const topic = cluster.topic('fail');
    const metrics = new Metrics('wire-test');
    const kafka = createKafkaClient(cluster.settings, logger, { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 300 }, requestTimeoutMs: 1000 });
    const producer = producerFor({ kafka, ackTimeoutMs: 1000 }, metrics);
    await producer.send(topic, [{ key: 'a', value: Buffer.from('before') }]);
    await cluster.mock.brokerDown(-1);
    const started = Date.now();
    try {
      const failure = producer.send(topic, [
        { key: 'a', value: Buffer.from('lost-1') },
        { key: 'b', value: Buffer.from('lost-2') },
      ]);
      await expect(failure).rejects.toThrow(KafkaSendError);
      await expect(failure).rejects.toThrow(new RegExp(`could not produce 2 messages to topic ${topic.replace(/\./g, '\\.')} \\(brokers ${cluster.brokers.join(',')}\\)`));
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(producer.buffered).toBe(0);
      expect(await metrics.counter('pitwall_kafka_send_errors_total', '', ['topic']).value({ topic })).toBe(2);
    } finally {
      await cluster.mock.brokerUp(-1);
    }
    // The producer is still usable once the brokers are back.
    await producer.send(topic, [{ key: 'a', value: Buffer.from('after') }]);
    await producer.close();
  });

  itWithRealCluster('produces with the idempotent producer (acks=all, one request in flight)', async () => {
    const topic = cluster.topic('idem');
    const producer = producerFor({ idempotent: true });
    await producer.send(topic, Array.from({ length: 100 }, (_, i) => ({ key: `k${i % 4}`, value: Buffer.from(String(i)) })));
    await producer.close();
    expect((await readAll(topic, 100)).map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
