/**
 * Alert rules for one car. Each rule is an episode with hysteresis: it is raised once when its
 * condition has held long enough, and cleared (same alert_id, cleared = true) when a stricter
 * "back to normal" condition has held long enough, so a value hovering at a threshold does not
 * flap. Evidence values travel with both messages.
 */
import { AlertSeverity, type Alert, type TelemetryFrame } from '@pitwall/proto';
import { finiteOr0, num } from './values';

export type AlertCode = 'HIGH_RPM' | 'TYRE_OVERHEAT' | 'CRASH' | 'LOW_FUEL' | 'DATA_DROPOUT' | 'LAP_TIME_DROP';

export interface AlertConfig {
  /** Over-rev: rpm above the limit for longer than overRevMs; clears below limit × rpmClearShare. */
  rpmLimit: number;
  /**
   * Limits by car: the first key found (case-insensitive) in the frame's car_model replaces
   * rpmLimit for that car, e.g. { gr86: 7500, sf15: 13500 }.
   */
  rpmLimitByCarModel: Record<string, number>;
  overRevMs: number;
  rpmClearShare: number;
  /** Any tyre surface above the limit for tyreOverheatMs; clears when all are clearMargin below. */
  tyreOverheatC: number;
  tyreOverheatMs: number;
  tyreClearMarginC: number;
  /** Crash: g_lon below −crashDecelG, or a speed drop of crashSpeedDropKmh within crashWindowMs. */
  crashDecelG: number;
  crashSpeedDropKmh: number;
  crashWindowMs: number;
  /** A crash episode ends when the car runs above this speed again (or, with no speed, quietly). */
  crashRecoverSpeedKmh: number;
  /** Low fuel below the threshold for lowFuelMs (sloshing); clears after refuelling past the margin. */
  lowFuelKg: number;
  lowFuelMs: number;
  lowFuelClearMarginKg: number;
  /** No frame from the car for longer than this, checked by tick(). */
  dropoutMs: number;
  /** A timed lap slower than best × (1 + share); clears on a lap within best × (1 + clearShare). */
  lapTimeDropShare: number;
  lapTimeClearShare: number;
  /** How long a "back to normal" condition must hold before an episode clears. */
  clearHoldMs: number;
}

export const DEFAULT_ALERTS: AlertConfig = {
  rpmLimit: 9000,
  rpmLimitByCarModel: {},
  overRevMs: 300,
  rpmClearShare: 0.97,
  tyreOverheatC: 115,
  tyreOverheatMs: 1000,
  tyreClearMarginC: 5,
  crashDecelG: 8,
  crashSpeedDropKmh: 100,
  crashWindowMs: 400,
  crashRecoverSpeedKmh: 30,
  lowFuelKg: 5,
  lowFuelMs: 2000,
  lowFuelClearMarginKg: 2,
  dropoutMs: 3000,
  lapTimeDropShare: 0.05,
  lapTimeClearShare: 0.025,
  clearHoldMs: 1000,
};

const SEVERITY: Record<AlertCode, AlertSeverity> = {
  HIGH_RPM: AlertSeverity.ALERT_SEVERITY_WARNING,
  TYRE_OVERHEAT: AlertSeverity.ALERT_SEVERITY_WARNING,
  CRASH: AlertSeverity.ALERT_SEVERITY_CRITICAL,
  LOW_FUEL: AlertSeverity.ALERT_SEVERITY_WARNING,
  DATA_DROPOUT: AlertSeverity.ALERT_SEVERITY_WARNING,
  LAP_TIME_DROP: AlertSeverity.ALERT_SEVERITY_INFO,
};

export const ALERT_CODES: readonly AlertCode[] = Object.keys(SEVERITY) as AlertCode[];

interface EpisodeState {
  active: boolean;
  raisedAtUs: number;
  /** Since when the raise condition has held (NaN: it does not). */
  raiseSinceUs: number;
  /** Since when the clear condition has held while active (NaN: it does not). */
  clearSinceUs: number;
  /** Worst value seen in the episode (rule-specific: rpm, °C, kg, s). */
  peak: number;
  evidence: Record<string, number>;
}

/** Speed history for the crash rule: buckets of crashWindow/BUCKETS_PER_WINDOW holding the max. */
const RING_CAPACITY = 64;
const BUCKETS_PER_WINDOW = 32;

