/**
 * Lap and sector detection with per-lap integration for one car, frame by frame.
 *
 * Laps come from the source's lap counter when it has one, otherwise from the lap position
 * wrapping (lap distance over the lap length, or the normalised position). The line and sector
 * crossing times are interpolated between the two samples either side, and each interval between
 * samples is integrated (speed, inputs, tyre stress, fuel) and split at those crossings, so the
 * sector figures add up to the lap's. Frames must arrive in time order: the car analyzer drops
 * duplicates and late frames before they get here.
 */
import type { TelemetryFrame } from '@pitwall/proto';
import { LapFlag, newLapState, resetLapState, type LapState } from './lap-state';
import type { TrackInfo } from './tracks';
import { finiteOr0, num } from './values';
import { gFromSpeedChange, gFromYawRate, stressRate, temperatureWeight, type TyreStressConfig } from './tyre-stress';

export interface LapTrackerConfig {
  /** An interval longer than this is not integrated and flags the lap (data gap). */
  maxGapUs: number;
  /** A counter change within this long after the position wrapped is the same line crossing. */
  lineToleranceUs: number;
  /** A first sample within this share of the lap after the line counts as a start at the line. */
  startToleranceShare: number;
  /** A forward move faster than this (or any backward move over jumpMinShare) is a jump. */
  maxPlausibleSpeedKmh: number;
  jumpMinShare: number;
  /** An observed lap this far (share) from the table's length replaces it (different layout). */
  lengthMismatchShare: number;
  /** Throttle or brake above this counts towards the lap's throttle/brake share. */
  pedalOnThreshold: number;
  /** Mean tyre wear may drop by less than this across a pit stop and still be the same set. */
  sameTyresWearTolerance: number;
}

export const DEFAULT_LAP_TRACKER: LapTrackerConfig = {
  maxGapUs: 2_000_000,
  lineToleranceUs: 3_000_000,
  startToleranceShare: 0.005,
  maxPlausibleSpeedKmh: 450,
  jumpMinShare: 0.02,
  lengthMismatchShare: 0.05,
  pedalOnThreshold: 0.05,
  sameTyresWearTolerance: 0.01,
};

/** What the tracker reports; the car analyzer turns these into outputs. */
export interface LapTrackerListener {
  onSectorComplete(lap: LapState, sector: number, atUs: number): void;
  onLapComplete(lap: LapState, endUs: number): void;
}

export interface TrackerState {
  hasPrevious: boolean;
  prevUs: number;
  prevFraction: number;
  prevDistanceM: number;
  prevSpeedKmh: number;
  prevGLat: number;
  prevGLon: number;
  prevSteer: number;
  prevYaw: number;
  prevThrottle: number;
  prevBrake: number;
  prevFuelKg: number;
  prevTempWeight: number;
  prevInPit: boolean;
  prevCounter: number;
  counterSeen: boolean;
  ownLapCount: number;
  observedLengthM: number;
  lastWrapUs: number;
  tyreAgeLaps: number;
  stintStress: number;
  pitEntryWear: number;
  lap: LapState;
}

export function initialTrackerState(sectors: number): TrackerState {
  return {
    hasPrevious: false,
    prevUs: 0,
    prevFraction: Number.NaN,
    prevDistanceM: Number.NaN,
    prevSpeedKmh: Number.NaN,
    prevGLat: Number.NaN,
    prevGLon: Number.NaN,
    prevSteer: Number.NaN,
    prevYaw: Number.NaN,
    prevThrottle: Number.NaN,
    prevBrake: Number.NaN,
    prevFuelKg: Number.NaN,
    prevTempWeight: 1,
    prevInPit: false,
    prevCounter: 0,
    counterSeen: false,
    ownLapCount: 0,
    observedLengthM: Number.NaN,
    lastWrapUs: Number.NaN,
    tyreAgeLaps: 0,
    stintStress: 0,
    pitEntryWear: Number.NaN,
    lap: newLapState(sectors),
  };
}

function meanWear(frame: TelemetryFrame): number {
  const w = frame.tyreWear;
  if (!w) return Number.NaN;
  return (num(w.rl) + num(w.rr) + num(w.fl) + num(w.fr)) / 4;
}

const enum Boundary {
  None,
  Line,
  Skip,
  Restart,
}

