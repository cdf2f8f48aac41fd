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
    let cars = this.sessions.get(sessionId);
    let car = cars?.get(carId);
    if (car) return car.ingest(frame);

    const evicted = this.carCount >= this.maxCars ? this.evictLeastRecent() : NO_OUTPUT;
    car = new CarAnalyzer(sessionId, carId, frame.track ?? '', this.config);
    if (!cars) {
      cars = new Map();
      this.sessions.set(sessionId, cars);
    }
    cars.set(carId, car);
    this.carCount++;
    const produced = car.ingest(frame);
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
    for (const [sessionId, cars] of this.sessions) {
      for (const [carId, car] of cars) {
        if (!(nowUs - car.lastSeenUs > idleUs)) continue;
        out.push(...car.close(nowUs));
        cars.delete(carId);
        this.carCount--;
        this.evictedIdle++;
      }
      if (cars.size === 0) this.sessions.delete(sessionId);
    }
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
      let cars = analyzer.sessions.get(car.sessionId);
      if (!cars) {
        cars = new Map();
        analyzer.sessions.set(car.sessionId, cars);
      }
      if (cars.has(car.carId)) throw new SnapshotError(`car ${car.sessionId}/${car.carId} appears twice`);
      cars.set(car.carId, car);
      analyzer.carCount++;
    }
    return analyzer;
  }

  private evictLeastRecent(): readonly Output[] {
    let oldest: CarAnalyzer | undefined;
    for (const cars of this.sessions.values()) {
      for (const car of cars.values()) if (!oldest || car.lastSeenUs < oldest.lastSeenUs) oldest = car;
    }
    if (!oldest) return NO_OUTPUT;
    const out = oldest.close(oldest.lastSeenUs);
    const cars = this.sessions.get(oldest.sessionId)!;
    cars.delete(oldest.carId);
    if (cars.size === 0) this.sessions.delete(oldest.sessionId);
    this.carCount--;
    this.evictedForCapacity++;
    return out;
  }
}
