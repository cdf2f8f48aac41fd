/** Turns the model's estimate and a lap's stress into the Insight message and its explanation. */
import type { Factor, Insight } from '@pitwall/proto';
import type { DegradationEstimate } from './degradation-model';
import type { LapState } from './lap-state';

export interface InsightContext {
  sessionId: string;
  carId: string;
  track: string;
}

export function buildInsight(ctx: InsightContext, lap: LapState, sector: number | undefined, atUs: number, estimate: DegradationEstimate): Insight {
  const perSectorStress: Record<string, number> = {};
  const upTo = sector === undefined ? lap.sectorStress.length - 1 : sector;
  for (let i = 0; i <= upTo; i++) perSectorStress[i] = round(lap.sectorStress[i]!, 3);
  const factors: Factor[] = [
    { name: 'tyre_age', weight: round(estimate.ageContributionS, 4) },
    { name: 'tyre_stress', weight: round(estimate.stressContributionS, 4) },
  ].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  const insight: Insight = {
    sessionId: ctx.sessionId,
    carId: ctx.carId,
    track: ctx.track,
    lap: lap.lap,
    lapTyreStress: round(lap.stress, 3),
    perSectorStress,
    predictedLossPerLapSeconds: round(estimate.lossPerLapS, 4),
    confidence: round(estimate.confidence, 3),
    topFactors: factors,
    explanation: explain(lap, estimate),
    generatedAtUs: atUs,
  };
  if (sector !== undefined) insight.sector = sector;
  if (estimate.lapsUntilHalfSecond !== undefined) insight.lapsUntil_0_5sLoss = round(estimate.lapsUntilHalfSecond, 1);
  return insight;
}

function explain(lap: LapState, estimate: DegradationEstimate): string {
  const parts: string[] = [];
  if (estimate.fittedLaps < 2) {
    parts.push(`Learning: ${estimate.fittedLaps} clean lap${estimate.fittedLaps === 1 ? '' : 's'} fitted so far.`);
  } else if (estimate.lapsUntilHalfSecond === undefined && estimate.lossPerLapS < -0.005) {
    parts.push(`Pace improving by ${(-estimate.lossPerLapS).toFixed(3)} s/lap over ${estimate.fittedLaps} clean laps (fuel burn-off, track evolution).`);
  } else if (estimate.lapsUntilHalfSecond === undefined) {
    parts.push(`No measurable tyre degradation over ${estimate.fittedLaps} clean laps.`);
  } else {
    parts.push(
      `Losing ${estimate.lossPerLapS.toFixed(3)} s/lap (${estimate.stressContributionS.toFixed(3)} from tyre stress, ` +
        `${estimate.ageContributionS.toFixed(3)} from tyre age) over ${estimate.fittedLaps} clean laps; ` +
        `0.5 s slower in about ${estimate.lapsUntilHalfSecond.toFixed(0)} laps.`,
    );
  }
  let worst = 0;
  for (let i = 1; i < lap.sectorStress.length; i++) if (lap.sectorStress[i]! > lap.sectorStress[worst]!) worst = i;
  if (lap.stress > 0) {
    parts.push(`Most tyre stress in sector ${worst + 1} (${Math.round((100 * lap.sectorStress[worst]!) / lap.stress)} %).`);
  }
  return parts.join(' ');
}

function round(value: number, digits: number): number {
  if (!Number.isFinite(value)) return 0;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