/**
 * The channels of the frame being ingested as plain numbers (NaN: not sent), one per tracker and
 * refilled per frame. The helpers read it rather than take the values as arguments: each double
 * passed to a call the compiler does not inline is boxed, an allocation per value per frame.
 */
class Sample {
  distance = Number.NaN;
  fraction = Number.NaN;
  speed = Number.NaN;
  gLat = Number.NaN;
  gLon = Number.NaN;
  steer = Number.NaN;
  yaw = Number.NaN;
  fuel = Number.NaN;
  tempWeight = 1;
}

export class LapTracker {
  private readonly starts: readonly number[];
  private readonly sample = new Sample();
  // Rates of the interval being integrated (set per frame; fields avoid per-frame objects).
  private rateSpeed = 0;
  private rateThrottle = 0;
  private rateBrake = 0;
  private rateStress = 0;
  private rateFuel = 0;

  constructor(
    private readonly track: TrackInfo,
    private readonly config: LapTrackerConfig,
    private readonly stress: TyreStressConfig,
    private readonly listener: LapTrackerListener,
    readonly state: TrackerState = initialTrackerState(track.sectorStarts.length + 1),
  ) {
    this.starts = track.sectorStarts;
  }

  get lap(): LapState {
    return this.state.lap;
  }

  /** The lap length positions are measured against: observed if it differs from the table. */
  lengthM(): number {
    const observed = this.state.observedLengthM;
    if (observed > 0) return observed;
    return this.track.lengthM ?? Number.NaN;
  }

  ingest(frame: TelemetryFrame, t: number): void {
    const s = this.state;
    const cfg = this.config;
    const c = this.sample;
    const length = this.lengthM();
    let distance = num(frame.lapDistanceM);
    // F1 reports distance behind the line as negative before the first crossing.
    if (distance < 0 && length > 0) distance += length;
    const normalised = num(frame.normalizedPosition);
    const fraction = distance >= 0 && length > 0 ? distance / length : normalised;
    const counter = frame.lap ?? 0;
    const inPit = frame.inPit === true;
    const speed = num(frame.speedKmh);
    const gLat = num(frame.gLat);
    const gLon = num(frame.gLon);
    const steer = num(frame.steer);
    const yaw = num(frame.yawRad);
    const throttle = num(frame.throttle);
    const brake = num(frame.brake);
    const fuel = num(frame.fuelKg);
    const temps = frame.tyreSurfaceTempC;
    const tempWeight = temps ? temperatureWeight(num(temps.rl), num(temps.rr), num(temps.fl), num(temps.fr), this.stress) : 1;
    c.distance = distance;
    c.fraction = fraction;
    c.speed = speed;
    c.gLat = gLat;
    c.gLon = gLon;
    c.steer = steer;
    c.yaw = yaw;
    c.fuel = fuel;
    c.tempWeight = tempWeight;

    if (!s.hasPrevious) {
      const atLine = fraction >= 0 && fraction <= cfg.startToleranceShare;
      const startUs = atLine ? this.lineTimeBefore(t, distance, fraction, speed) : t;
      this.startLap(this.lapNumberFor(counter), startUs, atLine, atLine ? 0 : fraction);
    } else {
      const dt = t - s.prevUs;
      const gap = dt > cfg.maxGapUs;
      this.setRates(dt, gap);
      if (gap) {
        s.lap.flags |= LapFlag.DATA_GAP;
        if (dt > s.lap.largestGapUs) s.lap.largestGapUs = dt;
      }
      this.advance(frame, t, counter);
      // A lap that began inside the gap has an uncertain start as well.
      if (gap && s.lap.startUs >= s.prevUs) s.lap.flags |= LapFlag.DATA_GAP;
    }

    this.trackPit(frame, inPit);
    const lap = s.lap;
    if (inPit) lap.flags |= LapFlag.PIT;
    if (frame.lapInvalid === true) lap.flags |= LapFlag.SOURCE_INVALID;
    lap.frames++;
    if (speed > lap.maxSpeedKmh || Number.isNaN(lap.maxSpeedKmh)) lap.maxSpeedKmh = speed;
    if (distance > lap.maxDistanceM || Number.isNaN(lap.maxDistanceM)) lap.maxDistanceM = distance;
    if (fuel >= 0) lap.fuelSeen = true;

    s.hasPrevious = true;
    s.prevUs = t;
    s.prevFraction = fraction;
    s.prevDistanceM = distance;
    s.prevSpeedKmh = speed;
    s.prevGLat = gLat;
    s.prevGLon = gLon;
    s.prevSteer = steer;
    s.prevYaw = yaw;
    s.prevThrottle = throttle;
    s.prevBrake = brake;
    s.prevFuelKg = fuel;
    s.prevTempWeight = tempWeight;
    s.prevInPit = inPit;
    s.prevCounter = counter;
    if (counter > 0) s.counterSeen = true;
  }

