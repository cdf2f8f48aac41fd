import { DEFAULT_TYRE_STRESS as C, speedWeight, stressRate, temperatureWeight } from '../src';

describe('tyre stress model', () => {
  test('combined acceleration magnitude at the reference speed, no temps, no steering', () => {
    expect(stressRate(0.6, -0.8, 150, Number.NaN, 1, C)).toBeCloseTo(1, 12);
  });

  test('speed weight: 0.5 at rest, 1 at 150 km/h, capped at 2', () => {
    expect(speedWeight(0, C)).toBe(0.5);
    expect(speedWeight(150, C)).toBe(1);
    expect(speedWeight(300, C)).toBe(1.5);
    expect(speedWeight(900, C)).toBe(2);
    expect(speedWeight(Number.NaN, C)).toBe(1);
  });

  test('temperature weight: 1 in the window, penalised hot and (less) cold, absent tyres ignored', () => {
    expect(temperatureWeight(90, 90, 90, 90, C)).toBe(1);
    // One tyre 10 °C over: mean excess 10 × 0.03 / 4 tyres.
    expect(temperatureWeight(115, 90, 90, 90, C)).toBeCloseTo(1 + 0.3 / 4, 12);
    expect(temperatureWeight(65, 65, Number.NaN, Number.NaN, C)).toBeCloseTo(1.1, 12);
    expect(temperatureWeight(Number.NaN, Number.NaN, Number.NaN, Number.NaN, C)).toBe(1);
    expect(temperatureWeight(400, 400, 400, 400, C)).toBe(C.maxTemperatureWeight);
  });

  test('steering scrub adds to the rate even at zero g', () => {
    expect(stressRate(0, 0, 150, 0.5, 1, C)).toBeCloseTo(0.1, 12);
  });

  test('never NaN or Infinity', () => {
    expect(stressRate(Number.NaN, 0, 100, 0, 1, C)).toBe(0);
    expect(stressRate(Infinity, 0, 100, 0, 1, C)).toBe(0);
  });
});
