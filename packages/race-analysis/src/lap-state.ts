/**
 * The plain-JSON state of a lap in progress and of a car's stint, with the invalid-lap reasons.
 * Plain objects of numbers, booleans and fixed-length number arrays, so a snapshot is a copy.
 */

/** Why a lap is not a clean timed lap; several may apply. */
export const LapFlag = {
  PIT: 1,
  SOURCE_INVALID: 2,
  DATA_GAP: 4,
  POSITION_JUMP: 8,
  COUNTER_SKIP: 16,
  SOURCE_RESTART: 32,
  OUT_LAP: 64,
  ABANDONED: 128,
} as const;

const FLAG_REASONS: [number, string][] = [
  [LapFlag.PIT, 'pit lane'],
  [LapFlag.SOURCE_INVALID, 'source marked the lap invalid'],
  [LapFlag.DATA_GAP, 'data gap'],
  [LapFlag.POSITION_JUMP, 'position jump'],
  [LapFlag.COUNTER_SKIP, 'lap counter skipped laps'],
  [LapFlag.SOURCE_RESTART, 'source restarted'],
  [LapFlag.OUT_LAP, 'out lap'],
  [LapFlag.ABANDONED, 'abandoned before the line'],
];

/** Flags that make a lap useless for pace comparison (a cut or a jump still ran a full lap). */
export const UNTIMED_FLAGS = LapFlag.PIT | LapFlag.DATA_GAP | LapFlag.COUNTER_SKIP | LapFlag.SOURCE_RESTART | LapFlag.OUT_LAP | LapFlag.ABANDONED;

export function describeLapFlags(flags: number, startedAtLine: boolean): string {
  const reasons: string[] = [];
  if (!startedAtLine) reasons.push('partial: started mid-lap');
  for (const [flag, reason] of FLAG_REASONS) if (flags & flag) reasons.push(reason);
  return reasons.join('; ');
}

export interface LapState {
  lap: number;
  startUs: number;
  startedAtLine: boolean;
  flags: number;
  frames: number;
  /** Time covered by integrated intervals (gaps excluded), µs. */
  integratedUs: number;
  /** ∫ speed dt in km/h·µs. */
  speedIntegral: number;
  maxSpeedKmh: number;
  throttleUs: number;
  brakeUs: number;
  /** g·s. */
  stress: number;
  sectorStress: number[];
  /** When each sector boundary was crossed, µs; NaN until crossed (or if it was missed). */
  sectorCrossUs: number[];
  /** Index of the next boundary to cross, which is also the sector the car is in. */
  nextSector: number;
  fuelUsedKg: number;
  fuelSeen: boolean;
  maxDistanceM: number;
  largestGapUs: number;
  /** Tyre age and stint stress when this lap began (the model's regressors). */
  tyreAgeAtStart: number;
  stintStressAtStart: number;
}

export function newLapState(sectors: number): LapState {
  return {
    lap: 0,
    startUs: 0,
    startedAtLine: false,
    flags: 0,
    frames: 0,
    integratedUs: 0,
    speedIntegral: 0,
    maxSpeedKmh: Number.NaN,
    throttleUs: 0,
    brakeUs: 0,
    stress: 0,
    sectorStress: new Array<number>(sectors).fill(0),
    sectorCrossUs: new Array<number>(Math.max(0, sectors - 1)).fill(Number.NaN),
    nextSector: 0,
    fuelUsedKg: 0,
    fuelSeen: false,
    maxDistanceM: Number.NaN,
    largestGapUs: 0,
    tyreAgeAtStart: 0,
    stintStressAtStart: 0,
  };
}

/** Reset in place for the next lap (no allocation on the per-frame path). */
export function resetLapState(lap: LapState, lapNumber: number, startUs: number, startedAtLine: boolean): void {
  lap.lap = lapNumber;
  lap.startUs = startUs;
  lap.startedAtLine = startedAtLine;
  lap.flags = 0;
  lap.frames = 0;
  lap.integratedUs = 0;
  lap.speedIntegral = 0;
  lap.maxSpeedKmh = Number.NaN;
  lap.throttleUs = 0;
  lap.brakeUs = 0;
  lap.stress = 0;
  lap.sectorStress.fill(0);
  lap.sectorCrossUs.fill(Number.NaN);
  lap.nextSector = 0;
  lap.fuelUsedKg = 0;
  lap.fuelSeen = false;
  lap.maxDistanceM = Number.NaN;
  lap.largestGapUs = 0;
}

/** Sector times in seconds when every boundary of a lap from the line was crossed, else []. */
export function sectorTimesS(lap: LapState, endUs: number): number[] {
  if (!lap.startedAtLine) return [];
  const times: number[] = [];
  let previous = lap.startUs;
  for (const crossed of lap.sectorCrossUs) {
    if (Number.isNaN(crossed)) return [];
    times.push((crossed - previous) / 1e6);
    previous = crossed;
  }
  times.push((endUs - previous) / 1e6);
  return times;
}
