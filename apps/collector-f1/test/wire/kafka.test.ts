import * as dgram from 'node:dgram';
import { KafkaBus, partitionForKey, type IncomingMessage } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { MAX_CARS } from '@pitwall/f1-udp';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../../packages/kafka/test/wire/wire-cluster';
import { loadCollectorF1Config, startCollectorF1, type CollectorF1 } from '../../src';
import { Rig } from '../support';

jest.setTimeout(90_000);

// The collector over Kafka's wire protocol (librdkafka's mock cluster, or KAFKA_BROKERS): frames
// keyed by session land in one partition in order, SessionInfo on the sessions topic.
describe('collector-f1 publishing to Kafka', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;
  let collector: CollectorF1;
  const client = dgram.createSocket('udp4');

  beforeAll(async () => {
    cluster = await startWireCluster([
      { name: 'telemetry', partitions: 4 },
      { name: 'sessions', partitions: 1 },
    ]);
    const catalogue = topicCatalogue({ telemetryPartitions: 4, names: { telemetry: cluster.topic('telemetry'), sessions: cluster.topic('sessions') } });
    bus = new KafkaBus({ settings: cluster.settings, catalogue, logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
    collector = await startCollectorF1({
      bus,
      topics: topicNames(catalogue),
      logger: silentLogger(),
      metrics: new Metrics('collector-f1'),
      health: new Health(),
      config: loadCollectorF1Config(new EnvReader({ F1_UDP_HOST: '127.0.0.1', F1_UDP_PORT: '0' })),
    });
  });

  afterAll(async () => {
    client.close();
    await collector?.stop();
    await bus?.close();
    await cluster?.stop();
  });

  it('publishes 22 frames per telemetry packet to the session\'s partition, in sequence, and the session info', async () => {
    const rig = new Rig(2024, 2n ** 64n - 2n);
    const sessionId = 'f1:18446744073709551614';
    const send = (b: Buffer) => new Promise<void>((res, rej) => client.send(b, collector.port, '127.0.0.1', (err) => (err ? rej(err) : res())));
    await send(rig.session());
    await send(rig.participants());
    for (let i = 0; i < 3; i++) {
      for (const b of rig.frame()) await send(b);
      rig.advance();
    }

    const frames: IncomingMessage[] = [];
    const sessions: IncomingMessage[] = [];
    const telemetryTopic = cluster.topic('telemetry');
    const consumer = bus.consumer({ groupId: `f1-wire-${Date.now()}`, topics: [telemetryTopic, cluster.topic('sessions')] });
    await consumer.run(async (batch) => {
      (batch.topic === telemetryTopic ? frames : sessions).push(...batch.messages);
    });
    try {
      await waitFor('66 frames', () => frames.length >= 3 * MAX_CARS);
      await waitFor('session info with the grid', () => sessions.some((m) => codecs.session.decode(m.value).cars!.length === MAX_CARS));
    } finally {
      await consumer.stop();
    }
    expect(frames).toHaveLength(3 * MAX_CARS);
    expect(new Set(frames.map((m) => m.key))).toEqual(new Set([sessionId]));
    expect(new Set(frames.map((m) => m.partition))).toEqual(new Set([partitionForKey(sessionId, 4)]));
    const decoded = frames.map((m) => codecs.frame.decode(m.value));
    for (let car = 0; car < MAX_CARS; car++) {
      expect(decoded.filter((f) => f.carId === String(car)).map((f) => Number(f.sequence))).toEqual([1000, 1001, 1002]);
    }
    expect(decoded.every((f) => f.track === 'Suzuka' && (f.driverName ?? '') !== '')).toBe(true);
    expect(sessions.every((m) => m.key === sessionId)).toBe(true);
  });
});
