/**
 * All analysis of one car in one session: frame ordering and de-duplication, laps and sectors,
 * tyre stress, the degradation model and alerts. `ingest` returns what the frame completed
 * (laps, insights, alerts); most frames complete nothing and get a shared empty array.
 */
import type { Alert, Insight, LapSummary, TelemetryFrame } from '@pitwall/proto';
import { AlertMonitor, initialAlertState, type AlertState } from './alerts';
import type { AnalysisConfig } from './config';
import { DegradationModel, initialDegradationState, type DegradationState, type FitOutcome } from './degradation-model';
import { buildInsight } from './insight';
import { describeLapFlags, LapFlag, sectorTimesS, UNTIMED_FLAGS, type LapState } from './lap-state';
import { initialTrackerState, LapTracker, type LapTrackerListener, type TrackerState } from './lap-tracker';
import { decodeState, encodeState, SnapshotError } from './snapshot';
import { lookupTrack, type TrackInfo } from './tracks';
import { num } from './values';

export type Output = { kind: 'lap'; lap: LapSummary } | { kind: 'insight'; insight: Insight } | { kind: 'alert'; alert: Alert };

const NO_OUTPUT: readonly Output[] = Object.freeze([]);

export interface CarStats {
  accepted: number;
  /** Sequence not newer and time not later: a duplicate, a redelivery or replay, or out of order. */
  stale: number;
  /** Newer sequence but older source time: arrived out of order, too late to use. */
  late: number;
  /** Sequence numbering or source clock started over. */
  restarts: number;
  /** No usable source time. */
  rejected: number;
  /** Clean laps the model fitted, and those it left out (with the last reason). */
  fittedLaps: number;
  excludedLaps: number;
  lastExclusion: string;
}

export interface CarSnapshot {
  version: 1;
  sessionId: string;
  carId: string;
  track: string;
  driverName: string;
  lastSequence: number;
  lastTimeUs: number;
  stats: CarStats;
  tracker: unknown;
  model: unknown;
  alerts: unknown;
}

function initialStats(): CarStats {
  return { accepted: 0, stale: 0, late: 0, restarts: 0, rejected: 0, fittedLaps: 0, excludedLaps: 0, lastExclusion: '' };
}

export class CarAnalyzer implements LapTrackerListener {
  readonly trackInfo: TrackInfo;
  private readonly tracker: LapTracker;
  private readonly model: DegradationModel;
  private readonly alerts: AlertMonitor;
  private out: Output[] | null = null;
  private driverName = '';
  private lastSequence = 0;
  private lastTimeUs = Number.NaN;
  private stats: CarStats = initialStats();

  constructor(
    readonly sessionId: string,
    readonly carId: string,
    readonly track: string,
    private readonly config: AnalysisConfig,
    restored?: { tracker: TrackerState; model: DegradationState; alerts: AlertState },
  ) {
    this.trackInfo = lookupTrack(track);
    this.tracker = new LapTracker(this.trackInfo, config.laps, config.tyreStress, this, restored?.tracker);
    this.model = new DegradationModel(config.degradation, restored?.model);
    const identity = { sessionId, carId, currentLap: () => this.tracker.lap.lap };
    this.alerts = new AlertMonitor(config.alerts, identity, (alert) => this.push({ kind: 'alert', alert }), restored?.alerts);
  }

  /** Source time of the last accepted frame (NaN before the first). */
  get lastSeenUs(): number {
    return this.lastTimeUs;
  }

  get statistics(): Readonly<CarStats> {
    return this.stats;
  }

  ingest(frame: TelemetryFrame): readonly Output[] {
    const t = num(frame.sourceTimeUs);
    if (Number.isNaN(t)) {
      this.stats.rejected++;
      return NO_OUTPUT;
    }
    const sequence = frame.sequence ?? 0;
    if (!Number.isNaN(this.lastTimeUs)) {
      if (sequence > this.lastSequence && t < this.lastTimeUs - this.config.clockResetUs) {
        // The source's clock started over (a device reboot): close the lap, start afresh.
        this.stats.restarts++;
        this.tracker.restart(this.lastTimeUs);
      } else if (sequence <= this.lastSequence) {
        if (t <= this.lastTimeUs) {
          this.stats.stale++;
          return NO_OUTPUT;
        }
        this.stats.restarts++; // the collector restarted its sequence; time moves on
      } else if (t < this.lastTimeUs) {
        this.stats.late++;
        return NO_OUTPUT;
      }
    }
    this.lastSequence = sequence;
    this.lastTimeUs = t;
    this.stats.accepted++;
    if (frame.driverName) this.driverName = frame.driverName;
    this.tracker.ingest(frame, t);
    this.alerts.onFrame(frame, t);
    return this.flush();
  }

  /** Time-driven rules (data dropout); `nowUs` is on the frames' source clock. */
  tick(nowUs: number): readonly Output[] {
    this.alerts.tick(nowUs);
    return this.flush();
  }

