import type { Bus, MemoryBus, MemoryConsumer, TopicPartition } from '@pitwall/bus';
import type { TelemetryFrame } from '@pitwall/proto';
import {
  alerts,
  SPREAD_SESSIONS,
  caughtUp,
  GROUP,
  insights,
  lapKey,
  laps,
  metricValue,
  newBus,
  publishFrames,
  recordingBus,
  sortedHex,
  startApp,
  stateSnapshots,
  topics,
  until,
} from './harness';
import { interleave, stintFrames } from '../src/synthetic-stint';

jest.setTimeout(60_000);

const twoCars = (sessionId: string, laps: number): TelemetryFrame[] =>
  interleave([
    stintFrames({ sessionId, carId: '13', laps, overRevLap: 2 }),
    stintFrames({ sessionId, carId: '72', laps, baseLapS: 91 }),
  ]);

/** What one instance produces from all the frames, uninterrupted, on a bus of its own. */
async function uninterrupted(frames: TelemetryFrame[]) {
  const bus = newBus();
  await publishFrames(bus, frames);
  const app = await startApp(bus);
  await until(() => caughtUp(bus));
  await app.stop();
  return { bus, laps: sortedHex(bus, topics.laps), insights: sortedHex(bus, topics.insights), alerts: sortedHex(bus, topics.alerts) };
}

const fittedLaps = (bus: ReturnType<typeof newBus>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const snapshot of stateSnapshots(bus).values()) {
    for (const session of snapshot.sessions) for (const car of session.analyzer.cars) out[car.carId] = car.stats.fittedLaps;
  }
  return out;
};

/**
 * The bus, with kafkajs's order of a rebalance for the aggregator's group: a member learns what it
 * lost only once the group has re-formed, so the old owner's onRevoked (its final snapshot) runs
 * while the new owner's onAssigned is already reading the state. `oldOwner` runs its first
 * revocation only after `newOwner`'s first assignment is done: the losing order, every time.
 */
function kafkajsRebalanceOrder(bus: MemoryBus): { oldOwner: Bus; newOwner: Bus } {
  let assignedOnNewOwner!: () => void;
  const newOwnerRestored = new Promise<void>((resolve) => (assignedOnNewOwner = resolve));
  const same = (a: TopicPartition) => (b: TopicPartition) => a.topic === b.topic && a.partition === b.partition;
  const wrap = (consumer: Bus['consumer']): Bus => ({
    kind: bus.kind,
    producer: (opts) => bus.producer(opts),
    consumer,
    partitionsFor: (topic) => bus.partitionsFor(topic),
    close: () => bus.close(),
  });
  const oldOwner = wrap((opts) => {
    if (opts.groupId !== GROUP) return bus.consumer(opts);
    let held: TopicPartition[] | null = null;
    let first = true;
    return bus.consumer({
      ...opts,
      // The in-memory group revokes everything first; kafkajs reports only what moved, afterwards.
      onRevoked: async (partitions) => {
        if (!first) return opts.onRevoked?.(partitions);
        first = false;
        held = partitions;
      },
      onAssigned: async (partitions) => {
        const lost = held?.filter((tp) => !partitions.some(same(tp))) ?? [];
        held = null;
        if (lost.length > 0) {
          await newOwnerRestored;
          await opts.onRevoked?.(lost);
        }
        return opts.onAssigned?.(partitions);
      },
    });
  });
  const newOwner = wrap((opts) => {
    if (opts.groupId !== GROUP) return bus.consumer(opts);
    return bus.consumer({
      ...opts,
      onAssigned: async (partitions) => {
        const starts = await opts.onAssigned?.(partitions);
        assignedOnNewOwner();
        return starts;
      },
    });
  });
  return { oldOwner, newOwner };
}