export interface AlertState {
  episodes: Record<AlertCode, EpisodeState>;
  ringUs: number[];
  ringKmh: number[];
  ringHead: number;
  ringSize: number;
  lastFrameUs: number;
  bestLapS: number;
  /** This car's rpm limit once its car model is known (NaN until then: config.rpmLimit). */
  rpmLimit: number;
}

export function initialAlertState(): AlertState {
  const episodes = {} as Record<AlertCode, EpisodeState>;
  for (const code of ALERT_CODES) {
    episodes[code] = { active: false, raisedAtUs: 0, raiseSinceUs: Number.NaN, clearSinceUs: Number.NaN, peak: Number.NaN, evidence: {} };
  }
  return {
    episodes,
    ringUs: new Array<number>(RING_CAPACITY).fill(0),
    ringKmh: new Array<number>(RING_CAPACITY).fill(0),
    ringHead: 0,
    ringSize: 0,
    lastFrameUs: Number.NaN,
    bestLapS: Number.NaN,
    rpmLimit: Number.NaN,
  };
}

export interface AlertIdentity {
  readonly sessionId: string;
  readonly carId: string;
  currentLap(): number;
}

/** A completed lap as the lap-time rule sees it. */
export interface TimedLap {
  lap: number;
  lapTimeS: number;
  /** Usable for pace comparison at all (not a pit, out, partial or broken lap). */
  timed: boolean;
  /** Clean enough to set the reference best. */
  valid: boolean;
}

export class AlertMonitor {
  constructor(
    private readonly config: AlertConfig,
    private readonly identity: AlertIdentity,
    private readonly emit: (alert: Alert) => void,
    readonly state: AlertState = initialAlertState(),
  ) {}

  onFrame(frame: TelemetryFrame, t: number): void {
    const s = this.state;
    const cfg = this.config;
    const dropout = s.episodes.DATA_DROPOUT;
    if (dropout.active) {
      dropout.evidence.silent_s = (t - s.lastFrameUs) / 1e6;
      this.clear('DATA_DROPOUT', t, `data from car ${this.identity.carId} resumed after ${dropout.evidence.silent_s.toFixed(1)} s`);
    }
    s.lastFrameUs = t;

    const rpm = num(frame.rpm);
    if (!Number.isNaN(rpm)) {
      if (Number.isNaN(s.rpmLimit) && frame.carModel) s.rpmLimit = this.rpmLimitFor(frame.carModel);
      const limit = Number.isNaN(s.rpmLimit) ? cfg.rpmLimit : s.rpmLimit;
      const event = this.step(this.state.episodes.HIGH_RPM, t, rpm > limit, cfg.overRevMs, rpm < limit * cfg.rpmClearShare, rpm);
      if (event === RAISE) {
        this.raise('HIGH_RPM', t, `rpm ${Math.round(rpm)} above ${limit} for over ${cfg.overRevMs} ms`, { rpm, limit_rpm: limit });
      } else if (event === CLEAR) this.clear('HIGH_RPM', t, `rpm back below ${Math.round(limit * cfg.rpmClearShare)}`);
    }

    const temps = frame.tyreSurfaceTempC;
    if (temps) this.checkTyres(t, num(temps.rl), num(temps.rr), num(temps.fl), num(temps.fr));

    this.checkCrash(frame, t);

    const fuel = num(frame.fuelKg);
    if (!Number.isNaN(fuel)) {
      const event = this.step(this.state.episodes.LOW_FUEL, t, fuel < cfg.lowFuelKg, cfg.lowFuelMs, fuel > cfg.lowFuelKg + cfg.lowFuelClearMarginKg, -fuel);
      if (event === RAISE) this.raise('LOW_FUEL', t, `fuel ${fuel.toFixed(1)} kg below ${cfg.lowFuelKg} kg`, { fuel_kg: fuel, threshold_kg: cfg.lowFuelKg });
      else if (event === CLEAR) this.clear('LOW_FUEL', t, `refuelled to ${fuel.toFixed(1)} kg`);
    }
  }

  /** Raise DATA_DROPOUT when the car has been silent longer than the limit at time `nowUs`. */
  tick(nowUs: number): void {
    const s = this.state;
    const episode = s.episodes.DATA_DROPOUT;
    if (episode.active || Number.isNaN(s.lastFrameUs)) return;
    const silentUs = nowUs - s.lastFrameUs;
    if (silentUs > this.config.dropoutMs * 1000) {
      episode.raiseSinceUs = s.lastFrameUs;
      this.raise('DATA_DROPOUT', nowUs, `no data from car ${this.identity.carId} for ${(silentUs / 1e6).toFixed(1)} s`, {
        silent_s: silentUs / 1e6,
        threshold_s: this.config.dropoutMs / 1000,
      });
    }
  }