  /** Close the lap in progress without a line crossing (the car is being dropped). */
  abandon(atUs: number): void {
    this.endWithoutLine(LapFlag.ABANDONED, atUs);
  }

  /** The source started over (its clock went back): close the lap, new tyres, fresh start. */
  restart(atUs: number): void {
    this.endWithoutLine(LapFlag.SOURCE_RESTART, atUs);
    this.resetStint();
  }

  private endWithoutLine(flag: number, atUs: number): void {
    const s = this.state;
    if (!s.hasPrevious) return;
    s.lap.flags |= flag;
    this.listener.onLapComplete(s.lap, atUs);
    s.hasPrevious = false;
    s.lastWrapUs = Number.NaN;
  }

  private advance(frame: TelemetryFrame, t: number, counter: number): void {
    const s = this.state;
    const fraction = this.sample.fraction;
    const distance = this.sample.distance;
    const prevFraction = s.prevFraction;
    const prevUs = s.prevUs;

    // Did the position wrap past the line between the two samples, and when?
    let wrapped = false;
    let wrapUs = Number.NaN;
    if (prevFraction >= 0 && fraction >= 0) {
      if (prevFraction - fraction > 0.5) {
        wrapped = true;
        wrapUs = interpolate(prevUs, t, Math.max(0, 1 - prevFraction), fraction);
        this.extendLapEnd(distance, t - prevUs);
      }
    } else if (s.prevDistanceM >= 0 && distance >= 0 && s.lap.maxDistanceM > 0) {
      // Unknown track, no normalised position, length not observed yet: raw distance wraps.
      if (s.prevDistanceM - distance > 0.5 * s.lap.maxDistanceM) {
        wrapped = true;
        this.extendLapEnd(distance, t - prevUs);
        wrapUs = interpolate(prevUs, t, s.lap.maxDistanceM - s.prevDistanceM, distance);
      }
    }

    let boundary = Boundary.None;
    if (counter > 0 || s.counterSeen) {
      if (counter === s.prevCounter) {
        if (wrapped) s.lastWrapUs = wrapUs;
      } else if (counter === s.prevCounter + 1) boundary = Boundary.Line;
      else if (counter > s.prevCounter + 1) boundary = Boundary.Skip;
      else boundary = Boundary.Restart;
    } else if (wrapped) {
      boundary = Boundary.Line;
    }

    if (boundary === Boundary.None) {
      if (!wrapped) this.checkJump(t, frame.inPit === true);
      this.integrate(prevUs, t, prevFraction, wrapped ? Number.NaN : fraction);
      return;
    }

    let crossUs = t;
    if (wrapped) crossUs = wrapUs;
    else if (s.lastWrapUs >= s.lap.startUs && t - s.lastWrapUs <= this.config.lineToleranceUs) crossUs = s.lastWrapUs;
    else {
      const sinceLine = num(frame.currentLapTimeMs) * 1000;
      if (sinceLine >= 0 && t - sinceLine >= prevUs) crossUs = t - sinceLine;
    }
    const splitUs = crossUs < prevUs ? prevUs : crossUs > t ? t : crossUs;
    this.integrate(prevUs, splitUs, prevFraction, wrapped ? 1 : Number.NaN);

    const closing = s.lap;
    if (boundary === Boundary.Skip) closing.flags |= LapFlag.COUNTER_SKIP;
    if (boundary === Boundary.Restart) closing.flags |= LapFlag.SOURCE_RESTART;
    if (s.prevCounter === 0 && s.counterSeen === false && counter > 0) closing.flags |= LapFlag.OUT_LAP;
    this.closeLap(crossUs, boundary !== Boundary.Restart);
    s.lastWrapUs = Number.NaN;
    if (boundary === Boundary.Restart) this.resetStint();

    const atLine = boundary !== Boundary.Restart || (fraction >= 0 && fraction <= this.config.startToleranceShare);
    // At the line the position may not have wrapped yet (counter slightly early): that is 0.
    const startFraction = wrapped || (atLine && fraction > 0.5) ? 0 : fraction;
    this.startLap(this.lapNumberFor(counter), crossUs, atLine, startFraction);
    this.integrate(splitUs, t, wrapped ? 0 : startFraction, fraction);
  }

