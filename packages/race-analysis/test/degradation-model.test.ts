import { DEFAULT_DEGRADATION, DegradationModel, SessionAnalyzer } from '../src';
import { feed, insights, laps, stint } from './helpers/frames';
import { gaussian, seededRandom } from './helpers/random';

const TRUE_LOSS = 0.08;

/** Errors |estimate − 0.08| after each lap, for `stints` seeded stints with lap-time noise `sd`. */
function errorsByLap(sd: number, stints: number, lapsPerStint: number): number[][] {
  const rows: number[][] = [];
  for (let seed = 1; seed <= stints; seed++) {
    const noise = gaussian(seededRandom(seed));
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    let cumulative = 0;
    const row: number[] = [];
    for (let age = 0; age < lapsPerStint; age++) {
      const stress = 120 + 5 * noise();
      model.observe({ lapTimeS: 90 + TRUE_LOSS * age + sd * noise(), tyreAgeLaps: age, cumulativeStressAtStart: cumulative, lapStress: stress });
      cumulative += stress;
      row.push(Math.abs(model.estimate().lossPerLapS - TRUE_LOSS));
    }
    rows.push(row);
  }
  return rows;
}

function quantile(rows: number[][], afterLaps: number, q: number): number {
  const sorted = rows.map((r) => r[afterLaps - 1]!).sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function expectFiniteEstimate(model: DegradationModel) {
  const e = model.estimate();
  for (const v of [e.lossPerLapS, e.confidence, e.ageContributionS, e.stressContributionS, e.standardErrorS]) expect(Number.isFinite(v)).toBe(true);
  if (e.lapsUntilHalfSecond !== undefined) expect(Number.isFinite(e.lapsUntilHalfSecond)).toBe(true);
  expect(e.confidence).toBeGreaterThanOrEqual(0);
  expect(e.confidence).toBeLessThanOrEqual(1);
  return e;
}

describe('degradation model convergence (+0.08 s/lap, 300 seeded stints)', () => {
  test('lap-time noise σ = 0.05 s: within ±0.02 s/lap for 95 % of stints after 8 laps, all within ±0.01 after 20', () => {
    const rows = errorsByLap(0.05, 300, 20);
    expect(quantile(rows, 8, 0.95)).toBeLessThanOrEqual(0.02);
    expect(quantile(rows, 20, 1)).toBeLessThanOrEqual(0.01);
  });

  test('lap-time noise σ = 0.1 s: within ±0.02 s/lap for 95 % of stints after 12 laps', () => {
    expect(quantile(errorsByLap(0.1, 300, 12), 12, 0.95)).toBeLessThanOrEqual(0.02);
  });

  test('confidence starts at 0, grows with laps', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    const confidences: number[] = [];
    const noise = gaussian(seededRandom(7));
    for (let age = 0; age < 15; age++) {
      model.observe({ lapTimeS: 90 + 0.08 * age + 0.05 * noise(), tyreAgeLaps: age, cumulativeStressAtStart: 120 * age, lapStress: 120 });
      confidences.push(model.estimate().confidence);
    }
    expect(confidences[0]).toBe(0);
    expect(confidences[2]!).toBeLessThan(0.5);
    expect(confidences[14]!).toBeGreaterThan(0.7);
    expect(confidences[14]!).toBeGreaterThan(confidences[4]!);
  });

  test('laps until 0.5 s loss is 0.5 / loss per lap', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    for (let age = 0; age < 20; age++) model.observe({ lapTimeS: 90 + 0.1 * age, tyreAgeLaps: age, cumulativeStressAtStart: 100 * age, lapStress: 100 });
    const e = expectFiniteEstimate(model);
    expect(e.lossPerLapS).toBeCloseTo(0.1, 3);
    expect(e.lapsUntilHalfSecond!).toBeCloseTo(5, 1);
  });
});

