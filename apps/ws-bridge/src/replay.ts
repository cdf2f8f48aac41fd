import type { Pool } from 'pg';
import { frameTimeRange, readFrames } from '@pitwall/db';
import type { Logger } from '@pitwall/logger';
import type { TelemetryFrame } from '@pitwall/proto';
import { SessionAnalyzer } from '@pitwall/race-analysis';
import type { LiveHub, Viewer } from './live-hub';
import { alertMessage, insightItem, lapItem, telemetryPoint } from './wire';

export interface ReplayRequest {
  sessionId: string;
  carId?: string;
  speed: number;
  /** Where to start, µs since the epoch; the session's first frame when absent. */
  fromUs?: number;
}

export const MAX_REPLAY_SPEED = 64;
const PAGE_FRAMES = 2000;
const TICK_MS = 50;

let nextReplayId = 1;

/**
 * Plays a stored session to one viewer through the same messages as live data, paced by the
 * frames' own times × speed: pause, resume, seek and speed changes act on its clock. The race
 * analysis runs again over the replayed frames, so laps, insights and alerts arrive when they
 * happened. Live data for that viewer is held back meanwhile; other viewers see nothing of it.
 * Memory: at most two pages of frames buffered.
 */
export class Replay {
  readonly id = nextReplayId++;
  private buffer: TelemetryFrame[] = [];
  private cursor: { timeUs: number; carId: string; sequence: number } | undefined;
  private exhausted = false;
  private fetching: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** The session time shown now = anchorUs + (wall now − anchorWall) × speed. */
  private anchorUs = 0;
  private anchorWall = 0;
  private paused = false;
  private analyzer = new SessionAnalyzer();
  private range: { fromUs: number; toUs: number } = { fromUs: 0, toUs: 0 };
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly viewer: Viewer,
    private readonly hub: LiveHub,
    private readonly req: ReplayRequest,
    private readonly maxPointsPerCar: number,
    private readonly logger: Logger,
  ) {}

  /** Finds the session's range and starts playing; false when it has no stored frames. */
  async start(): Promise<boolean> {
    const range = await frameTimeRange(this.pool, { sessionId: this.req.sessionId, carId: this.req.carId });
    if (!range) return false;
    this.range = range;
    this.seekTo(this.req.fromUs ?? range.fromUs);
    this.viewer.replaying = true;
    this.hub.sendTo(this.viewer, 'replay_started', {
      type: 'replay_started',
      replay_id: this.id,
      session_id: this.req.sessionId,
      car: this.req.carId ?? null,
      from_us: range.fromUs,
      to_us: range.toUs,
      speed: this.req.speed,
    });
    this.timer = setInterval(() => this.tick(), TICK_MS);
    return true;
  }

  pause(): void {
    if (this.paused) return;
    this.anchorUs = this.now();
    this.paused = true;
    this.status('paused');
  }

  resume(): void {
    if (!this.paused) return;
    this.anchorWall = Date.now();
    this.paused = false;
    this.status('playing');
  }

  setSpeed(speed: number): void {
    this.anchorUs = this.now();
    this.anchorWall = Date.now();
    this.req.speed = speed;
    this.status(this.paused ? 'paused' : 'playing');
  }

  /** Jumps to a session time; the analysis starts over from there. */
  seekTo(us: number): void {
    const to = Math.min(Math.max(us, this.range.fromUs), this.range.toUs);
    this.buffer = [];
    this.cursor = undefined;
    this.exhausted = false;
    this.analyzer = new SessionAnalyzer();
    this.anchorUs = to;
    this.anchorWall = Date.now();
    this.fetchFrom = to;
    if (this.timer) this.status(this.paused ? 'paused' : 'playing');
  }

  stop(reason = 'stopped'): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.viewer.replaying = false;
    this.hub.sendTo(this.viewer, 'replay_ended', { type: 'replay_ended', replay_id: this.id, reason });
  }

  private fetchFrom = 0;

  private now(): number {
    return this.paused ? this.anchorUs : this.anchorUs + (Date.now() - this.anchorWall) * 1000 * this.req.speed;
  }

  private status(state: string): void {
    this.hub.sendTo(this.viewer, 'replay_status', { type: 'replay_status', replay_id: this.id, state, at_us: Math.round(this.now()), speed: this.req.speed });
  }

  private fill(): void {
    if (this.fetching || this.exhausted || this.buffer.length >= PAGE_FRAMES) return;
    const generation = this.analyzer;
    this.fetching = readFrames(this.pool, { sessionId: this.req.sessionId, carId: this.req.carId, fromUs: this.fetchFrom, limit: PAGE_FRAMES, after: this.cursor })
      .then((page) => {
        if (generation !== this.analyzer) return; // a seek happened meanwhile
        if (page.length < PAGE_FRAMES) this.exhausted = true;
        const last = page[page.length - 1];
        if (last) this.cursor = { timeUs: last.sourceTimeUs as number, carId: last.carId!, sequence: last.sequence as number };
        this.buffer.push(...page);
      })
      .catch((err: Error) => {
        this.logger.error('replay read failed', { replay: this.id, sessionId: this.req.sessionId, err });
        this.stop(`database error: ${err.message}`);
      })
      .finally(() => (this.fetching = null));
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.viewer.ws.readyState !== this.viewer.ws.OPEN) return this.stop('viewer left');
    this.fill();
    if (this.paused) return;
    const now = this.now();
    let due = 0;
    while (due < this.buffer.length && (this.buffer[due]!.sourceTimeUs as number) <= now) due++;
    if (due > 0) this.play(this.buffer.splice(0, due));
    if (this.exhausted && this.buffer.length === 0 && !this.fetching) this.stop('end of session');
  }

  private play(frames: TelemetryFrame[]): void {
    const perCar = new Map<string, TelemetryFrame[]>();
    for (const f of frames) {
      for (const out of this.analyzer.ingest(f)) {
        if (out.kind === 'lap') this.hub.sendTo(this.viewer, 'lap_completed', { type: 'lap_completed', data: lapItem(out.lap), meta: { replay: this.id } });
        else if (out.kind === 'insight') this.hub.sendTo(this.viewer, 'insight_update', { type: 'insight_update', data: [insightItem(out.insight)], meta: { replay: this.id } });
        else {
          const { type, body } = alertMessage(out.alert);
          this.hub.sendTo(this.viewer, type, { ...body, meta: { replay: this.id } });
        }
      }
      const list = perCar.get(f.carId!) ?? [];
      list.push(f);
      perCar.set(f.carId!, list);
    }
    const shown = [...perCar.values()].flatMap((list) => thin(list, this.maxPointsPerCar));
    this.hub.sendTo(
      this.viewer,
      'telemetry_update',
      { type: 'telemetry_update', data: shown.map(telemetryPoint), meta: { replay: this.id, at_us: Math.round(this.now()) } },
      shown,
    );
  }
}

/** At most n frames, evenly spread, the newest included. */
function thin(list: TelemetryFrame[], n: number): TelemetryFrame[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.round((i * (list.length - 1)) / (n - 1))]!);
}
