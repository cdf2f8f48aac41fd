// The aggregator over Kafka's wire protocol (librdkafka's mock cluster, or KAFKA_BROKERS): laps on
// the laps topic, the state snapshot on the state topic through kafkajs (headers, barrier keys on
// the partitioner kafkajs uses), and a second instance on a new client continuing from it.
import { KafkaBus, type IncomingMessage } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, type LapSummary } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../../packages/kafka/test/wire/wire-cluster';
import { loadAggregatorConfig, startAggregator } from '../../src';
import { interleave, stintFrames } from '../../src/synthetic-stint';
import { SPREAD_SESSIONS } from '../harness';

jest.setTimeout(120_000);

const roles = ['telemetry', 'insights', 'laps', 'alerts', 'dlq', 'aggregator_state'] as const;

describe('aggregator over Kafka', () => {
  let cluster: WireCluster;
  let catalogue: ReturnType<typeof topicCatalogue>;
  const buses: KafkaBus[] = [];
  const newBus = () => {
    const bus = new KafkaBus({ settings: cluster.settings, catalogue, logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    cluster = await startWireCluster(roles.map((r) => ({ name: r, partitions: r === 'aggregator_state' || r === 'dlq' ? 3 : 4 })));
    catalogue = topicCatalogue({ telemetryPartitions: 4, names: Object.fromEntries(roles.map((r) => [r, cluster.topic(r)])) });
  });

  afterAll(async () => {
    for (const bus of buses) await bus.close();
    await cluster?.stop();
  });

  it('publishes laps, snapshots on stop, and a new instance continues the laps in progress', async () => {
    const topics = topicNames(catalogue);
    const config = loadAggregatorConfig(new EnvReader({ AGGREGATOR_GROUP: 'wire-aggregator', AGGREGATOR_TICK_MS: '60000' }));
    const frames = interleave([stintFrames({ sessionId: 'wire', carId: '1', laps: 3 }), stintFrames({ sessionId: 'wire', carId: '2', laps: 3, baseLapS: 91 })]);
    const cut = Math.floor(frames.length * 0.55); // mid lap 2
    const feeder = newBus().producer();
    const publish = (part: typeof frames) => feeder.send(topics.telemetry, part.map((f) => ({ key: f.sessionId!, value: codecs.frame.encode(f) })));

    const laps: LapSummary[] = [];
    const state: IncomingMessage[] = [];
    const watcher = newBus();
    const lapReader = watcher.consumer({ groupId: 'wire-laps', topics: [topics.laps, topics.aggregator_state] });
    await lapReader.run(async (batch) => {
      for (const m of batch.messages) {
        if (m.topic === topics.laps) laps.push(codecs.lap.decode(m.value));
        else state.push(m);
      }
    });

    await publish(frames.slice(0, cut));
    const deps = { topics, logger: silentLogger(), health: new Health(), config };
    const first = await startAggregator({ ...deps, bus: newBus(), metrics: new Metrics('first') });
    await waitFor('lap 1 of both cars', () => laps.length === 2, 60_000);
    await first.stop();
    await waitFor('the final snapshot', () => state.some((m) => m.headers['pitwall.state'] === 'snapshot'), 20_000);

    await publish(frames.slice(cut));
    const metrics = new Metrics('second');
    const second = await startAggregator({ ...deps, bus: newBus(), metrics });
    await waitFor('laps 2 and 3 of both cars', () => laps.length >= 6, 60_000);
    await second.stop();

    const keys = laps.map((l) => `${l.carId}/${l.lap}`);
    expect(keys.slice().sort()).toEqual(['1/1', '1/2', '1/3', '2/1', '2/2', '2/3']);
    // Lap 2 was in progress at the handover: restored, it is a whole valid lap, not a partial one.
    expect(laps.every((l) => l.valid)).toBe(true);
    const { body } = await metrics.render();
    expect(body).toMatch(/pitwall_aggregator_restores_total\{[^}]*result="restored"[^}]*\} 1/);
    // The first instance's final snapshot covers every frame it was given.
    const snapshots = state.filter((m) => m.headers['pitwall.state'] === 'snapshot').map((m) => JSON.parse(m.value.toString()));
    expect(snapshots).toContainEqual(expect.objectContaining({ version: 1, topic: topics.telemetry, nextOffset: cut }));
    await lapReader.stop();
  });

  it('a second instance joins mid-stint: the partitions that move carry their state, the kept ones keep theirs', async () => {
    const topics = topicNames(catalogue);
    const config = loadAggregatorConfig(new EnvReader({ AGGREGATOR_GROUP: 'wire-pair', AGGREGATOR_TICK_MS: '60000' }));
    const frames = interleave(SPREAD_SESSIONS.map((s, i) => stintFrames({ sessionId: `pair-${s}`, carId: `${i}`, laps: 3 })));
    const cut = Math.floor(frames.length * 0.55);
    const feeder = newBus().producer();
    const publish = (part: typeof frames) => feeder.send(topics.telemetry, part.map((f) => ({ key: f.sessionId!, value: codecs.frame.encode(f) })));
    const laps: LapSummary[] = [];
    const reader = newBus().consumer({ groupId: 'wire-pair-laps', topics: [topics.laps] });
    await reader.run(async (batch) => {
      for (const m of batch.messages) if (m.key?.startsWith('pair-')) laps.push(codecs.lap.decode(m.value));
    });

    await publish(frames.slice(0, cut));
    const deps = { topics, logger: silentLogger(), config };
    const oneHealth = new Health();
    const twoHealth = new Health();
    const one = await startAggregator({ ...deps, health: oneHealth, bus: newBus(), metrics: new Metrics('one') });
    await waitFor('lap 1 of every car', () => laps.length === SPREAD_SESSIONS.length, 60_000);
    const twoMetrics = new Metrics('two');
    const two = await startAggregator({ ...deps, health: twoHealth, bus: newBus(), metrics: twoMetrics });
    const owned = async (health: Health) => ((await health.report()).checks.aggregator?.detail?.partitions as number[] | undefined) ?? [];
    await waitFor('the partitions split', async () => (await owned(oneHealth)).length === 2 && (await owned(twoHealth)).length === 2, 60_000);
    await publish(frames.slice(cut));
    await waitFor('laps 2 and 3 of every car', () => laps.length >= 3 * SPREAD_SESSIONS.length, 60_000);
    await one.stop();
    await two.stop();
    await reader.stop();

    const keys = laps.map((l) => `${l.sessionId}/${l.lap}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(3 * SPREAD_SESSIONS.length);
    // Lap 2 was in progress at the rebalance on every partition, moved or kept: all whole and valid.
    expect(laps.filter((l) => !l.valid).map((l) => `${l.sessionId}/${l.lap}: ${l.invalidReason}`)).toEqual([]);
    // Each moved partition restored from a snapshot (the old owner's final one, or an older one when
    // the final one landed after the read) or, with none written yet, analysed again from offset 0.
    const { body } = await twoMetrics.render();
    const restores = (result: string) => Number(new RegExp(`pitwall_aggregator_restores_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)`).exec(body)?.[1] ?? 0);
    expect(restores('restored') + restores('none')).toBe(2);
    expect(body).not.toMatch(/pitwall_aggregator_input_gaps_total\{[^}]*\} [1-9]/);
  });
});