describe('degradation model guards: never NaN or Infinity', () => {
  test('no laps at all', () => {
    const e = expectFiniteEstimate(new DegradationModel(DEFAULT_DEGRADATION));
    expect(e).toMatchObject({ lossPerLapS: 0, confidence: 0, lapsUntilHalfSecond: undefined });
  });

  test('one lap', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    model.observe({ lapTimeS: 90, tyreAgeLaps: 3, cumulativeStressAtStart: 360, lapStress: 120 });
    expect(expectFiniteEstimate(model)).toMatchObject({ lossPerLapS: 0, confidence: 0, lapsUntilHalfSecond: undefined });
  });

  test('identical laps: no degradation, no laps-until figure, for hundreds of laps (no covariance wind-up)', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    for (let age = 0; age < 500; age++) {
      model.observe({ lapTimeS: 90, tyreAgeLaps: age, cumulativeStressAtStart: 120 * age, lapStress: 120 });
      const e = expectFiniteEstimate(model);
      expect(Math.abs(e.lossPerLapS)).toBeLessThan(1e-6);
      expect(e.lapsUntilHalfSecond).toBeUndefined();
    }
    for (const v of model.state.p) expect(Number.isFinite(v)).toBe(true);
  });

  test('zero stress and zero age everywhere (degenerate regressors)', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    for (let i = 0; i < 10; i++) model.observe({ lapTimeS: 90 + (i % 2) * 0.1, tyreAgeLaps: 0, cumulativeStressAtStart: 0, lapStress: 0 });
    expectFiniteEstimate(model);
  });

  test('huge outliers are left out and do not move the estimate', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    const noise = gaussian(seededRandom(3));
    const outcomes: string[] = [];
    for (let age = 0; age < 20; age++) {
      const outlier = age === 6 || age === 13;
      const lapTimeS = outlier ? 900 : 90 + 0.08 * age + 0.05 * noise();
      outcomes.push(model.observe({ lapTimeS, tyreAgeLaps: age, cumulativeStressAtStart: 120 * age, lapStress: 120 }));
    }
    expect(outcomes[6]).toBe('slow-lap');
    expect(outcomes[13]).toBe('slow-lap');
    expect(Math.abs(expectFiniteEstimate(model).lossPerLapS - 0.08)).toBeLessThan(0.02);
  });

  test('a one-second spike inside the slow-lap margin is gated as an outlier', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    for (let age = 0; age < 8; age++) model.observe({ lapTimeS: 90 + 0.05 * age, tyreAgeLaps: age, cumulativeStressAtStart: 100 * age, lapStress: 100 });
    expect(model.observe({ lapTimeS: 93, tyreAgeLaps: 8, cumulativeStressAtStart: 800, lapStress: 100 })).toBe('outlier');
  });

  test('a slow first lap is discarded when real pace appears', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    model.observe({ lapTimeS: 130, tyreAgeLaps: 0, cumulativeStressAtStart: 0, lapStress: 60 });
    expect(model.observe({ lapTimeS: 90, tyreAgeLaps: 1, cumulativeStressAtStart: 60, lapStress: 120 })).toBe('restarted');
    expect(model.estimate().fittedLaps).toBe(1);
  });

  test('non-finite inputs are refused', () => {
    const model = new DegradationModel(DEFAULT_DEGRADATION);
    expect(model.observe({ lapTimeS: Number.NaN, tyreAgeLaps: 0, cumulativeStressAtStart: 0, lapStress: 1 })).toBe('not-finite');
    expect(model.observe({ lapTimeS: 90, tyreAgeLaps: 0, cumulativeStressAtStart: Infinity, lapStress: 1 })).toBe('not-finite');
    expectFiniteEstimate(model);
  });
});

describe('degradation through the analyzer', () => {
  test('a simulated stint with a pit stop: pit laps are not fitted, the estimate is close', () => {
    const noise = gaussian(seededRandom(11));
    const lapTimes = Array.from({ length: 24 }, (_, i) => 100 + TRUE_LOSS * (i < 12 ? i : i - 12) + 0.03 * noise());
    const frames = stint({
      lengthM: 6020,
      lapTimeS: (i) => lapTimes[i]!,
      laps: 24,
      hz: 10,
      counter: 'source',
      extra: (i, f) => ({ gLat: Math.sin(6 * Math.PI * f), gLon: 0.3, inPit: (i === 11 && f > 0.95) || (i === 12 && f < 0.05) }),
    });
    const analyzer = new SessionAnalyzer();
    const out = feed(analyzer, frames);
    const invalid = laps(out).filter((l) => !l.valid).map((l) => l.lap);
    expect(invalid).toEqual([12, 13]);
    const car = analyzer.car('s1', 'car1')!;
    expect(car.statistics.fittedLaps).toBe(21);
    const last = insights(out).filter((i) => i.sector === undefined).pop()!;
    expect(Math.abs(last.predictedLossPerLapSeconds! - TRUE_LOSS)).toBeLessThan(0.02);
    expect(last.lapsUntil_0_5sLoss).toBeCloseTo(0.5 / last.predictedLossPerLapSeconds!, 0);
    expect(last.confidence).toBeGreaterThan(0.5);
    expect(last.topFactors!.map((f) => f.name).sort()).toEqual(['tyre_age', 'tyre_stress']);
    expect(last.explanation).toMatch(/Losing 0\.0\d\d s\/lap/);
    for (const i of insights(out)) expect(Number.isFinite(i.predictedLossPerLapSeconds)).toBe(true);
  });
});
