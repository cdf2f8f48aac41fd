/**
 * The analysis of one input partition: one SessionAnalyzer per session on it. A session lives on
 * one partition (frames are keyed by session id), so a partition's state is complete on its own and
 * moves between instances with the partition.
 *
 * Per session rather than one analyzer for the partition because each session has its own clock:
 * source time is wall time for live sources but years back for a replayed CSV, and time-driven
 * rules (data dropout, idle eviction) must run on the session's clock. The session clock is its
 * latest source time advanced by the wall time since that frame arrived (`wallMs` arguments: the
 * caller's clock, which leaves out time spent waiting on outputs). The source also picks the
 * session's default rpm limit (an F1 car revs far past a GR86).
 */
import { DEFAULT_ALERTS, SessionAnalyzer, SnapshotError, type AnalysisConfigOverrides, type AnalyzerSnapshot, type Output } from '@pitwall/race-analysis';
import type { TelemetryFrame } from '@pitwall/proto';
import { sourceName, type AggregatorConfig } from './config';

export type AnalysisLimits = Pick<AggregatorConfig, 'maxSessionsPerPartition' | 'maxCarsPerSession' | 'rpmLimitsByCarModel' | 'rpmLimitsBySource'>;

interface SessionEntry {
  sessionId: string;
  source: number;
  analyzer: SessionAnalyzer;
  /** Latest source time seen in the session, and the wall time it arrived (ms). */
  clockUs: number;
  clockWallMs: number;
}

export interface SessionSnapshot {
  sessionId: string;
  source: number;
  /** null: no frame of the session had a usable source time yet. */
  clockUs: number | null;
  analyzer: AnalyzerSnapshot;
}

export interface PartitionAnalysisStats {
  sessions: number;
  cars: number;
  /** Sessions closed because the partition held maxSessionsPerPartition. */
  sessionsEvictedForCapacity: number;
}

export class PartitionAnalysis {
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly overridesBySource = new Map<number, AnalysisConfigOverrides>();
  /**
   * The session of the previous frame: a batch comes in runs of one session, and comparing the id
   * with it is cheaper than hashing the frame's freshly decoded id for the map. Reset wherever a
   * session leaves the map.
   */
  private recent: SessionEntry | undefined;
  private sessionsEvictedForCapacity = 0;

  constructor(private readonly limits: AnalysisLimits) {}

  get stats(): PartitionAnalysisStats {
    let cars = 0;
    for (const s of this.sessions.values()) cars += s.analyzer.stats.cars;
    return { sessions: this.sessions.size, cars, sessionsEvictedForCapacity: this.sessionsEvictedForCapacity };
  }

  /** Feeds one frame; what it completed is appended to `out`. `wallMs` is when its batch arrived. */
  ingest(frame: TelemetryFrame, wallMs: number, out: Output[]): void {
    const sessionId = frame.sessionId!;
    let entry = this.recent !== undefined && this.recent.sessionId === sessionId ? this.recent : this.sessions.get(sessionId);
    if (!entry) entry = this.open(sessionId, frame.source ?? 0, wallMs, out);
    this.recent = entry;
    const produced = entry.analyzer.ingest(frame);
    for (let i = 0; i < produced.length; i++) out.push(produced[i]!);
    const t = Number(frame.sourceTimeUs);
    if (t > entry.clockUs || Number.isNaN(entry.clockUs)) {
      entry.clockUs = t;
      entry.clockWallMs = wallMs;
    }
  }

  /**
   * Time-driven work at wall time `wallMs`: data-dropout rules, then closing cars silent for
   * `idleUs` on their session's clock and forgetting sessions with no cars left.
   */
  housekeeping(wallMs: number, idleUs: number): Output[] {
    const out: Output[] = [];
    for (const entry of this.sessions.values()) {
      if (Number.isNaN(entry.clockUs)) continue;
      const nowUs = entry.clockUs + (wallMs - entry.clockWallMs) * 1000;
      out.push(...entry.analyzer.tick(nowUs), ...entry.analyzer.evictIdle(nowUs, idleUs));
      if (entry.analyzer.stats.cars === 0) this.forget(entry);
    }
    return out;
  }

  snapshot(): SessionSnapshot[] {
    return [...this.sessions.values()].map((e) => ({ sessionId: e.sessionId, source: e.source, clockUs: Number.isNaN(e.clockUs) ? null : e.clockUs, analyzer: e.analyzer.snapshot() }));
  }

  /** Replaces the state with a snapshot's; throws SnapshotError (nothing replaced) when it does not fit. */
  restore(sessions: SessionSnapshot[], wallMs: number): void {
    if (!Array.isArray(sessions)) throw new SnapshotError('sessions must be an array');
    if (sessions.length > this.limits.maxSessionsPerPartition) {
      throw new SnapshotError(`${sessions.length} sessions exceed AGGREGATOR_MAX_SESSIONS_PER_PARTITION ${this.limits.maxSessionsPerPartition}`);
    }
    const restored = new Map<string, SessionEntry>();
    for (const [i, s] of sessions.entries()) {
      if (!s || typeof s.sessionId !== 'string' || !Number.isInteger(s.source) || (s.clockUs !== null && typeof s.clockUs !== 'number')) {
        throw new SnapshotError(`sessions[${i}]: expected { sessionId, source, clockUs, analyzer }`);
      }
      if (restored.has(s.sessionId)) throw new SnapshotError(`session ${s.sessionId} appears twice`);
      const analyzer = SessionAnalyzer.restore(s.analyzer, this.analyzerOptions(s.source));
      // The wall clock restarts at the restore: the time the partition spent unowned is not silence.
      restored.set(s.sessionId, { sessionId: s.sessionId, source: s.source, analyzer, clockUs: s.clockUs ?? Number.NaN, clockWallMs: wallMs });
    }
    this.clear();
    for (const [id, entry] of restored) this.sessions.set(id, entry);
  }

  /** Forgets every session without emitting anything (the state no longer matches the input). */
  clear(): void {
    this.sessions.clear();
    this.recent = undefined;
  }

  private open(sessionId: string, source: number, wallMs: number, out: Output[]): SessionEntry {
    if (this.sessions.size >= this.limits.maxSessionsPerPartition) this.evictLeastRecentSession(out);
    const entry: SessionEntry = { sessionId, source, analyzer: new SessionAnalyzer(this.analyzerOptions(source)), clockUs: Number.NaN, clockWallMs: wallMs };
    this.sessions.set(sessionId, entry);
    return entry;
  }

  private evictLeastRecentSession(out: Output[]): void {
    let oldest: SessionEntry | undefined;
    for (const s of this.sessions.values()) if (!oldest || s.clockWallMs < oldest.clockWallMs) oldest = s;
    if (!oldest) return;
    out.push(...oldest.analyzer.endSession(oldest.sessionId, oldest.clockUs));
    this.forget(oldest);
    this.sessionsEvictedForCapacity++;
  }

  private forget(entry: SessionEntry): void {
    this.sessions.delete(entry.sessionId);
    if (this.recent === entry) this.recent = undefined;
  }

  private analyzerOptions(source: number): { config: AnalysisConfigOverrides; maxCars: number } {
    let config = this.overridesBySource.get(source);
    if (!config) {
      const name = sourceName(source);
      const rpmLimit = (name && this.limits.rpmLimitsBySource[name]) || DEFAULT_ALERTS.rpmLimit;
      config = { alerts: { rpmLimit, rpmLimitByCarModel: this.limits.rpmLimitsByCarModel } };
      this.overridesBySource.set(source, config);
    }
    return { config, maxCars: this.limits.maxCarsPerSession };
  }
}