  onLap(lap: TimedLap, atUs: number): void {
    const s = this.state;
    const cfg = this.config;
    if (!lap.timed || !(lap.lapTimeS > 0)) return;
    const best = s.bestLapS;
    if (best > 0) {
      const episode = s.episodes.LAP_TIME_DROP;
      const threshold = best * (1 + cfg.lapTimeDropShare);
      if (!episode.active && lap.lapTimeS > threshold) {
        this.raise('LAP_TIME_DROP', atUs, `lap ${lap.lap} ${lap.lapTimeS.toFixed(3)} s is ${((lap.lapTimeS / best - 1) * 100).toFixed(1)} % off the best ${best.toFixed(3)} s`, {
          lap_time_s: lap.lapTimeS,
          best_lap_s: best,
          threshold_s: threshold,
          ratio: lap.lapTimeS / best,
        });
      } else if (episode.active && lap.lapTimeS <= best * (1 + cfg.lapTimeClearShare)) {
        episode.evidence.lap_time_s = lap.lapTimeS;
        this.clear('LAP_TIME_DROP', atUs, `lap ${lap.lap} back within ${(cfg.lapTimeClearShare * 100).toFixed(1)} % of the best`);
      }
    }
    if (lap.valid && !(lap.lapTimeS >= best)) s.bestLapS = lap.lapTimeS;
  }

  /** Clear every open episode (the car is being dropped). */
  clearAll(atUs: number, reason: string): void {
    for (const code of ALERT_CODES) if (this.state.episodes[code].active) this.clear(code, atUs, reason);
  }

  private rpmLimitFor(carModel: string): number {
    const model = carModel.toLowerCase();
    for (const [key, limit] of Object.entries(this.config.rpmLimitByCarModel)) {
      if (model.includes(key.toLowerCase())) return limit;
    }
    return this.config.rpmLimit;
  }

  private checkTyres(t: number, rl: number, rr: number, fl: number, fr: number): void {
    const cfg = this.config;
    const hottest = Math.max(finiteOrLow(rl), finiteOrLow(rr), finiteOrLow(fl), finiteOrLow(fr));
    if (hottest === LOW) return;
    const event = this.step(this.state.episodes.TYRE_OVERHEAT, t, hottest > cfg.tyreOverheatC, cfg.tyreOverheatMs, hottest < cfg.tyreOverheatC - cfg.tyreClearMarginC, hottest);
    if (event === RAISE) {
      this.raise('TYRE_OVERHEAT', t, `tyre surface ${hottest.toFixed(0)} °C above ${cfg.tyreOverheatC} °C`, {
        max_c: hottest,
        limit_c: cfg.tyreOverheatC,
        tyre_rl_c: finiteOr0(rl),
        tyre_rr_c: finiteOr0(rr),
        tyre_fl_c: finiteOr0(fl),
        tyre_fr_c: finiteOr0(fr),
      });
    } else if (event === CLEAR) this.clear('TYRE_OVERHEAT', t, `tyres back below ${cfg.tyreOverheatC - cfg.tyreClearMarginC} °C`);
  }

  private checkCrash(frame: TelemetryFrame, t: number): void {
    const cfg = this.config;
    const gLon = num(frame.gLon);
    const speed = num(frame.speedKmh);
    let before = Number.NaN;
    if (!Number.isNaN(speed)) {
      this.pushSpeed(t, speed);
      before = this.maxSpeedSince(t - cfg.crashWindowMs * 1000);
    }
    // In the pit lane a sudden stop is a teleport to the garage (a sim's "return to pits"), not a crash.
    const inPit = frame.inPit === true;
    const hardStop = !inPit && gLon < -cfg.crashDecelG;
    const bigDrop = !inPit && before - speed >= cfg.crashSpeedDropKmh;
    const recovered = Number.isNaN(speed) ? !hardStop : speed > cfg.crashRecoverSpeedKmh && !hardStop && !bigDrop;
    const event = this.step(this.state.episodes.CRASH, t, hardStop || bigDrop, 0, recovered, -(Number.isNaN(gLon) ? 0 : gLon));
    if (event === RAISE) {
      this.raise('CRASH', t, hardStop ? `deceleration ${(-gLon).toFixed(1)} g` : `speed fell ${(before - speed).toFixed(0)} km/h within ${cfg.crashWindowMs} ms`, {
        g_lon: finiteOr0(gLon),
        speed_before_kmh: finiteOr0(before),
        speed_kmh: finiteOr0(speed),
        drop_kmh: finiteOr0(before - speed),
        window_s: cfg.crashWindowMs / 1000,
        lap_distance_m: finiteOr0(num(frame.lapDistanceM)),
      });
    } else if (event === CLEAR) this.clear('CRASH', t, 'car moving again');
  }