  /**
   * When the car crossed the line, for a first sample just past it: back from `t` by the distance
   * since the line at the sample's speed (t itself when either is unknown).
   */
  private lineTimeBefore(t: number, distance: number, fraction: number, speedKmh: number): number {
    const sinceLineM = distance >= 0 ? distance : fraction * this.lengthM();
    const speedMs = speedKmh / 3.6;
    return sinceLineM >= 0 && speedMs > 1 ? t - Math.round((sinceLineM / speedMs) * 1e6) : t;
  }

  private lapNumberFor(counter: number): number {
    const s = this.state;
    if (counter > 0 || s.counterSeen) return counter;
    // Without a counter the first lap seen is 0 (out lap / unknown, as the schema counts).
    return s.ownLapCount++;
  }

  private startLap(lapNumber: number, startUs: number, atLine: boolean, startFraction: number): void {
    const s = this.state;
    const lap = s.lap;
    resetLapState(lap, lapNumber, startUs, atLine);
    lap.tyreAgeAtStart = s.tyreAgeLaps;
    lap.stintStressAtStart = s.stintStress;
    // Joined mid-lap: the boundaries already behind the car are missed, not crossed.
    if (!atLine && startFraction >= 0) {
      while (lap.nextSector < this.starts.length && this.starts[lap.nextSector]! <= startFraction) lap.nextSector++;
    }
  }

  private closeLap(endUs: number, observeLength: boolean): void {
    const s = this.state;
    const lap = s.lap;
    if (observeLength) this.observeLength(lap);
    this.listener.onLapComplete(lap, endUs);
    s.tyreAgeLaps++;
  }

  /**
   * The line lies between the last sample of a lap and the first of the next: the distance run
   * in that interval (mean speed × time) minus the distance past the line is the rest of the lap,
   * so the lap's length is known to better than one sample step.
   */
  private extendLapEnd(distance: number, dtUs: number): void {
    const lap = this.state.lap;
    const travelled = (this.rateSpeed / 3.6) * (dtUs / 1e6);
    const end = this.state.prevDistanceM + travelled - distance;
    if (travelled > distance && end > lap.maxDistanceM) lap.maxDistanceM = end;
  }

  /** A clean lap's furthest distance is the source's lap length; adopt it if the table is off. */
  private observeLength(lap: LapState): void {
    if (!lap.startedAtLine || !(lap.maxDistanceM > 0) || lap.flags & (LapFlag.POSITION_JUMP | LapFlag.PIT | LapFlag.DATA_GAP)) return;
    const table = this.track.lengthM;
    if (table === undefined || Math.abs(lap.maxDistanceM - table) > this.config.lengthMismatchShare * table) {
      this.state.observedLengthM = lap.maxDistanceM;
    }
  }

  /** A position jump between the previous sample and the current one, at `t`. */
  private checkJump(t: number, inPit: boolean): void {
    const prevFraction = this.state.prevFraction;
    const fraction = this.sample.fraction;
    if (inPit || !(prevFraction >= 0) || !(fraction >= 0)) return;
    const dtUs = t - this.state.prevUs;
    const length = this.lengthM();
    const plausible = length > 0 ? ((this.config.maxPlausibleSpeedKmh / 3.6) * (dtUs / 1e6)) / length : 0;
    const delta = fraction - prevFraction;
    if (delta > Math.max(this.config.jumpMinShare, plausible) || delta < -this.config.jumpMinShare) {
      this.state.lap.flags |= LapFlag.POSITION_JUMP;
    }
  }

  private trackPit(frame: TelemetryFrame, inPit: boolean): void {
    const s = this.state;
    if (inPit && !s.prevInPit) s.pitEntryWear = meanWear(frame);
    if (!inPit && s.prevInPit) {
      const exitWear = meanWear(frame);
      const sameSet = exitWear >= s.pitEntryWear - this.config.sameTyresWearTolerance;
      if (!sameSet) this.resetStint();
    }
  }

