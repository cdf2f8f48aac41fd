// One car's state and its advance by a time step. The car replays the reference lap scaled by the
// pace of the current lap, so where it is, how fast it goes and the lap's time are exact; inputs,
// gear, rpm, g-forces, tyres and fuel follow from that motion.
import type { CarSpec } from './car-spec';
import { G, burnLoad, type SpeedProfile } from './profile';
import { clamp } from './random';
import type { Driver } from './roster';
import type { Pose, Track } from './track';

/** Wheel order of F1 and AC arrays: rear-left, rear-right, front-left, front-right. */
export type Wheels = [number, number, number, number];
const SIDE: Wheels = [-1, 1, -1, 1];
const FRONT: Wheels = [0, 0, 1, 1];

export interface TyreModel {
  /** Seconds added to a lap per lap of tyre age: the signal the aggregator should find. */
  degradationSPerLap: number;
  /** Mean wear a lap, percent, before per-wheel load. */
  wearPctPerLap: number;
  /** Laps on a set before a (zero-time) stop fits new tyres and fuel. */
  stintLaps: number;
  trackTempC: number;
}

export interface LapCompletion {
  carIndex: number;
  /** The lap just completed, 1-based. */
  lap: number;
  lapTimeMs: number;
  sectorsMs: [number, number, number];
  /** Tyre age (laps) the lap was driven on. */
  tyreAgeLaps: number;
  personalBest: boolean;
  /** Set by the race, which knows every car's laps. */
  sessionBest: boolean;
  /** Race time at the line. */
  atMs: number;
}

export class Car {
  /** Lap being driven, 1-based; 0 is the run to the line before the first lap. */
  lap = 0;
  lapsCompleted = 0;
  /** Seconds into the reference lap (the profile's timeline). */
  private refTime = 0;
  private cursor = 0;
  /** Reference lap time / this lap's time. */
  private pace = 1;
  /** Sector times of the lap being driven, fixed when it starts. */
  private lapPlanMs: [number, number, number] = [0, 0, 0];

  distanceM = 0;
  currentLapMs = 0;
  lastLapMs: number | null = null;
  bestLapMs: number | null = null;
  lastSectorsMs: [number, number, number] | null = null;
  bestSectorsMs: [number, number, number] | null = null;
  /** Sector times of the current lap, revealed as each sector ends. */
  readonly currentSectorsMs: [number | null, number | null] = [null, null];
  sector: 0 | 1 | 2 = 0;
  position = 0;
  gridPosition = 0;
  pitStops = 0;

  speedMs = 0;
  accelMs2 = 0;
  throttle = 0;
  brake = 0;
  steer = 0;
  /** −1 reverse, 0 neutral, 1.. forward. */
  gear = 1;
  rpm = 0;
  gLateral = 0;
  gLongitudinal = 0;
  gVertical = 0;
  readonly pose: Pose = { x: 0, y: 0, z: 0, heading: 0, curvature: 0, slope: 0 };

  tyreAgeLaps = 0;
  readonly tyreWearPct: Wheels = [0, 0, 0, 0];
  readonly tyreSurfaceC: Wheels;
  readonly tyreInnerC: Wheels;
  readonly brakeC: Wheels = [200, 200, 200, 200];
  fuelKg: number;

  constructor(
    readonly index: number,
    readonly driver: Driver,
    /** Lap time multiplier of this driver (1 = the reference lap). */
    readonly skill: number,
    private readonly profile: SpeedProfile,
    private readonly tyres: TyreModel,
    private readonly noise: () => number,
    startDistanceM: number,
  ) {
    const warm = tyres.trackTempC + 40;
    this.tyreSurfaceC = [warm, warm, warm, warm];
    this.tyreInnerC = [warm, warm, warm, warm];
    this.fuelKg = profile.spec.fuelStartKg;
    this.pace = 1 / skill;
    this.distanceM = startDistanceM;
    this.refTime = this.timeAt(startDistanceM);
    this.cursor = Math.min(profile.track.samples - 1, Math.floor(startDistanceM / profile.track.sampleM));
    this.sample();
  }

  get spec(): CarSpec {
    return this.profile.spec;
  }

