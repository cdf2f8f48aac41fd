import type { TelemetryFrame } from '@pitwall/proto';
import { SessionAnalyzer } from '../src';
import { alerts, feed, frame, stint, T0 } from './helpers/frames';

const MS = 1000;

/** Frames every 50 ms with `fields(i)` for i = 0..n-1. */
function series(n: number, fields: (i: number) => Partial<TelemetryFrame>): TelemetryFrame[] {
  return Array.from({ length: n }, (_, i) => frame({ sequence: i + 1, sourceTimeUs: T0 + i * 50 * MS, lap: 1, ...fields(i) }));
}

function run(frames: TelemetryFrame[]) {
  const analyzer = new SessionAnalyzer();
  return { analyzer, alerts: alerts(feed(analyzer, frames)) };
}

describe('alerts', () => {
  test('HIGH_RPM: raised after 300 ms over the limit, once, cleared below 97 % after the hold, same id', () => {
    // 9100 rpm for 1 s, then 8900 (inside the hysteresis band: stays raised), then 8000.
    const rpm = (i: number) => (i < 20 ? 9100 : i < 40 ? 8900 : 8000);
    const { alerts: a } = run(series(80, (i) => ({ rpm: rpm(i) })));
    expect(a.map((x) => [x.code, x.cleared])).toEqual([['HIGH_RPM', false], ['HIGH_RPM', true]]);
    expect(a[0]!.atUs).toBe(T0 + 300 * MS);
    expect(a[0]!.evidence).toMatchObject({ rpm: 9100, limit_rpm: 9000 });
    // Clear condition from i = 40 (2.0 s), held 1 s.
    expect(a[1]!.atUs).toBe(T0 + 3000 * MS);
    expect(a[1]!.alertId).toBe(a[0]!.alertId);
    expect(a[1]!.evidence!.peak).toBe(9100);
  });

  test('HIGH_RPM: a spike shorter than the hold raises nothing', () => {
    expect(run(series(20, (i) => ({ rpm: i < 5 ? 9500 : 7000 }))).alerts).toEqual([]);
  });

  test('HIGH_RPM: a per-car-model limit replaces the default once the model is known', () => {
    const analyzer = new SessionAnalyzer({ config: { alerts: { rpmLimitByCarModel: { gr86: 7500 } } } });
    const frames = series(20, () => ({ rpm: 7800, carModel: 'Toyota GR86 Cup' }));
    const raised = alerts(feed(analyzer, frames));
    expect(raised.map((x) => [x.code, x.evidence!.limit_rpm])).toEqual([['HIGH_RPM', 7500]]);
    // Same rpm on a car the map does not name: under the 9000 default.
    expect(run(series(20, () => ({ rpm: 7800, carModel: 'Ferrari 488 GT3' }))).alerts).toEqual([]);
  });

  test('TYRE_OVERHEAT: any tyre above the limit for 1 s, clears 5 °C below, evidence per tyre', () => {
    const temps = (i: number) => ({ rl: 90, rr: 90, fl: i < 40 ? 118 : i < 60 ? 112 : 100, fr: 95 });
    const { alerts: a } = run(series(100, (i) => ({ tyreSurfaceTempC: temps(i) })));
    expect(a.map((x) => [x.code, x.cleared])).toEqual([['TYRE_OVERHEAT', false], ['TYRE_OVERHEAT', true]]);
    expect(a[0]!.evidence).toMatchObject({ max_c: 118, tyre_fl_c: 118, tyre_rl_c: 90, limit_c: 115 });
    expect(a[1]!.atUs).toBe(T0 + (60 * 50 + 1000) * MS);
  });

  test('CRASH by deceleration: raised at once, cleared when the car runs again', () => {
    const { alerts: a } = run(series(120, (i) => ({ gLon: i === 10 ? -12 : 0, speedKmh: i < 10 ? 150 : i < 60 ? 0 : 80 })));
    expect(a.map((x) => [x.code, x.cleared])).toEqual([['CRASH', false], ['CRASH', true]]);
    expect(a[0]!.severity).toBe(3);
    expect(a[0]!.evidence).toMatchObject({ g_lon: -12, speed_before_kmh: 150, speed_kmh: 0 });
    expect(a[1]!.atUs).toBe(T0 + (60 * 50 + 1000) * MS);
  });

  test('CRASH by speed drop: 100 km/h lost within 400 ms with no g channel', () => {
    const speed = (i: number) => (i < 10 ? 200 : i < 16 ? 200 - (i - 9) * 25 : 50);
    const { alerts: a } = run(series(30, (i) => ({ speedKmh: speed(i) })));
    expect(a).toHaveLength(1);
    expect(a[0]!.code).toBe('CRASH');
    expect(a[0]!.evidence!.drop_kmh).toBeGreaterThanOrEqual(100);
  });

  test('CRASH: a teleport to the pits (speed to 0 in one frame, in_pit) is not a crash', () => {
    expect(run(series(30, (i) => ({ speedKmh: i < 10 ? 250 : 0, inPit: i >= 10 }))).alerts).toEqual([]);
  });

  test('CRASH: hard braking within the limits raises nothing', () => {
    // 300 → 100 km/h in 2 s is 2.8 g: a normal stop, not a crash.
    expect(run(series(60, (i) => ({ speedKmh: Math.max(100, 300 - i * 5), gLon: -2.8 }))).alerts).toEqual([]);
  });

  test('CRASH: the speed history is bucketed, so a 1 kHz source still sees the whole window', () => {
    const frames = Array.from({ length: 1000 }, (_, i) =>
      frame({ sequence: i + 1, sourceTimeUs: T0 + i * MS, speedKmh: i < 500 ? 250 : Math.max(100, 250 - (i - 500) * 0.5) }),
    );
    // 150 km/h over 300 ms: more than 64 samples, still detected.
    const { alerts: a } = run(frames);
    expect(a.map((x) => x.code)).toEqual(['CRASH']);
  });

  test('LOW_FUEL: below 5 kg for 2 s raises; sloshing under 7 kg does not clear; refuelling does', () => {
    const fuel = (i: number) => (i < 20 ? 6 : i < 80 ? 4.8 : i < 100 ? (i % 2 ? 4.9 : 6.5) : 20);
    const { alerts: a } = run(series(130, (i) => ({ fuelKg: fuel(i) })));
    expect(a.map((x) => [x.code, x.cleared])).toEqual([['LOW_FUEL', false], ['LOW_FUEL', true]]);
    expect(a[0]!.atUs).toBe(T0 + (20 * 50 + 2000) * MS);
    expect(a[0]!.evidence).toMatchObject({ fuel_kg: 4.8, threshold_kg: 5 });
    expect(a[1]!.atUs).toBe(T0 + (100 * 50 + 1000) * MS);
  });

  test('LOW_FUEL: a dip shorter than the hold (fuel sloshing) raises nothing', () => {
    expect(run(series(60, (i) => ({ fuelKg: i % 2 ? 4.9 : 5.2 }))).alerts).toEqual([]);
  });

  test('DATA_DROPOUT: raised by tick after 3 s of silence, once, cleared by the next frame', () => {
    const analyzer = new SessionAnalyzer();
    analyzer.ingest(frame({ sequence: 1, sourceTimeUs: T0 }));
    expect(analyzer.tick(T0 + 2_900 * MS)).toEqual([]);
    const raised = alerts(analyzer.tick(T0 + 3_100 * MS));
    expect(raised.map((x) => [x.code, x.cleared])).toEqual([['DATA_DROPOUT', false]]);
    expect(raised[0]!.evidence!.silent_s).toBeCloseTo(3.1, 6);
    expect(analyzer.tick(T0 + 10_000 * MS)).toEqual([]);
    const cleared = alerts(analyzer.ingest(frame({ sequence: 2, sourceTimeUs: T0 + 12_000 * MS })));
    expect(cleared.map((x) => [x.code, x.cleared, x.alertId])).toEqual([['DATA_DROPOUT', true, raised[0]!.alertId]]);
    expect(cleared[0]!.evidence!.silent_s).toBeCloseTo(12, 6);
  });

  test('LAP_TIME_DROP: a lap over best + 5 % raises, a lap within 2.5 % clears', () => {
    const times = [100, 100.5, 106, 107, 104, 102];
    const frames = stint({ lengthM: 6020, lapTimeS: (i) => times[i]!, laps: times.length, hz: 5, counter: 'source' });
    const extra = stint({ lengthM: 6020, lapTimeS: () => 100, laps: 1, hz: 5, counter: 'source', startUs: T0 + times.reduce((a, b) => a + b) * 1e6, firstSequence: frames.length + 1 });
    const { alerts: a } = run([...frames, ...extra.map((f) => ({ ...f, lap: 7 }))]);
    expect(a.map((x) => [x.code, x.cleared, x.lap])).toEqual([['LAP_TIME_DROP', false, 3], ['LAP_TIME_DROP', true, 6]]);
    expect(a[0]!.evidence).toMatchObject({ lap_time_s: expect.closeTo(106, 2), best_lap_s: expect.closeTo(100, 2) });
  });

  test('evicting a car clears its open alerts', () => {
    const analyzer = new SessionAnalyzer();
    feed(analyzer, series(20, () => ({ rpm: 9500 })));
    const out = alerts(analyzer.evictIdle(T0 + 60_000 * MS, 10_000 * MS));
    expect(out.map((x) => [x.code, x.cleared])).toEqual([['HIGH_RPM', true]]);
  });
});
