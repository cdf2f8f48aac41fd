// Posts the driving model as JSON batches to the HTTP ingest (collector-http, POST /api/ingest),
// in the field names its mapping documents: a push source for teams without a game. One request in
// flight at a time; points waiting beyond maxPending are dropped oldest first and counted.
import { silentLogger, type Logger } from '@pitwall/logger';
import { GT3_CAR, Race, type Car, type RaceOptions } from './driving';
import { Ticker } from './ticker';

export interface HttpPosterOptions {
  /** e.g. http://127.0.0.1:8090/api/ingest */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Samples a second per car. Default 10. */
  sampleRateHz?: number;
  /** Batches posted a second (at most; one request in flight). Default 2. */
  postRateHz?: number;
  maxPending?: number;
  race?: Partial<RaceOptions>;
  sessionId?: string;
  /** Epoch µs of race time 0 (sample times are this + race time). Default: now. */
  startUs?: number;
  timeScale?: number;
  logger?: Logger;
}

export interface HttpPosterStats {
  points: number;
  batches: number;
  failedBatches: number;
  /** Points dropped at maxPending (the ingest was slower than the model). */
  dropped: number;
}

const WHEELS = ['rl', 'rr', 'fl', 'fr'] as const;
const wheelSet = (values: readonly number[], scale = 1) => Object.fromEntries(WHEELS.map((w, i) => [w, values[i]! * scale]));

/** One ingest point for a car, in collector-http's documented names and the schema's units. */
export function ingestPoint(race: Race, car: Car, sessionId: string, startUs: number): Record<string, unknown> {
  return {
    session_id: sessionId,
    car_id: `car-${car.driver.raceNumber}`,
    driver_name: `${car.driver.firstName} ${car.driver.lastName}`,
    car_model: car.spec.name,
    track: race.track.name,
    source_time_us: startUs + Math.round(race.elapsedMs * 1000),
    session_time_s: race.elapsedMs / 1000,
    lap: car.lap,
    lap_distance_m: car.distanceM,
    normalized_position: car.distanceM / race.track.lengthM,
    sector: car.sector,
    race_position: car.position,
    current_lap_time_ms: Math.round(car.currentLapMs),
    ...(car.lastLapMs === null ? {} : { last_lap_time_ms: car.lastLapMs }),
    speed_kmh: car.speedMs * 3.6,
    rpm: car.rpm,
    throttle: car.throttle,
    brake: car.brake,
    steer: car.steer,
    gear: car.gear,
    g_lat: car.gLateral,
    g_lon: car.gLongitudinal,
    g_vert: car.gVertical,
    yaw_rad: car.pose.heading,
    fuel_kg: car.fuelKg,
    world_position_m: { x: car.pose.x, y: car.pose.y, z: car.pose.z },
    tyre_surface_temp_c: wheelSet(car.tyreSurfaceC),
    tyre_inner_temp_c: wheelSet(car.tyreInnerC),
    tyre_pressure_psi: wheelSet([0, 1, 2, 3].map((w) => car.tyrePressurePsi(w))),
    // The schema's wear is 0..1; the model's is percent.
    tyre_wear: wheelSet(car.tyreWearPct, 0.01),
    brake_temp_c: wheelSet(car.brakeC),
  };
}

export class HttpPoster {
  readonly stats: HttpPosterStats = { points: 0, batches: 0, failedBatches: 0, dropped: 0 };
  readonly race: Race;
  private pending: Record<string, unknown>[] = [];
  private inFlight: Promise<void> | null = null;
  private readonly sampler: Ticker;
  private readonly poster: Ticker;
  private readonly sessionId: string;
  private readonly startUs: number;
  private readonly logger: Logger;

  constructor(private readonly opts: HttpPosterOptions) {
    this.race = new Race({ seed: 1, cars: 8, spec: GT3_CAR, trackLengthM: 4000, trackName: 'pitwall_ring', ...opts.race });
    this.sessionId = opts.sessionId ?? `sim-http-${this.race.options.seed}`;
    this.startUs = opts.startUs ?? Date.now() * 1000;
    this.logger = opts.logger ?? silentLogger();
    const timeScale = opts.timeScale ?? 1;
    this.sampler = new Ticker({ rateHz: opts.sampleRateHz ?? 10 }, (dtMs) => this.sample(dtMs * timeScale));
    this.poster = new Ticker({ rateHz: opts.postRateHz ?? 2, maxCatchUp: 1 }, () => this.post());
  }

  start(): this {
    this.sampler.start();
    this.poster.start();
    return this;
  }

  /** Stops sampling, posts what is pending (once), and waits for the request in flight. */
  async stop(): Promise<void> {
    this.sampler.stop();
    this.poster.stop();
    await this.inFlight;
    this.post();
    await this.inFlight;
  }

  private sample(dtMs: number): void {
    this.race.step(dtMs);
    for (const car of this.race.cars) this.pending.push(ingestPoint(this.race, car, this.sessionId, this.startUs));
    const max = this.opts.maxPending ?? 10_000;
    if (this.pending.length > max) {
      this.stats.dropped += this.pending.length - max;
      this.pending = this.pending.slice(this.pending.length - max);
    }
  }

  private post(): void {
    if (this.inFlight || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    this.inFlight = fetch(this.opts.url, { method: 'POST', headers, body: JSON.stringify(batch), signal: AbortSignal.timeout(10_000) })
      .then(async (res) => {
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        this.stats.batches++;
        this.stats.points += batch.length;
      })
      .catch((err: Error) => {
        // The batch is not retried: a simulator has more where it came from.
        this.stats.failedBatches++;
        this.logger.warn('http ingest: batch refused', { url: this.opts.url, points: batch.length, err: err.message });
      })
      .finally(() => {
        this.inFlight = null;
      });
  }
}