  get track(): Track {
    return this.profile.track;
  }

  /** Laps as a real number (for order): negative before the first line crossing. */
  get progress(): number {
    return this.lap - 1 + this.distanceM / this.track.lengthM;
  }

  /** The lap time this car will set on a lap driven on tyres `tyreAgeLaps` old (noise aside). */
  expectedLapMs(tyreAgeLaps: number): number {
    return (this.profile.lapTimeS * this.skill + this.tyres.degradationSPerLap * tyreAgeLaps) * 1000;
  }

  /**
   * Advances by `dtS` seconds; returns the completed lap if the line was crossed (the last one, should
   * a step be longer than a whole lap).
   */
  advance(dtS: number, raceMs: number): LapCompletion | null {
    const lapRef = this.profile.lapTimeS;
    let completion: LapCompletion | null = null;
    while (this.refTime + dtS * this.pace >= lapRef) {
      const before = (lapRef - this.refTime) / this.pace;
      raceMs += before * 1000;
      completion = this.crossLine(raceMs) ?? completion;
      this.refTime = 0;
      this.cursor = 0;
      this.currentLapMs = 0;
      dtS -= before;
    }
    this.refTime += dtS * this.pace;
    this.currentLapMs += dtS * 1000;
    this.sample();
    this.revealSectors();
    this.wearAndHeat(dtS);
    return completion;
  }

  private crossLine(atMs: number): LapCompletion | null {
    let completion: LapCompletion | null = null;
    if (this.lap >= 1) {
      const sectors = this.lapPlanMs;
      const lapTimeMs = sectors[0] + sectors[1] + sectors[2];
      const personalBest = this.bestLapMs === null || lapTimeMs < this.bestLapMs;
      completion = {
        carIndex: this.index,
        lap: this.lap,
        lapTimeMs,
        sectorsMs: [...sectors],
        tyreAgeLaps: this.tyreAgeLaps,
        personalBest,
        sessionBest: false,
        atMs,
      };
      this.lapsCompleted++;
      this.lastLapMs = lapTimeMs;
      this.lastSectorsMs = [...sectors];
      if (personalBest) {
        this.bestLapMs = lapTimeMs;
        this.bestSectorsMs = [...sectors];
      }
      this.tyreAgeLaps++;
      if (this.tyreAgeLaps >= this.tyres.stintLaps) this.newStint();
    }
    this.lap++;
    this.planLap();
    return completion;
  }

  /** Fixes this lap's time from the degradation curve, and so its sector times. */
  private planLap(): void {
    const lapMs = Math.round(this.expectedLapMs(this.tyreAgeLaps) + this.noise() * 1000);
    const [b1, b2] = this.track.sectorStarts.map((f) => this.timeAt(f * this.track.lengthM) / this.profile.lapTimeS);
    const s1 = Math.round(lapMs * b1!);
    const s2 = Math.round(lapMs * b2!) - s1;
    this.lapPlanMs = [s1, s2, lapMs - s1 - s2];
    this.pace = this.profile.lapTimeS / (lapMs / 1000);
    this.currentSectorsMs[0] = null;
    this.currentSectorsMs[1] = null;
    this.sector = 0;
  }

  private newStint(): void {
    this.tyreAgeLaps = 0;
    this.tyreWearPct.fill(0);
    this.fuelKg = this.spec.fuelStartKg;
    this.pitStops++;
  }

  private revealSectors(): void {
    const sector = this.track.sectorAt(this.distanceM);
    if (this.lap >= 1 && sector > this.sector) {
      const plan = this.lapPlanMs;
      if (sector >= 1) this.currentSectorsMs[0] = plan[0];
      if (sector >= 2) this.currentSectorsMs[1] = plan[1];
    }
    this.sector = sector;
  }

  /** Reference time at distance `s` (interpolated). */
  private timeAt(s: number): number {
    const t = this.profile.time;
    const pos = s / this.track.sampleM;
    const i = Math.min(Math.floor(pos), this.track.samples - 1);
    return t[i]! + (t[i + 1]! - t[i]!) * (pos - i);
  }