  private resetStint(): void {
    this.state.tyreAgeLaps = 0;
    this.state.stintStress = 0;
  }

  /** Interval rates from the two samples (means), derived channels where the source lacks them. */
  private setRates(dtUs: number, gap: boolean): void {
    const s = this.state;
    if (gap || !(dtUs > 0)) {
      this.rateSpeed = this.rateThrottle = this.rateBrake = this.rateStress = this.rateFuel = 0;
      return;
    }
    const { distance, speed, gLat, gLon, steer, yaw, fuel, tempWeight } = this.sample;
    const dtS = dtUs / 1e6;
    const travelled = distance - s.prevDistanceM;
    let v = (speed + s.prevSpeedKmh) / 2;
    if (Number.isNaN(v) && travelled >= 0) v = (travelled / dtS) * 3.6;
    const lat = Number.isNaN(gLat) || Number.isNaN(s.prevGLat) ? gFromYawRate(yaw - s.prevYaw, v, dtS) : (gLat + s.prevGLat) / 2;
    const lon = Number.isNaN(gLon) || Number.isNaN(s.prevGLon) ? gFromSpeedChange(speed - s.prevSpeedKmh, dtS) : (gLon + s.prevGLon) / 2;
    const steerAbs = (Math.abs(steer) + Math.abs(s.prevSteer)) / 2;
    this.rateStress = stressRate(finiteOr0(lat), finiteOr0(lon), v, steerAbs, (tempWeight + s.prevTempWeight) / 2, this.stress);
    this.rateSpeed = Number.isNaN(v) ? 0 : v;
    // Pedals: zero-order hold of the earlier sample over the interval.
    this.rateThrottle = s.prevThrottle > this.config.pedalOnThreshold ? 1 : 0;
    this.rateBrake = s.prevBrake > this.config.pedalOnThreshold ? 1 : 0;
    const burnt = s.prevFuelKg - fuel;
    this.rateFuel = burnt > 0 ? burnt / dtUs : 0;
  }

  /**
   * Integrate [fromUs, toUs] into the lap in progress, splitting at every sector boundary the
   * position crosses (NaN positions: no crossing can be placed, the time still counts).
   */
  private integrate(fromUs: number, toUs: number, fromFraction: number, toFraction: number): void {
    const lap = this.state.lap;
    let cursor = fromUs;
    while (this.crossesSector(fromFraction, toFraction)) {
      const boundary = this.starts[lap.nextSector]!;
      const crossUs = interpolate(fromUs, toUs, boundary - fromFraction, toFraction - boundary);
      this.accumulate(crossUs - cursor);
      cursor = crossUs;
      const completed = lap.nextSector;
      lap.sectorCrossUs[completed] = crossUs;
      lap.nextSector++;
      this.listener.onSectorComplete(lap, completed, crossUs);
    }
    this.accumulate(toUs - cursor);
  }

  /** Whether a move between the positions crosses the next sector boundary of the lap in progress. */
  private crossesSector(fromFraction: number, toFraction: number): boolean {
    const next = this.state.lap.nextSector;
    if (next >= this.starts.length) return false;
    const boundary = this.starts[next]!;
    return toFraction >= boundary && fromFraction < boundary;
  }

  private accumulate(us: number): void {
    if (!(us > 0)) return;
    const lap = this.state.lap;
    const stress = (this.rateStress * us) / 1e6;
    lap.integratedUs += us;
    lap.speedIntegral += this.rateSpeed * us;
    lap.throttleUs += this.rateThrottle * us;
    lap.brakeUs += this.rateBrake * us;
    lap.stress += stress;
    lap.sectorStress[lap.nextSector] = lap.sectorStress[lap.nextSector]! + stress;
    lap.fuelUsedKg += this.rateFuel * us;
    this.state.stintStress += stress;
  }
}

/** The time at which a quantity that is `before` short of a mark and `after` past it crossed. */
function interpolate(fromUs: number, toUs: number, before: number, after: number): number {
  const total = before + after;
  const share = total > 0 ? before / total : 1;
  const clamped = share < 0 ? 0 : share > 1 ? 1 : share;
  return fromUs + clamped * (toUs - fromUs);
}
