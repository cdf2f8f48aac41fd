import type { MemoryConsumer } from '@pitwall/bus';
import { interleave, stintFrames } from '../src/synthetic-stint';
import { alerts, caughtUp, GROUP, insights, lapKey, laps, metricValue, newBus, publishFrames, recordingBus, SPREAD_SESSIONS, startApp, topics, until } from './harness';

jest.setTimeout(60_000);

describe('aggregator under faults', () => {
  test('a failed output send fails the batch; the redelivery publishes the kept outputs first and nothing is lost', async () => {
    const memory = newBus();
    const { bus } = recordingBus(memory, { topic: topics.laps, times: 2 });
    const frames = stintFrames({ sessionId: 'flaky', carId: '3', laps: 4 });
    await publishFrames(memory, frames);
    const app = await startApp(bus, { maxBatchMessages: 100 });
    await until(() => caughtUp(memory));
    await app.stop();

    expect(await metricValue(app.metrics, 'pitwall_aggregator_publish_failures_total')).toBe(2);
    expect(laps(memory).map((l) => l.lap)).toEqual([1, 2, 3, 4]);
    // Insights of the failed attempts may have gone out twice (the same bytes); none is missing.
    const insightKeys = new Set(insights(memory).map((i) => `${i.lap}:${i.sector ?? 'lap'}`));
    expect(insightKeys.size).toBe(12);
  });

  test('timer outputs whose send failed go out on a later tick, with no frames arriving', async () => {
    const memory = newBus();
    const { bus } = recordingBus(memory, { topic: topics.alerts, times: 1 });
    await publishFrames(memory, stintFrames({ sessionId: 'quiet', carId: '8', laps: 1 }));
    const app = await startApp(bus, { tickMs: 50, idleEvictMs: 60_000 });
    await until(() => caughtUp(memory));
    // The dropout alert 3 s after the last frame: its first send fails, a later tick sends it.
    await until(() => alerts(memory).some((a) => a.code === 'DATA_DROPOUT'), 10_000, 'the dropout alert');
    await app.stop();
    expect(await metricValue(app.metrics, 'pitwall_aggregator_publish_failures_total')).toBe(1);
    expect(alerts(memory).map((a) => `${a.carId}:${a.code}:${a.cleared}`)).toEqual(['8:DATA_DROPOUT:false']);
  });

  test('time spent waiting on a full output topic is not silence: no data dropout after the wait', async () => {
    const memory = newBus(8);
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const gated = memory.consumer({ groupId: 'gated-reader', topics: [topics.insights] });
    await gated.run(() => gate);
    const app = await startApp(memory, { tickMs: 50 });
    const frames = stintFrames({ sessionId: 'held', carId: '6', laps: 5 });
    const publishing = publishFrames(memory, frames);
    await until(() => [0, 1, 2, 3].some((i) => memory.highWatermark(topics.insights, i) === 8), 20_000, 'insights partition full');
    // Held for longer than the dropout time, mid-stint, then released.
    await new Promise((r) => setTimeout(r, 3500));
    openGate();
    await publishing;
    await until(() => caughtUp(memory));
    await app.stop();
    await gated.stop();
    expect(alerts(memory).filter((a) => a.code === 'DATA_DROPOUT')).toEqual([]);
    expect(laps(memory).map((l) => l.lap)).toEqual([1, 2, 3, 4, 5]);
  });

  test('a state reader that does not catch up in time does not block the partitions: they start without state', async () => {
    const memory = newBus();
    const { bus, consumers } = recordingBus(memory);
    const sessions = SPREAD_SESSIONS;
    const frames = interleave(sessions.map((s, i) => stintFrames({ sessionId: s, carId: `${i}`, laps: 4 })));
    const half = Math.floor(frames.length * 0.6); // mid-lap (a half would be right at a line)
    await publishFrames(memory, frames.slice(0, half));
    const one = await startApp(bus, { stateReadTimeoutMs: 200 });
    await until(() => caughtUp(memory));
    // The first instance's state reader stalls; the second joins and the group rebalances.
    const reader = consumers.find((c) => c.opts.groupId.startsWith(`${GROUP}.state.`))!.consumer as MemoryConsumer;
    reader.pause();
    const two = await startApp(bus);
    await publishFrames(memory, frames.slice(half));
    await until(() => caughtUp(memory));

    expect(await metricValue(one.metrics, 'pitwall_aggregator_restores_total', 'result="unread"')).toBe(2);
    const report = await one.health.report();
    expect(report.checks.aggregator!.status).toBe('degraded');
    expect(String(report.checks.aggregator!.detail!.lastRestoreProblem)).toMatch(/did not reach the end within 200 ms/);
    expect(await metricValue(two.metrics, 'pitwall_aggregator_restores_total', 'result="restored"')).toBeGreaterThan(0);
    reader.resume();
    await one.stop();
    await two.stop();
    // Laps in progress on the partitions that lost their state come out partial; none twice.
    const keys = laps(memory).map(lapKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(laps(memory).some((l) => /partial/.test(l.invalidReason ?? ''))).toBe(true);
  });

  test('stopping while an assignment waits for the state reader returns at once and snapshots no empty state', async () => {
    const memory = newBus();
    const { bus, consumers } = recordingBus(memory);
    const frames = interleave(SPREAD_SESSIONS.map((s, i) => stintFrames({ sessionId: s, carId: `${i}`, laps: 3 })));
    const cut = Math.floor(frames.length * 0.6);
    await publishFrames(memory, frames.slice(0, cut));
    const one = await startApp(bus, { stateReadTimeoutMs: 30_000 });
    await until(() => caughtUp(memory));
    (consumers.find((c) => c.opts.groupId.startsWith(`${GROUP}.state.`))!.consumer as MemoryConsumer).pause();
    // The second joins; the first's assignment now waits on its stalled reader, and it is stopped.
    const starting = startApp(bus);
    await new Promise((r) => setTimeout(r, 100));
    const stopStarted = Date.now();
    await one.stop();
    expect(Date.now() - stopStarted).toBeLessThan(5000);
    const two = await starting;
    await publishFrames(memory, frames.slice(cut));
    await until(() => caughtUp(memory));
    await two.stop();

    expect(await metricValue(one.metrics, 'pitwall_aggregator_restores_total', 'result="unread"')).toBe(0);
    // Two at its join, then all four when the first left (the in-memory bus reassigns everything).
    expect(await metricValue(two.metrics, 'pitwall_aggregator_restores_total', 'result="restored"')).toBe(6);
    const all = laps(memory);
    expect(new Set(all.map(lapKey)).size).toBe(3 * SPREAD_SESSIONS.length);
    expect(all.length).toBe(3 * SPREAD_SESSIONS.length);
    expect(all.every((l) => l.valid)).toBe(true);
  });
});