describe('aggregator delivery and recovery', () => {
  test('commits an input offset only after the outputs of its frames are acknowledged', async () => {
    // Eight messages a partition: the insights partition fills while a gated group holds it.
    const bus = newBus(8);
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const gated = bus.consumer({ groupId: 'gated-reader', topics: [topics.insights] });
    await gated.run(() => gate);
    const app = await startApp(bus);
    const frames = stintFrames({ sessionId: 'acked', carId: '5', laps: 5 });
    const publishing = publishFrames(bus, frames);

    const p = [0, 1, 2, 3].find((i) => bus.highWatermark(topics.telemetry, i) > 0)!;
    const insightPartition = [0, 1, 2, 3].find((i) => bus.highWatermark(topics.insights, i) > 0) ?? -1;
    await until(() => [0, 1, 2, 3].some((i) => bus.highWatermark(topics.insights, i) === 8), 20_000, 'insights partition full');
    // The aggregator now waits on its send: what it has analysed stays uncommitted.
    await new Promise((r) => setTimeout(r, 300));
    const committed = bus.committed(GROUP, topics.telemetry, p)!;
    const analysed = await metricValue(app.metrics, 'pitwall_aggregator_frames_total');
    expect(analysed).toBeGreaterThan(committed);
    expect(committed).toBeLessThan(frames.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(bus.committed(GROUP, topics.telemetry, p)).toBe(committed);
    expect(insightPartition).toBeLessThan(4);

    openGate();
    await publishing;
    await until(() => caughtUp(bus), 20_000, 'input committed after the gate opened');
    await app.stop();
    await gated.stop();
    expect(bus.committed(GROUP, topics.telemetry, p)).toBe(frames.length);
    expect(await metricValue(app.metrics, 'pitwall_aggregator_outputs_total', 'kind="insight"')).toBe(15);
  });

  test('a restart resumes from the state snapshot: no lap twice, and the model keeps counting its laps', async () => {
    const frames = twoCars('restart', 10);
    const reference = await uninterrupted(frames);

    const bus = newBus();
    const cut = Math.floor(frames.length * 0.55);
    await publishFrames(bus, frames.slice(0, cut));
    const first = await startApp(bus);
    await until(() => caughtUp(bus));
    await first.stop();
    const lapsBefore = laps(bus).length;
    const fittedBefore = fittedLaps(bus);

    await publishFrames(bus, frames.slice(cut));
    const second = await startApp(bus);
    await until(() => caughtUp(bus));
    await second.stop();

    expect(await metricValue(second.metrics, 'pitwall_aggregator_restores_total', 'result="restored"')).toBe(1);
    const keys = laps(bus).map(lapKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(lapsBefore).toBeGreaterThan(0);
    expect(keys.length).toBeGreaterThan(lapsBefore);
    // Byte for byte what an uninterrupted run publishes.
    expect(sortedHex(bus, topics.laps)).toEqual(reference.laps);
    expect(sortedHex(bus, topics.insights)).toEqual(reference.insights);
    expect(sortedHex(bus, topics.alerts)).toEqual(reference.alerts);
    // The model carried on from the laps fitted before the restart.
    const fittedAfter = fittedLaps(bus);
    expect(fittedAfter).toEqual(fittedLaps(reference.bus));
    for (const car of ['13', '72']) {
      expect(fittedBefore[car]).toBeGreaterThan(2);
      expect(fittedAfter[car]).toBeGreaterThan(fittedBefore[car]!);
    }
    const lastInsight = insights(bus).filter((i) => i.carId === '13').pop()!;
    expect(lastInsight.explanation).toContain(`over ${fittedAfter['13']} clean laps`);
  });

  /**
   * One instance analyses frames [0, c) but its last snapshot covers only [0, b), then crashes
   * (no final snapshot); a second instance takes over and gets the rest. `keepInput`: another
   * group still needs the frames, so the bus keeps them (as Kafka's retention would); without it
   * the in-memory bus trims what the aggregator committed.
   */
  async function crashAfterUnsnapshottedFrames(frames: TelemetryFrame[], keepInput: boolean) {
    const memory = newBus();
    const { bus, consumers } = recordingBus(memory);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const retention = memory.consumer({ groupId: 'slow-reader', topics: [topics.telemetry] });
    if (keepInput) await retention.run(() => held);
    const a = Math.floor(frames.length * 0.4);
    const b = a + 100;
    // Two laps' worth of frames after the last snapshot, so every car completes a lap in them.
    const c = b + 1800;
    const config = { snapshotEveryBatches: 1_000_000, snapshotIntervalMs: 1500, maxBatchMessages: 100 };
    await publishFrames(memory, frames.slice(0, a));
    const first = await startApp(bus, config);
    await until(() => caughtUp(memory));
    await new Promise((r) => setTimeout(r, 1600));
    await publishFrames(memory, frames.slice(a, b)); // one batch, after the interval: snapshotted
    await until(() => caughtUp(memory));
    await publishFrames(memory, frames.slice(b, c)); // within the interval: not snapshotted
    await until(() => caughtUp(memory));

    const p = [0, 1, 2, 3].find((i) => memory.highWatermark(topics.telemetry, i) > 0)!;
    expect(stateSnapshots(memory).get(p)!.nextOffset).toBe(b);
    expect(memory.committed(GROUP, topics.telemetry, p)).toBe(c);
    const lapsBeforeCrash = laps(memory).map(lapKey);
    const main = consumers.find((x) => x.opts.groupId === GROUP)!.consumer as MemoryConsumer;
    await main.crash();
    await first.stop();

    await publishFrames(memory, frames.slice(c));
    const second = await startApp(bus, config);
    await until(() => caughtUp(memory));
    await second.stop();
    release();
    await retention.stop();
    return { memory, second, lapsBeforeCrash };
  }

  test('after a crash the frames since the last snapshot are analysed again without publishing twice: the result equals an uninterrupted run', async () => {
    const frames = twoCars('crash', 6);
    const reference = await uninterrupted(frames);
    const { memory, second } = await crashAfterUnsnapshottedFrames(frames, true);

    expect(await metricValue(second.metrics, 'pitwall_aggregator_input_gaps_total')).toBe(0);
    // The frames since the snapshot were analysed again: their laps were already published.
    expect(await metricValue(second.metrics, 'pitwall_aggregator_replayed_outputs_total')).toBeGreaterThanOrEqual(2 * 4);
    const keys = laps(memory).map(lapKey);
    expect(new Set(keys).size).toBe(keys.length);
    // Exactly what an uninterrupted run publishes: nothing twice, nothing missing.
    expect(sortedHex(memory, topics.laps)).toEqual(reference.laps);
    expect(sortedHex(memory, topics.insights)).toEqual(reference.insights);
    expect(sortedHex(memory, topics.alerts)).toEqual(reference.alerts);
    expect(fittedLaps(memory)).toEqual(fittedLaps(reference.bus));
  });

  test('after a crash with the frames since the snapshot gone, the partition starts afresh: no lap is published twice', async () => {
    const frames = twoCars('crash-gone', 6);
    const { memory, second, lapsBeforeCrash } = await crashAfterUnsnapshottedFrames(frames, false);

    expect(await metricValue(second.metrics, 'pitwall_aggregator_input_gaps_total')).toBe(1);
    const all = laps(memory);
    const keys = all.map(lapKey);
    expect(lapsBeforeCrash.length).toBeGreaterThanOrEqual(4);
    expect(new Set(keys).size).toBe(keys.length);
    for (const car of ['13', '72']) {
      // Every lap once: those published before the crash stand, the others come from the new start.
      expect(all.filter((l) => l.carId === car).map((l) => l.lap).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    }
    // The model started over at the gap: it has fitted fewer laps than the stint had.
    for (const fitted of Object.values(fittedLaps(memory))) expect(fitted).toBeLessThan(6);
  });

  test('two instances in one group split the partitions and together produce exactly what one produces', async () => {
    const sessions = SPREAD_SESSIONS;
    const frames = interleave(sessions.map((s, i) => stintFrames({ sessionId: s, carId: `${i}`, laps: 4, overRevLap: 1 + (i % 4) })));
    const reference = await uninterrupted(frames);

    const bus = newBus();
    const half = Math.floor(frames.length * 0.6); // mid-lap: the handover carries laps in progress
    await publishFrames(bus, frames.slice(0, half));
    const one = await startApp(bus);
    await until(() => caughtUp(bus));
    // The second joins mid-stint: the first hands over partitions with their state.
    const two = await startApp(bus);
    await publishFrames(bus, frames.slice(half));
    await until(() => caughtUp(bus));
    const owned = async (app: typeof one) => ((await app.health.report()).checks.aggregator!.detail!.partitions as number[]).slice().sort();
    const ownedByOne = await owned(one);
    const ownedByTwo = await owned(two);
    expect(ownedByOne.length).toBe(2);
    expect(ownedByTwo.length).toBe(2);
    expect([...ownedByOne, ...ownedByTwo].sort()).toEqual([0, 1, 2, 3]);
    expect(await metricValue(one.metrics, 'pitwall_aggregator_frames_total')).toBeGreaterThan(half);
    expect(await metricValue(two.metrics, 'pitwall_aggregator_frames_total')).toBeGreaterThan(0);
    expect(await metricValue(two.metrics, 'pitwall_aggregator_restores_total', 'result="restored"')).toBe(2);
    await one.stop();
    await two.stop();

    const keys = laps(bus).map(lapKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.slice().sort()).toEqual(laps(reference.bus).map(lapKey).sort());
    const alertIds = (list: ReturnType<typeof alerts>) => list.map((x) => `${x.alertId}:${x.cleared}`).sort();
    expect(alertIds(alerts(bus))).toEqual(alertIds(alerts(reference.bus)));
    expect(alerts(bus).filter((x) => x.code === 'HIGH_RPM' && !x.cleared)).toHaveLength(sessions.length);
    expect(sortedHex(bus, topics.insights)).toEqual(reference.insights);
  });
  const never = { snapshotEveryBatches: 1_000_000, snapshotIntervalMs: 3_600_000 };
  test.each([
    ['before any output of the partition', never, 0.01],
    ['before any snapshot of the partition', never, 0.6],
    ['with an older snapshot of the partition', { maxBatchMessages: 50, snapshotEveryBatches: 7, snapshotIntervalMs: 3_600_000 }, 0.6],
  ])('a rebalance in kafkajs order (the old owner\'s final snapshot lands after the new owner read the state) %s: laps whole, none twice', async (_, snapshotting, handover) => {
    const sessions = SPREAD_SESSIONS;
    const frames = interleave(sessions.map((s, i) => stintFrames({ sessionId: s, carId: `${i}`, laps: 4, overRevLap: 1 + (i % 4) })));
    const reference = await uninterrupted(frames);

    const bus = newBus();
    // Kafka keeps consumed frames until retention; the in-memory bus trims what every group has
    // committed. A group that holds its first batch stands in for retention.
    let endRetention!: () => void;
    const retained = new Promise<void>((resolve) => (endRetention = resolve));
    const retention = bus.consumer({ groupId: 'retention', topics: [topics.telemetry] });
    await retention.run(() => retained);
    const { oldOwner, newOwner } = kafkajsRebalanceOrder(bus);
    const half = Math.floor(frames.length * handover); // mid-lap: the handover carries laps in progress
    await publishFrames(bus, frames.slice(0, half));
    const one = await startApp(oldOwner, snapshotting);
    await until(() => caughtUp(bus));
    const snapshotsBefore = stateSnapshots(bus);
    const behind = [0, 1, 2, 3].filter((p) => (snapshotsBefore.get(p)?.nextOffset ?? 0) < bus.committed(GROUP, topics.telemetry, p)!);
    const two = await startApp(newOwner, snapshotting);
    await publishFrames(bus, frames.slice(half));
    await until(() => caughtUp(bus));
    // The new owner restored without the old owner's final snapshot: from none, or an older one.
    expect(await metricValue(two.metrics, 'pitwall_aggregator_restores_total', `result="${snapshotsBefore.size === 0 ? 'none' : 'restored'}"`)).toBe(2);
    expect(behind.length).toBeGreaterThan(0);
    await one.stop();
    await two.stop();
    endRetention();
    await retention.stop();

    const keys = laps(bus).map(lapKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(laps(bus).filter((l) => !l.valid).map((l) => `${lapKey(l)}: ${l.invalidReason}`)).toEqual([]);
    expect(sortedHex(bus, topics.laps)).toEqual(reference.laps);
    expect(sortedHex(bus, topics.insights)).toEqual(reference.insights);
  });
});
