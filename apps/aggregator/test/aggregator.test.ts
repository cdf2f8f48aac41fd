import { DLQ_HEADERS } from '@pitwall/bus';
import { Source } from '@pitwall/proto';
import { alerts, caughtUp, GROUP, insights, laps, messages, metricValue, newBus, publishFrames, startApp, topics, until } from './harness';
import { interleave, stintFrames } from '../src/synthetic-stint';

jest.setTimeout(60_000);

describe('aggregator over the bus', () => {
  test('publishes laps, sector and lap insights and alerts from a multi-lap stint, keyed by session', async () => {
    const bus = newBus();
    const frames = interleave([
      stintFrames({ sessionId: 'gr-cup-race-1', carId: '13', laps: 10, overRevLap: 3 }),
      stintFrames({ sessionId: 'gr-cup-race-1', carId: '72', laps: 10, baseLapS: 91 }),
    ]);
    await publishFrames(bus, frames);
    const app = await startApp(bus);
    await until(() => caughtUp(bus), 20_000, 'input committed');
    await app.stop();

    const byCar = (car: string) => laps(bus).filter((l) => l.carId === car);
    for (const car of ['13', '72']) {
      const carLaps = byCar(car);
      expect(carLaps.map((l) => l.lap)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(carLaps.every((l) => l.valid)).toBe(true);
      // Lap times grow 0.1 s a lap from the stint's base (the speed profile changes them a little).
      const times = carLaps.map((l) => l.lapTimeS!);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(0.1, 1);
      const carInsights = insights(bus).filter((i) => i.carId === car);
      // Barber has three sectors: an insight at the end of the first two, and one for the lap.
      expect(carInsights.map((i) => `${i.lap}:${i.sector ?? 'lap'}`)).toEqual(carLaps.flatMap((l) => [`${l.lap}:0`, `${l.lap}:1`, `${l.lap}:lap`]));
      const last = carInsights[carInsights.length - 1]!;
      expect(last.sector ?? undefined).toBeUndefined();
      expect(last.lap).toBe(10);
      expect(last.predictedLossPerLapSeconds).toBeGreaterThan(0.03);
      expect(last.confidence).toBeGreaterThan(0);
    }

    const raised = alerts(bus).filter((a) => !a.cleared);
    const codes = (car: string) => raised.filter((a) => a.carId === car).map((a) => a.code).sort();
    // Car 13 over-revved past the GR86 limit from AGGREGATOR_RPM_LIMITS; both tyres overheated late in the stint.
    expect(codes('13')).toEqual(['HIGH_RPM', 'TYRE_OVERHEAT']);
    expect(codes('72')).toEqual(['TYRE_OVERHEAT']);
    const overRev = raised.find((a) => a.code === 'HIGH_RPM')!;
    expect(overRev.lap).toBe(3);
    expect(overRev.evidence!.limit_rpm).toBe(7500);
    expect(alerts(bus).some((a) => a.cleared && a.alertId === overRev.alertId)).toBe(true);

    for (const topic of [topics.laps, topics.insights, topics.alerts]) {
      expect(messages(bus, topic).every((m) => m.key === 'gr-cup-race-1')).toBe(true);
    }
    expect(await metricValue(app.metrics, 'pitwall_aggregator_frames_total')).toBe(frames.length);
  });

  test('rpm limits: an F1 car at 12,000 rpm is normal (the F1 default 13,500), 14,000 rpm over-revs', async () => {
    const bus = newBus();
    await publishFrames(bus, interleave([
      stintFrames({ sessionId: 'f1-gp', carId: '0', laps: 2, source: Source.SOURCE_F1, carModel: 'Ferrari', maxRpm: 12_000, overRevLap: 2, overRevRpm: 14_000 }),
      stintFrames({ sessionId: 'f1-gp', carId: '1', laps: 2, source: Source.SOURCE_F1, carModel: 'McLaren', maxRpm: 12_000 }),
    ]));
    const app = await startApp(bus);
    await until(() => caughtUp(bus));
    await app.stop();
    const raised = alerts(bus).filter((a) => !a.cleared);
    expect(raised.map((a) => `${a.carId}:${a.code}`)).toEqual(['0:HIGH_RPM']);
    expect(raised[0]!.evidence!.limit_rpm).toBe(13_500);
  });

  test('an undecodable message goes to the DLQ with its origin and reason, and the partition carries on', async () => {
    const bus = newBus();
    const frames = stintFrames({ sessionId: 'dlq-session', carId: '7', laps: 3 });
    const half = Math.floor(frames.length / 2);
    await publishFrames(bus, frames.slice(0, half));
    const producer = bus.producer();
    await producer.send(topics.telemetry, [{ key: 'dlq-session', value: Buffer.from([0xff, 0xff, 0xff, 0x07]) }]);
    await producer.close();
    await publishFrames(bus, frames.slice(half));
    const app = await startApp(bus);
    await until(() => caughtUp(bus));
    await app.stop();

    const dead = messages(bus, topics.dlq);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.key).toBe('dlq-session');
    expect(dead[0]!.headers[DLQ_HEADERS.topic]).toBe(topics.telemetry);
    expect(Number(dead[0]!.headers[DLQ_HEADERS.offset])).toBe(half);
    expect(dead[0]!.headers[DLQ_HEADERS.group]).toBe(GROUP);
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toMatch(/cannot decode pitwall.v1.TelemetryFrame/);
    // Every lap, including those after the bad message.
    expect(laps(bus).map((l) => l.lap)).toEqual([1, 2, 3]);
  });

  test('on the timer: data dropout on the session clock, then idle cars are closed and forgotten', async () => {
    const bus = newBus();
    const a = stintFrames({ sessionId: 'timers', carId: 'A', laps: 2 });
    const b = stintFrames({ sessionId: 'timers', carId: 'B', laps: 1 }); // silent from a lap before A stops
    await publishFrames(bus, interleave([a, b]));
    const app = await startApp(bus, { tickMs: 50, idleEvictMs: 4000 });
    await until(() => caughtUp(bus));
    const cleared = (car: string) => alerts(bus).some((x) => x.carId === car && x.code === 'DATA_DROPOUT' && x.cleared);
    await until(() => cleared('A') && cleared('B'), 15_000, 'both cars evicted');
    await until(() => laps(bus).length === 5, 2000, 'abandoned laps');
    await new Promise((r) => setTimeout(r, 150));
    expect(await metricValue(app.metrics, 'pitwall_aggregator_cars')).toBe(0);
    expect(await metricValue(app.metrics, 'pitwall_aggregator_sessions')).toBe(0);
    await app.stop();

    const raisedA = alerts(bus).find((x) => x.carId === 'A' && x.code === 'DATA_DROPOUT' && !x.cleared)!;
    // Raised 3 s after A's last frame on the session clock (its source time plus wall time since).
    const lastA = Number(a[a.length - 1]!.sourceTimeUs);
    expect(Number(raisedA.atUs) - lastA).toBeGreaterThanOrEqual(3e6);
    expect(Number(raisedA.atUs) - lastA).toBeLessThan(4e6);
    const summary = (car: string) => laps(bus).filter((l) => l.carId === car).map((l) => `${l.lap}:${l.valid ? 'valid' : l.invalidReason}`);
    expect(summary('A')).toEqual(['1:valid', '2:valid', '3:abandoned before the line']);
    expect(summary('B')).toEqual(['1:valid', '2:abandoned before the line']);
  });

  test('a state record that is not a snapshot of ours is ignored: the partition starts from its committed offset', async () => {
    const bus = newBus();
    const producer = bus.producer();
    const frames = stintFrames({ sessionId: 'odd-state', carId: '4', laps: 2 });
    await publishFrames(bus, frames);
    const p = [0, 1, 2, 3].find((i) => bus.highWatermark(topics.telemetry, i) > 0)!;
    await producer.send(topics.aggregator_state, [
      { key: String(p), value: Buffer.from('{"version":1,"nextOffset":'), headers: { 'pitwall.state': 'snapshot' } },
      { key: 'someone-else', value: Buffer.from('{}') },
    ]);
    await producer.close();
    const app = await startApp(bus);
    await until(() => caughtUp(bus));
    await app.stop();
    expect(await metricValue(app.metrics, 'pitwall_aggregator_state_records_ignored_total', 'reason="unreadable"')).toBe(1);
    expect(await metricValue(app.metrics, 'pitwall_aggregator_restores_total', 'result="restored"')).toBe(0);
    expect(laps(bus).map((l) => l.lap)).toEqual([1, 2]);
  });
});
