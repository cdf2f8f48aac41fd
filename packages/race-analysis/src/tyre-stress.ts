/**
 * Tyre stress: how hard the tyres were worked, in g·s (see README "Tyre stress").
 *
 * The rate at any instant is the combined acceleration the tyres transmit, sqrt(g_lat² + g_lon²)
 * in g, weighted by speed (more slip velocity for the same force at higher speed, so more work
 * done sliding), by tyre temperature (outside the working window rubber wears or grains faster),
 * plus a steering scrub term (lock applied at low g still scrubs the fronts). Integrated over
 * time it gives g·s: 1 g·s is the velocity change of 9.81 m/s the tyres would impart, so a lap's
 * stress is the total "grip used", comparable across laps of the same car and track.
 */

export interface TyreStressConfig {
  /** Speed at which the speed weight is 1. */
  referenceSpeedKmh: number;
  /** Speed weight bounds: slow corners still stress tyres; flat-out straights do not run away. */
  minSpeedWeight: number;
  maxSpeedWeight: number;
  /** Tyre surface working window, °C. */
  windowLowC: number;
  windowHighC: number;
  /** Extra weight per °C above the window (overheating: blistering, accelerated wear). */
  hotPenaltyPerC: number;
  /** Extra weight per °C below the window (cold tyres slide and grain). */
  coldPenaltyPerC: number;
  maxTemperatureWeight: number;
  /** g-equivalent scrub at full steering lock and the reference speed. */
  steerScrubG: number;
}

export const DEFAULT_TYRE_STRESS: TyreStressConfig = {
  referenceSpeedKmh: 150,
  minSpeedWeight: 0.5,
  maxSpeedWeight: 2,
  windowLowC: 75,
  windowHighC: 105,
  hotPenaltyPerC: 0.03,
  coldPenaltyPerC: 0.01,
  maxTemperatureWeight: 3,
  steerScrubG: 0.2,
};

const STANDARD_GRAVITY = 9.80665;

/** Speed weight: 0.5 at rest rising linearly to 1 at the reference speed, clamped; 1 if unknown. */
export function speedWeight(speedKmh: number, config: TyreStressConfig): number {
  if (Number.isNaN(speedKmh)) return 1;
  const weight = 0.5 + (0.5 * speedKmh) / config.referenceSpeedKmh;
  return weight < config.minSpeedWeight ? config.minSpeedWeight : weight > config.maxSpeedWeight ? config.maxSpeedWeight : weight;
}

/**
 * Temperature weight from the mean distance of the four surface temperatures outside the working
 * window; 1 inside it or when the source has no temperatures (NaN means absent).
 */
export function temperatureWeight(rl: number, rr: number, fl: number, fr: number, config: TyreStressConfig): number {
  const count = present(rl) + present(rr) + present(fl) + present(fr);
  if (count === 0) return 1;
  const excess = windowExcess(rl, config) + windowExcess(rr, config) + windowExcess(fl, config) + windowExcess(fr, config);
  const weight = 1 + excess / count;
  return weight > config.maxTemperatureWeight ? config.maxTemperatureWeight : weight;
}

function present(value: number): number {
  return Number.isNaN(value) ? 0 : 1;
}

/** Penalty-weighted °C outside the working window; 0 for an absent (NaN) temperature. */
function windowExcess(tempC: number, config: TyreStressConfig): number {
  if (tempC > config.windowHighC) return (tempC - config.windowHighC) * config.hotPenaltyPerC;
  if (tempC < config.windowLowC) return (config.windowLowC - tempC) * config.coldPenaltyPerC;
  return 0;
}

/**
 * Instantaneous stress rate in g (integrate over seconds for g·s). Inputs are interval means;
 * a NaN steering input contributes nothing.
 */
export function stressRate(
  gLat: number,
  gLon: number,
  speedKmh: number,
  steerAbs: number,
  tempWeight: number,
  config: TyreStressConfig,
): number {
  const combined = Math.sqrt(gLat * gLat + gLon * gLon);
  const speedW = speedWeight(speedKmh, config);
  const scrub = Number.isNaN(steerAbs) ? 0 : config.steerScrubG * (steerAbs > 1 ? 1 : steerAbs);
  const rate = (combined + scrub) * speedW * tempWeight;
  return Number.isFinite(rate) ? rate : 0;
}

/** Longitudinal acceleration in g from a speed change, for sources with no g channels. */
export function gFromSpeedChange(deltaKmh: number, dtS: number): number {
  return dtS > 0 ? deltaKmh / 3.6 / dtS / STANDARD_GRAVITY : 0;
}

/** Lateral acceleration in g from yaw rate × speed (a = v·ω), for sources with no g channels. */
export function gFromYawRate(deltaYawRad: number, speedKmh: number, dtS: number): number {
  if (!(dtS > 0)) return 0;
  let d = deltaYawRad;
  if (d > Math.PI) d -= 2 * Math.PI;
  else if (d < -Math.PI) d += 2 * Math.PI;
  return ((speedKmh / 3.6) * (d / dtS)) / STANDARD_GRAVITY;
}
