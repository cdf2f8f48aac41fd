/**
 * Routes frames of any number of sessions to one CarAnalyzer per (session, car), with a cap on
 * how many cars it holds, eviction of idle ones and a snapshot of all of them.
 */
import type { TelemetryFrame } from '@pitwall/proto';
import { CarAnalyzer, type CarSnapshot, type Output } from './car-analyzer';
import { analysisConfig, type AnalysisConfig, type AnalysisConfigOverrides } from './config';
import { SnapshotError } from './snapshot';

export interface SessionAnalyzerOptions {
  config?: AnalysisConfigOverrides;
  /** Most cars held at once; past it the least recently heard-from car is closed and dropped. */
  maxCars?: number;
}

export interface AnalyzerSnapshot {
  version: 1;
  cars: CarSnapshot[];
}

export interface AnalyzerStats {
  cars: number;
  /** Frames without a session id, car id or a finite source time. */
  rejectedFrames: number;
  evictedIdle: number;
  evictedForCapacity: number;
}

const NO_OUTPUT: readonly Output[] = Object.freeze([]);

export class SessionAnalyzer {
  readonly config: AnalysisConfig;
  private readonly maxCars: number;
  private readonly sessions = new Map<string, Map<string, CarAnalyzer>>();
  /**
   * The cars of the previous frame's session: frames come in runs of one session (the aggregator
   * has an analyzer per session), and comparing the id is cheaper than hashing the frame's freshly
   * decoded id. Reset when a session's map leaves `sessions`.
   */
  private recentSessionId: string | undefined;
  private recentCars: Map<string, CarAnalyzer> | undefined;
  private carCount = 0;
  private rejectedFrames = 0;
  private evictedIdle = 0;
  private evictedForCapacity = 0;

  constructor(options: SessionAnalyzerOptions = {}) {
    this.config = analysisConfig(options.config);
    this.maxCars = options.maxCars ?? 10_000;
    if (!(this.maxCars >= 1)) throw new RangeError(`maxCars must be at least 1, got ${options.maxCars}`);
  }

  get stats(): AnalyzerStats {
    return { cars: this.carCount, rejectedFrames: this.rejectedFrames, evictedIdle: this.evictedIdle, evictedForCapacity: this.evictedForCapacity };
  }

  /** The analyzer of one car, if it is held. */
  car(sessionId: string, carId: string): CarAnalyzer | undefined {
    return this.sessions.get(sessionId)?.get(carId);
  }

  ingest(frame: TelemetryFrame): readonly Output[] {
    const sessionId = frame.sessionId;
    const carId = frame.carId;
    if (!sessionId || !carId || !Number.isFinite(frame.sourceTimeUs)) {
      this.rejectedFrames++;
      return NO_OUTPUT;
    }
    let cars = this.recentCars;
    if (sessionId !== this.recentSessionId) {
      cars = this.sessions.get(sessionId);
      if (cars) {
        this.recentSessionId = sessionId;
        this.recentCars = cars;
      }
    }
    const car = cars?.get(carId);
    if (car) return car.ingest(frame);

    // Evict first: add() then finds (or recreates) the session's map even if eviction removed it.
    const evicted = this.carCount >= this.maxCars ? this.evictLeastRecent() : NO_OUTPUT;
    const added = new CarAnalyzer(sessionId, carId, frame.track ?? '', this.config);
    this.add(added);
    const produced = added.ingest(frame);
    return evicted.length === 0 ? produced : [...evicted, ...produced];
  }

  /** Time-driven rules for every car; `nowUs` is on the frames' source clock. */
  tick(nowUs: number): Output[] {
    const out: Output[] = [];
    for (const cars of this.sessions.values()) for (const car of cars.values()) out.push(...car.tick(nowUs));
    return out;
  }

  /** Close and drop cars not heard from for `idleUs` (finished sessions), returning their last outputs. */
  evictIdle(nowUs: number, idleUs: number): Output[] {
    const out: Output[] = [];
    for (const cars of this.sessions.values()) {
      for (const car of cars.values()) {
        if (!(nowUs - car.lastSeenUs > idleUs)) continue;
        out.push(...this.drop(car, nowUs));
        this.evictedIdle++;
      }
    }
    return out;
  }

  /**
   * The session ended (SessionInfo.ended): close its cars now rather than let each raise a data
   * dropout and wait for evictIdle. Their unfinished laps come out as abandoned.
   */
  endSession(sessionId: string, atUs: number): Output[] {
    const out: Output[] = [];
    const cars = this.sessions.get(sessionId);
    if (cars) for (const car of cars.values()) out.push(...this.drop(car, atUs));
    return out;
  }

  snapshot(): AnalyzerSnapshot {
    const cars: CarSnapshot[] = [];
    for (const session of this.sessions.values()) for (const car of session.values()) cars.push(car.snapshot());
    return { version: 1, cars };
  }

  static restore(snapshot: AnalyzerSnapshot, options: SessionAnalyzerOptions = {}): SessionAnalyzer {
    if (!snapshot || snapshot.version !== 1 || !Array.isArray(snapshot.cars)) {
      throw new SnapshotError(`expected { version: 1, cars: [...] }`);
    }
    const analyzer = new SessionAnalyzer(options);
    if (snapshot.cars.length > analyzer.maxCars) {
      throw new SnapshotError(`${snapshot.cars.length} cars exceed maxCars ${analyzer.maxCars}`);
    }
    for (const carSnapshot of snapshot.cars) {
      const car = CarAnalyzer.restore(carSnapshot, analyzer.config);
      if (analyzer.car(car.sessionId, car.carId)) throw new SnapshotError(`car ${car.sessionId}/${car.carId} appears twice`);
      analyzer.add(car);
    }
    return analyzer;
  }

  private evictLeastRecent(): readonly Output[] {
    let oldest: CarAnalyzer | undefined;
    for (const cars of this.sessions.values()) {
      for (const car of cars.values()) if (!oldest || car.lastSeenUs < oldest.lastSeenUs) oldest = car;
    }
    if (!oldest) return NO_OUTPUT;
    this.evictedForCapacity++;
    return this.drop(oldest, oldest.lastSeenUs);
  }

  private add(car: CarAnalyzer): void {
    let cars = this.sessions.get(car.sessionId);
    if (!cars) {
      cars = new Map();
      this.sessions.set(car.sessionId, cars);
    }
    cars.set(car.carId, car);
    this.carCount++;
  }

  private drop(car: CarAnalyzer, atUs: number): readonly Output[] {
    const out = car.close(atUs);
    const cars = this.sessions.get(car.sessionId)!;
    cars.delete(car.carId);
    if (cars.size === 0) {
      this.sessions.delete(car.sessionId);
      if (this.recentCars === cars) this.recentSessionId = this.recentCars = undefined;
    }
    this.carCount--;
    return out;
  }
}
