import { Kafka } from 'kafkajs';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { KafkaProducer } from '../src';

// Option checks and the closed state need no broker: no connection is made before the first send.
describe('KafkaProducer limits', () => {
  const base = { kafka: new Kafka({ brokers: ['127.0.0.1:1'] }), brokers: ['127.0.0.1:1'], logger: silentLogger(), metrics: new Metrics('unit') };

  it.each([
    [{ maxBufferedMessages: 0 }, /maxBufferedMessages must be a positive integer, got 0/],
    [{ maxBatchMessages: 1.5 }, /maxBatchMessages must be a positive integer, got 1.5/],
    [{ lingerMs: -1 }, /lingerMs must be >= 0, got -1/],
  ])('rejects %j', (opts, message) => {
    expect(() => new KafkaProducer({ ...base, ...opts })).toThrow(message);
  });

  it('reports its capacity and refuses sends once closed', async () => {
    const producer = new KafkaProducer({ ...base, maxBufferedMessages: 123 });
    expect(producer.capacity).toBe(123);
    expect(producer.buffered).toBe(0);
    await producer.send('t', []);
    await producer.close();
    await expect(producer.send('t', [{ key: 'k', value: Buffer.from('x') }])).rejects.toThrow('producer closed: cannot send 1 messages to t');
  });
});
