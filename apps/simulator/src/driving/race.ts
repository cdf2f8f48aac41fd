// A field of cars lapping one track: step(dtMs) advances them all, keeps race order and the
// session best, and reports the laps completed in that step.
import { Car, type LapCompletion, type TyreModel } from './car';
import type { CarSpec } from './car-spec';
import { SpeedProfile } from './profile';
import { gaussian, seededRandom, type Random } from './random';
import { driverFor } from './roster';
import { generateTrack, type Track } from './track';

export interface RaceOptions {
  seed: number;
  cars: number;
  spec: CarSpec;
  /** A generated track of this length unless `track` is given. */
  trackLengthM?: number;
  trackName?: string;
  track?: Track;
  /** Lap time added per lap of tyre age (default 0.08 s). */
  degradationSPerLap?: number;
  /** Standard deviation of lap-to-lap noise, seconds (default 0.1). */
  lapNoiseS?: number;
  /** Spread of driver pace, ± fraction of the lap (default 0.01). */
  paceSpread?: number;
  wearPctPerLap?: number;
  stintLaps?: number;
  trackTempC?: number;
  airTempC?: number;
}

/** Metres between cars on the grid. */
const GRID_GAP_M = 8;

export class Race {
  readonly track: Track;
  readonly profile: SpeedProfile;
  readonly cars: Car[] = [];
  readonly tyres: TyreModel;
  readonly airTempC: number;
  /** Race time, ms since the start. */
  elapsedMs = 0;
  sessionBest: { carIndex: number; lapMs: number; sectorsMs: [number, number, number]; lap: number } | null = null;
  private readonly random: Random;
  private readonly lapNoiseS: number;
  private readonly paceSpread: number;
  /** Cars sorted by race position (index 0 leads). */
  private order: Car[] = [];

  constructor(readonly options: RaceOptions) {
    this.random = seededRandom(options.seed);
    this.track =
      options.track ?? generateTrack({ name: options.trackName ?? 'pitwall-ring', lengthM: options.trackLengthM ?? 5000, seed: options.seed });
    this.profile = new SpeedProfile(this.track, options.spec);
    this.tyres = {
      degradationSPerLap: options.degradationSPerLap ?? 0.08,
      wearPctPerLap: options.wearPctPerLap ?? 2,
      stintLaps: options.stintLaps ?? 30,
      trackTempC: options.trackTempC ?? 32,
    };
    this.airTempC = options.airTempC ?? 22;
    this.lapNoiseS = options.lapNoiseS ?? 0.1;
    this.paceSpread = options.paceSpread ?? 0.01;
    for (let i = 0; i < options.cars; i++) this.addCar();
  }

  /** Joins a car at the back of the grid (or, mid-session, just behind the line). */
  addCar(): Car {
    const index = this.cars.length;
    const skill = 1 + (this.random() - 0.5) * 2 * this.paceSpread;
    const noise = seededRandom(Math.floor(this.random() * 2 ** 32));
    const start = this.track.lengthM - GRID_GAP_M * (index + 1);
    const car = new Car(index, driverFor(index), skill, this.profile, this.tyres, () => gaussian(noise, this.lapNoiseS), Math.max(0, start));
    car.gridPosition = index + 1;
    this.cars.push(car);
    this.reorder();
    return car;
  }

  /** Cars in race order. */
  get standings(): readonly Car[] {
    return this.order;
  }

  /** Advances every car by `dtMs`; returns the laps completed, in the order they happened. */
  step(dtMs: number): LapCompletion[] {
    if (!(dtMs > 0)) return [];
    const laps: LapCompletion[] = [];
    const dtS = dtMs / 1000;
    for (const car of this.cars) {
      const lap = car.advance(dtS, this.elapsedMs);
      if (lap) laps.push(lap);
    }
    if (laps.length > 1) laps.sort((a, b) => a.atMs - b.atMs);
    for (const lap of laps) {
      // In the order the cars crossed the line: each lap is compared with the best at that moment.
      lap.sessionBest = this.sessionBest === null || lap.lapTimeMs < this.sessionBest.lapMs;
      if (lap.sessionBest) this.sessionBest = { carIndex: lap.carIndex, lapMs: lap.lapTimeMs, sectorsMs: lap.sectorsMs, lap: lap.lap };
    }
    this.elapsedMs += dtMs;
    this.reorder();
    return laps;
  }

  /** Time gap from `car` back from the car ahead on the road and from the leader, ms. */
  gapsMs(car: Car): { toFront: number; toLeader: number } {
    const metresPerMs = this.track.lengthM / (this.profile.lapTimeS * 1000);
    const ahead = this.order[car.position - 2];
    const leader = this.order[0]!;
    const gap = (other: Car | undefined) => (other ? ((other.progress - car.progress) * this.track.lengthM) / metresPerMs : 0);
    return { toFront: Math.round(gap(ahead)), toLeader: Math.round(gap(leader)) };
  }

  private reorder(): void {
    this.order = [...this.cars].sort((a, b) => b.progress - a.progress || a.index - b.index);
    this.order.forEach((car, i) => (car.position = i + 1));
  }
}

export type { LapCompletion };
