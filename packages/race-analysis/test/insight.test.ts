import { newLapState } from '../src/lap-state';
import { buildInsight } from '../src/insight';
import type { DegradationEstimate } from '../src';

const ctx = { sessionId: 's1', carId: 'car1', track: 'sebring' };

function estimate(fields: Partial<DegradationEstimate>): DegradationEstimate {
  return { lossPerLapS: 0, lapsUntilHalfSecond: undefined, confidence: 0, ageContributionS: 0, stressContributionS: 0, fittedLaps: 0, standardErrorS: 0, ...fields };
}

describe('insight', () => {
  const lap = newLapState(3);
  lap.lap = 7;
  lap.sectorStress = [30, 50, 20];
  lap.stress = 100;

  test('lap insight: every sector, factors largest first, laps-until rounded, seed-compatible keys', () => {
    const insight = buildInsight(ctx, lap, undefined, 123, estimate({ lossPerLapS: 0.0625, lapsUntilHalfSecond: 8, confidence: 0.8, ageContributionS: 0.0125, stressContributionS: 0.05, fittedLaps: 9 }));
    expect(insight).toMatchObject({ lap: 7, lapTyreStress: 100, perSectorStress: { 0: 30, 1: 50, 2: 20 }, predictedLossPerLapSeconds: 0.0625, lapsUntil_0_5sLoss: 8, generatedAtUs: 123 });
    expect(insight.sector).toBeUndefined();
    expect(insight.topFactors!.map((f) => f.name)).toEqual(['tyre_stress', 'tyre_age']);
    expect(insight.explanation).toBe(
      'Losing 0.063 s/lap (0.050 from tyre stress, 0.013 from tyre age) over 9 clean laps; 0.5 s slower in about 8 laps. Most tyre stress in sector 2 (50 %).',
    );
  });

  test('sector insight: only the sectors done so far', () => {
    const insight = buildInsight(ctx, lap, 0, 1, estimate({}));
    expect(insight.sector).toBe(0);
    expect(insight.perSectorStress).toEqual({ 0: 30 });
    expect(insight.lapsUntil_0_5sLoss).toBeUndefined();
    expect(insight.explanation).toMatch(/^Learning: 0 clean laps fitted so far\./);
  });

  test('explanations for no degradation and for improving pace', () => {
    expect(buildInsight(ctx, lap, undefined, 1, estimate({ fittedLaps: 5, lossPerLapS: 0.001 })).explanation).toMatch(/^No measurable tyre degradation over 5 clean laps\./);
    expect(buildInsight(ctx, lap, undefined, 1, estimate({ fittedLaps: 5, lossPerLapS: -0.03 })).explanation).toMatch(/^Pace improving by 0\.030 s\/lap/);
  });
});