  /**
   * Raise/clear state machine of one episode (passed itself: looking it up by a code variable is a
   * keyed lookup on every frame). `peak` is the value tracked as the episode's worst
   * (larger is worse). Returns RAISE, CLEAR or NONE.
   */
  private step(e: EpisodeState, t: number, raiseCondition: boolean, raiseHoldMs: number, clearCondition: boolean, peak: number): number {
    if (!e.active) {
      if (!raiseCondition) {
        e.raiseSinceUs = Number.NaN;
        return NONE;
      }
      if (Number.isNaN(e.raiseSinceUs)) e.raiseSinceUs = t;
      return t - e.raiseSinceUs >= raiseHoldMs * 1000 ? RAISE : NONE;
    }
    if (peak > e.peak || Number.isNaN(e.peak)) e.peak = peak;
    if (!clearCondition) {
      e.clearSinceUs = Number.NaN;
      return NONE;
    }
    if (Number.isNaN(e.clearSinceUs)) e.clearSinceUs = t;
    return t - e.clearSinceUs >= this.config.clearHoldMs * 1000 ? CLEAR : NONE;
  }

  private raise(code: AlertCode, t: number, message: string, evidence: Record<string, number>): void {
    const e = this.state.episodes[code];
    e.active = true;
    e.raisedAtUs = t;
    e.clearSinceUs = Number.NaN;
    e.peak = Number.NaN;
    e.evidence = evidence;
    this.emit(this.build(code, e, t, false, message));
  }

  private clear(code: AlertCode, t: number, message: string): void {
    const e = this.state.episodes[code];
    e.evidence.duration_s = (t - e.raisedAtUs) / 1e6;
    if (Number.isFinite(e.peak)) e.evidence.peak = Math.abs(e.peak);
    this.emit(this.build(code, e, t, true, message));
    e.active = false;
    e.raiseSinceUs = Number.NaN;
    e.clearSinceUs = Number.NaN;
    e.peak = Number.NaN;
    e.evidence = {};
  }

  private build(code: AlertCode, e: EpisodeState, t: number, cleared: boolean, message: string): Alert {
    const { sessionId, carId } = this.identity;
    return {
      alertId: `${sessionId}:${carId}:${code}:${e.raisedAtUs}`,
      sessionId,
      carId,
      code,
      severity: SEVERITY[code],
      message,
      cleared,
      raisedAtUs: e.raisedAtUs,
      atUs: t,
      evidence: { ...e.evidence },
      lap: this.identity.currentLap(),
    };
  }

  private pushSpeed(t: number, speed: number): void {
    const s = this.state;
    const bucketUs = (this.config.crashWindowMs * 1000) / BUCKETS_PER_WINDOW;
    const newest = (s.ringHead + RING_CAPACITY - 1) % RING_CAPACITY;
    if (s.ringSize > 0 && t - s.ringUs[newest]! < bucketUs) {
      // Same bucket: keep its maximum (so the window covers its span at any sample rate).
      if (speed > s.ringKmh[newest]!) s.ringKmh[newest] = speed;
      return;
    }
    s.ringUs[s.ringHead] = t;
    s.ringKmh[s.ringHead] = speed;
    s.ringHead = (s.ringHead + 1) % RING_CAPACITY;
    if (s.ringSize < RING_CAPACITY) s.ringSize++;
  }

  private maxSpeedSince(sinceUs: number): number {
    const s = this.state;
    let max = Number.NaN;
    for (let i = 1; i <= s.ringSize; i++) {
      const index = (s.ringHead + RING_CAPACITY - i) % RING_CAPACITY;
      if (s.ringUs[index]! < sinceUs) break;
      if (!(s.ringKmh[index]! <= max)) max = s.ringKmh[index]!;
    }
    return max;
  }
}

const NONE = 0;
const RAISE = 1;
const CLEAR = 2;
const LOW = -Infinity;

function finiteOrLow(value: number): number {
  return Number.isFinite(value) ? value : LOW;
}
