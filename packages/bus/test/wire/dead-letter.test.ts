import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, type TelemetryFrame } from '@pitwall/proto';
import { KafkaBus } from '../../src/kafka-bus';
import { DLQ_HEADERS, withDeadLetter } from '../../src/dead-letter';
import type { IncomingMessage } from '../../src/types';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../kafka/test/wire/wire-cluster';

jest.setTimeout(90_000);

describe('an undecodable frame on the wire', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;
  const metrics = new Metrics('wire-test');

  beforeAll(async () => {
    cluster = await startWireCluster([
      { name: 'frames', partitions: 3 },
      { name: 'dlq', partitions: 1 },
    ]);
    bus = new KafkaBus({ settings: cluster.settings, catalogue: [], logger: silentLogger(), metrics, groupTuning: fastGroup });
  });

  afterAll(async () => {
    await bus?.close();
    await cluster?.stop();
  });

  it('goes to the DLQ with its origin in headers while the partition carries on', async () => {
    const topic = cluster.topic('frames');
    const dlqTopic = cluster.topic('dlq');
    const frame = (sequence: number): TelemetryFrame => ({ sessionId: 'sess-1', carId: 'car-7', sequence, lap: 1 });
    // Field 1, length 255, with 1 byte behind it: protobuf decoding runs off the end.
    const garbage = Buffer.from([0x0a, 0xff, 0x01]);
    const producer = bus.producer();
    await producer.send(topic, [
      { key: 'sess-1', value: codecs.frame.encode(frame(0)) },
      { key: 'sess-1', value: codecs.frame.encode(frame(1)) },
      { key: 'sess-1', value: garbage },
      { key: 'sess-1', value: codecs.frame.encode(frame(3)) },
      { key: 'sess-1', value: codecs.frame.encode(frame(4)) },
    ]);

    const handled: number[] = [];
    let partition = -1;
    const consumer = bus.consumer({ groupId: 'frames-g', topics: [topic] });
    await consumer.run(
      withDeadLetter({ codec: codecs.frame, producer, dlqTopic, groupId: 'frames-g', metrics, logger: silentLogger() }, async (batch) => {
        partition = batch.partition;
        for (const item of batch.items) handled.push(Number(item.value.sequence));
      }),
    );
    await waitFor('the frames after the bad one', () => handled.length === 4);
    await consumer.stop();
    expect(handled).toEqual([0, 1, 3, 4]);

    const dead: IncomingMessage[] = [];
    const dlqReader = bus.consumer({ groupId: 'dlq-reader', topics: [dlqTopic] });
    await dlqReader.run(async (batch) => void dead.push(...batch.messages));
    await waitFor('the dead letter', () => dead.length === 1);
    await dlqReader.stop();
    const [letter] = dead;
    expect(Buffer.compare(letter.value, garbage)).toBe(0);
    expect(letter.key).toBe('sess-1');
    expect(letter.headers[DLQ_HEADERS.reason]).toMatch(/cannot decode pitwall\.v1\.TelemetryFrame/);
    expect(letter.headers[DLQ_HEADERS.topic]).toBe(topic);
    expect(letter.headers[DLQ_HEADERS.partition]).toBe(String(partition));
    expect(letter.headers[DLQ_HEADERS.offset]).toBe('2');
    expect(letter.headers[DLQ_HEADERS.group]).toBe('frames-g');
  });
});
