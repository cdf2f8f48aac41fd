import { SessionAnalyzer } from '../src';
import { feed, laps, stint } from './helpers/frames';

describe('lap summary', () => {
  const frames = stint({
    lengthM: 6020,
    lapTimeS: () => 100,
    laps: 3,
    hz: 20,
    counter: 'source',
    // First 40 % of each lap on the throttle, 10 % braking, 1 g lateral throughout, 0.03 kg/s burn.
    extra: (i, f, t) => ({
      throttle: f < 0.4 ? 1 : 0,
      brake: f >= 0.4 && f < 0.5 ? 0.8 : 0,
      gLat: 1,
      gLon: 0,
      fuelKg: 50 - 0.03 * t,
      speedKmh: 180 + 40 * Math.sin(2 * Math.PI * f) + i,
    }),
  });
  const [, lap] = laps(feed(new SessionAnalyzer(), frames));

  test('time, shares, speeds, fuel and frame count', () => {
    expect(lap!.lapTimeS).toBeCloseTo(100, 6);
    expect(lap!.throttleShare).toBeCloseTo(0.4, 2);
    expect(lap!.brakeShare).toBeCloseTo(0.1, 2);
    expect(lap!.maxSpeedKmh).toBeCloseTo(221, 1);
    expect(lap!.avgSpeedKmh).toBeCloseTo(181, 1);
    expect(lap!.fuelUsedKg).toBeCloseTo(3, 3);
    expect(lap!.frames).toBe(2000);
    expect(lap!.valid).toBe(true);
  });

  test('tyre stress: 1 g for 100 s at speed weight 0.5 + 0.5·v/150, sectors sum to the lap', () => {
    // Mean speed 181 km/h → mean weight 0.5 + 0.5 × 181/150 ≈ 1.1033, so ≈ 110.3 g·s.
    expect(lap!.tyreStress).toBeCloseTo(100 * (0.5 + (0.5 * 181) / 150), 0);
    const sum = lap!.sectorTyreStress!.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(lap!.tyreStress!, 9);
    expect(lap!.sectorTyreStress).toHaveLength(3);
  });

  test('fuel is absent when the source has no fuel channel', () => {
    const [first] = laps(feed(new SessionAnalyzer(), stint({ lengthM: 6020, lapTimeS: () => 100, laps: 2, hz: 5, counter: 'source' })));
    expect(first!.fuelUsedKg).toBeUndefined();
  });

  test('NaN and Infinity on the wire read as absent: every figure stays finite', () => {
    const broken = stint({
      lengthM: 6020,
      lapTimeS: () => 100,
      laps: 3,
      hz: 10,
      counter: 'source',
      extra: (_i, f) => ({
        speedKmh: f < 0.5 ? Infinity : 200,
        gLat: Number.NaN,
        gLon: -Infinity,
        fuelKg: f > 0.7 ? Number.NaN : 30,
        tyreSurfaceTempC: { rl: Infinity, rr: 90, fl: Number.NaN, fr: 95 },
        rpm: Number.NaN,
      }),
    });
    const out = feed(new SessionAnalyzer(), broken);
    const numbers: number[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'number') numbers.push(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(out);
    expect(laps(out)).toHaveLength(2);
    expect(numbers.length).toBeGreaterThan(20);
    expect(numbers.every(Number.isFinite)).toBe(true);
  });
});