  /** Position, speed and the inputs and drivetrain state that follow from them. */
  private sample(): void {
    const { time, speed, accel } = this.profile;
    const n = this.track.samples;
    while (this.cursor < n - 1 && time[this.cursor + 1]! <= this.refTime) this.cursor++;
    const i = this.cursor;
    const f = clamp((this.refTime - time[i]!) / (time[i + 1]! - time[i]!), 0, 1);
    this.distanceM = (i + f) * this.track.sampleM;
    const v0 = speed[i]!;
    const v1 = speed[(i + 1) % n]!;
    const pace = this.pace;
    this.speedMs = (v0 + (v1 - v0) * f) * pace;
    this.accelMs2 = accel[i]! * pace * pace;
    this.track.poseAt(this.distanceM, this.pose);

    const pedals = this.profile.pedals(i);
    this.throttle = pedals.throttle;
    this.brake = pedals.brake;
    const spec = this.spec;
    this.steer = clamp(-Math.atan(spec.wheelbaseM * this.pose.curvature) / spec.maxSteerRad, -1, 1);
    this.gLateral = (this.speedMs * this.speedMs * this.pose.curvature) / G;
    this.gLongitudinal = this.accelMs2 / G;
    this.gVertical = 1 + (this.speedMs * this.speedMs * this.track.verticalCurvatureAt(this.distanceM)) / G;
    this.shift();
  }

  /** Shifts up at 96% of a gear's top speed; rpm is proportional to speed within a gear. */
  private shift(): void {
    const spec = this.spec;
    const tops = this.profile.gearTopSpeed;
    let gear = 1;
    while (gear < spec.gears && this.speedMs > 0.96 * tops[gear]!) gear++;
    this.gear = gear;
    this.rpm = clamp((spec.maxRpm * this.speedMs) / tops[gear]!, spec.idleRpm, spec.maxRpm);
  }

  private wearAndHeat(dtS: number): void {
    const spec = this.spec;
    const ds = this.speedMs * dtS;
    const speedShare = this.speedMs / spec.topSpeedMs;
    const surfaceBlend = 1 - Math.exp(-dtS / 4);
    const innerBlend = 1 - Math.exp(-dtS / 40);
    const brakeBlend = 1 - Math.exp(-dtS / 1.5);
    for (let w = 0; w < 4; w++) {
      const front = FRONT[w]!;
      const stress = this.wheelLoad(w);
      this.tyreWearPct[w] = Math.min(100, this.tyreWearPct[w]! + (this.tyres.wearPctPerLap * ds * stress) / this.track.lengthM);
      const wear = this.tyreWearPct[w]!;
      const surfaceTarget = this.tyres.trackTempC + 45 + 30 * stress * speedShare + 0.2 * wear;
      this.tyreSurfaceC[w] = this.tyreSurfaceC[w]! + (surfaceTarget - this.tyreSurfaceC[w]!) * surfaceBlend;
      const innerTarget = this.tyres.trackTempC + 55 + 0.25 * wear;
      this.tyreInnerC[w] = this.tyreInnerC[w]! + (innerTarget - this.tyreInnerC[w]!) * innerBlend;
      const brakeTarget = 200 + this.brake * (front ? 800 : 550);
      this.brakeC[w] = this.brakeC[w]! + (brakeTarget - this.brakeC[w]!) * brakeBlend;
    }
    const burn = (spec.fuelPerLapKg * ds * burnLoad(this.throttle)) / (this.track.lengthM * this.profile.meanBurn);
    this.fuelKg = Math.max(0, this.fuelKg - burn);
  }

  /**
   * Share of the car's weight on wheel `w` relative to a quarter (1 = static): load moves to the
   * outside wheels in a corner and to the front under braking.
   */
  wheelLoad(w: number): number {
    const latLoad = this.gLateral / this.spec.lateralG;
    const longLoad = this.gLongitudinal / this.spec.brakingG;
    return Math.max(0.2, 1 + 0.3 * latLoad * SIDE[w]! - 0.25 * longLoad * (FRONT[w] ? 1 : -1));
  }

  /** Tyre pressure, psi, rising with the carcass temperature. */
  tyrePressurePsi(wheel: number): number {
    return 21 + 0.03 * (this.tyreInnerC[wheel]! - 80);
  }
}