  /** The car is being dropped: emit its unfinished lap as abandoned and clear open alerts. */
  close(atUs: number): readonly Output[] {
    this.tracker.abandon(atUs);
    this.alerts.clearAll(atUs, `car ${this.carId} no longer tracked`);
    return this.flush();
  }

  snapshot(): CarSnapshot {
    return {
      version: 1,
      sessionId: this.sessionId,
      carId: this.carId,
      track: this.track,
      driverName: this.driverName,
      lastSequence: this.lastSequence,
      lastTimeUs: encodeState(this.lastTimeUs) as number,
      stats: { ...this.stats },
      tracker: encodeState(this.tracker.state),
      model: encodeState(this.model.state),
      alerts: encodeState(this.alerts.state),
    };
  }

  static restore(snapshot: CarSnapshot, config: AnalysisConfig): CarAnalyzer {
    if (!snapshot || snapshot.version !== 1) throw new SnapshotError(`unsupported version ${String(snapshot?.version)}`);
    if (typeof snapshot.sessionId !== 'string' || typeof snapshot.carId !== 'string' || typeof snapshot.track !== 'string') {
      throw new SnapshotError('sessionId, carId and track must be strings');
    }
    const where = `${snapshot.sessionId}/${snapshot.carId}`;
    const sectors = lookupTrack(snapshot.track).sectorStarts.length + 1;
    const restored = {
      tracker: decodeState(initialTrackerState(sectors), snapshot.tracker, `${where}.tracker`),
      model: decodeState(initialDegradationState(), snapshot.model, `${where}.model`),
      alerts: decodeState(initialAlertState(), snapshot.alerts, `${where}.alerts`),
    };
    const car = new CarAnalyzer(snapshot.sessionId, snapshot.carId, snapshot.track, config, restored);
    car.driverName = String(snapshot.driverName ?? '');
    car.lastSequence = decodeState(0, snapshot.lastSequence, `${where}.lastSequence`);
    car.lastTimeUs = decodeState(0, snapshot.lastTimeUs, `${where}.lastTimeUs`);
    car.stats = decodeState(initialStats(), snapshot.stats, `${where}.stats`);
    return car;
  }

  onSectorComplete(lap: LapState, sector: number, atUs: number): void {
    this.push({ kind: 'insight', insight: buildInsight(this, lap, sector, atUs, this.model.estimate()) });
  }

  onLapComplete(lap: LapState, endUs: number): void {
    const summary = this.summarise(lap, endUs);
    this.push({ kind: 'lap', lap: summary });
    if (summary.valid) this.recordFit(this.model.observe({
      lapTimeS: summary.lapTimeS!,
      tyreAgeLaps: lap.tyreAgeAtStart,
      cumulativeStressAtStart: lap.stintStressAtStart,
      lapStress: lap.stress,
    }));
    this.push({ kind: 'insight', insight: buildInsight(this, lap, undefined, endUs, this.model.estimate()) });
    const timed = lap.startedAtLine && (lap.flags & UNTIMED_FLAGS) === 0;
    this.alerts.onLap({ lap: lap.lap, lapTimeS: summary.lapTimeS!, timed, valid: summary.valid === true }, endUs);
  }

  private summarise(lap: LapState, endUs: number): LapSummary {
    const valid = lap.startedAtLine && lap.flags === 0;
    const summary: LapSummary = {
      sessionId: this.sessionId,
      carId: this.carId,
      track: this.track,
      lap: lap.lap,
      lapTimeS: Math.max(0, (endUs - lap.startUs) / 1e6),
      sectorTimesS: sectorTimesS(lap, endUs),
      maxSpeedKmh: Number.isFinite(lap.maxSpeedKmh) ? lap.maxSpeedKmh : 0,
      avgSpeedKmh: lap.integratedUs > 0 ? lap.speedIntegral / lap.integratedUs : 0,
      throttleShare: lap.integratedUs > 0 ? lap.throttleUs / lap.integratedUs : 0,
      brakeShare: lap.integratedUs > 0 ? lap.brakeUs / lap.integratedUs : 0,
      tyreStress: lap.stress,
      sectorTyreStress: lap.sectorStress.slice(),
      valid,
      invalidReason: valid ? '' : describeLapFlags(lap.flags, lap.startedAtLine),
      startedAtUs: lap.startUs,
      completedAtUs: endUs,
      frames: lap.frames,
      driverName: this.driverName,
    };
    if (lap.fuelSeen) summary.fuelUsedKg = lap.fuelUsedKg;
    if (lap.flags & LapFlag.DATA_GAP) summary.invalidReason += ` (longest ${(lap.largestGapUs / 1e6).toFixed(1)} s)`;
    return summary;
  }

  private recordFit(outcome: FitOutcome): void {
    if (outcome === 'fitted' || outcome === 'restarted') this.stats.fittedLaps++;
    else {
      this.stats.excludedLaps++;
      this.stats.lastExclusion = outcome;
    }
  }

  private push(output: Output): void {
    (this.out ??= []).push(output);
  }

  private flush(): readonly Output[] {
    const out = this.out;
    if (out === null) return NO_OUTPUT;
    this.out = null;
    return out;
  }
}
