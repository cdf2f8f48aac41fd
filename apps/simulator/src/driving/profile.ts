// The reference lap of a car spec on a track: the fastest speed at every sample given grip, braking
// and acceleration (a minimum-time speed profile), and the time at which each sample is reached.
// Cars replay this lap scaled by their pace, so a lap's time is known exactly in advance.
import type { CarSpec } from './car-spec';
import type { Track } from './track';

export const G = 9.81;

export class SpeedProfile {
  /** m/s at each track sample. */
  readonly speed: Float64Array;
  /** Seconds from the line to each sample; `time[samples]` is the lap. */
  readonly time: Float64Array;
  /** m/s² along the path from each sample to the next. */
  readonly accel: Float64Array;
  readonly lapTimeS: number;
  /** Distance-weighted mean of the throttle load used for fuel burn, so a lap burns fuelPerLapKg. */
  readonly meanBurn: number;
  /** Speed at which each gear (index 1..gears) reaches max rpm. */
  readonly gearTopSpeed: Float64Array;

  constructor(
    readonly track: Track,
    readonly spec: CarSpec,
  ) {
    const n = track.samples;
    const ds = track.sampleM;
    const limit = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = Math.abs(track.curvature[i]!);
      limit[i] = k > 0 ? Math.min(spec.topSpeedMs, Math.sqrt((spec.lateralG * G) / k)) : spec.topSpeedMs;
    }
    // Braking: walk backwards twice round the loop so corners just after the line are seen.
    const braking = Float64Array.from(limit);
    for (let k = 2 * n - 1; k >= 0; k--) {
      const i = k % n;
      const next = braking[(i + 1) % n]!;
      braking[i] = Math.min(braking[i]!, Math.sqrt(next * next + 2 * spec.brakingG * G * ds));
    }
    // Acceleration, falling to zero at top speed.
    const accelerating = Float64Array.from(limit);
    for (let k = 1; k <= 2 * n; k++) {
      const i = k % n;
      const prev = accelerating[(i + n - 1) % n]!;
      const a = spec.accelerationG * G * Math.max(0.02, 1 - (prev / spec.topSpeedMs) ** 2);
      accelerating[i] = Math.min(accelerating[i]!, Math.sqrt(prev * prev + 2 * a * ds));
    }
    this.speed = new Float64Array(n);
    for (let i = 0; i < n; i++) this.speed[i] = Math.min(braking[i]!, accelerating[i]!);

    this.time = new Float64Array(n + 1);
    this.accel = new Float64Array(n);
    let burn = 0;
    for (let i = 0; i < n; i++) {
      const v0 = this.speed[i]!;
      const v1 = this.speed[(i + 1) % n]!;
      this.time[i + 1] = this.time[i]! + (2 * ds) / (v0 + v1);
      this.accel[i] = (v1 * v1 - v0 * v0) / (2 * ds);
      burn += burnLoad(this.pedals(i).throttle);
    }
    this.lapTimeS = this.time[n]!;
    this.gearTopSpeed = Float64Array.from({ length: spec.gears + 1 }, (_v, gear) => gearTopSpeed(spec, gear));
    this.meanBurn = burn / n;
  }

  /**
   * Driver inputs at sample `i`: brake in proportion to the deceleration asked for, full throttle
   * while accelerating or flat out, part throttle holding a corner speed.
   */
  pedals(i: number): { throttle: number; brake: number } {
    const a = this.accel[i]!;
    const v = this.speed[i]!;
    if (a < -1) return { throttle: 0, brake: Math.min(1, -a / (this.spec.brakingG * G)) };
    if (a > 0.5 || v > 0.97 * this.spec.topSpeedMs) return { throttle: 1, brake: 0 };
    return { throttle: 0.3 + 0.5 * (v / this.spec.topSpeedMs), brake: 0 };
  }
}

/** Gear n tops out at topSpeed·(n/N)^0.75: short gears close together, long ones spread. */
export const gearTopSpeed = (spec: CarSpec, gear: number): number => spec.topSpeedMs * 1.02 * (gear / spec.gears) ** 0.75;

/** Fuel flow relative to full throttle: some at idle and lift, most flat out. */
export const burnLoad = (throttle: number): number => 0.2 + 0.8 * throttle;
