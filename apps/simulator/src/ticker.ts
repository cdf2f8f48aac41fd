// Fixed-step clock for the simulation: each tick advances the model by exactly 1/rate seconds,
// and ticks missed while the event loop was busy are run to catch up (to a limit), so simulated
// time keeps pace with wall time and the model stays deterministic in its steps.
import { performance } from 'node:perf_hooks';

export interface TickerOptions {
  rateHz: number;
  /** Ticks run at most per timer callback; beyond this, time is skipped and counted. */
  maxCatchUp?: number;
}

export class Ticker {
  readonly periodMs: number;
  /** Ticks run so far. */
  ticks = 0;
  /** Ticks dropped because the process fell more than maxCatchUp ticks behind. */
  skipped = 0;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private readonly maxCatchUp: number;

  constructor(
    opts: TickerOptions,
    private readonly onTick: (dtMs: number) => void,
  ) {
    if (!(opts.rateHz > 0 && opts.rateHz <= 10_000)) throw new RangeError(`tick rate must be in (0, 10000] Hz, got ${opts.rateHz}`);
    this.periodMs = 1000 / opts.rateHz;
    this.maxCatchUp = opts.maxCatchUp ?? 10;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  start(): void {
    if (this.timer) return;
    this.startedAt = performance.now() - this.ticks * this.periodMs - this.skipped * this.periodMs;
    this.timer = setInterval(() => this.catchUp(), Math.max(1, Math.floor(this.periodMs)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private catchUp(): void {
    const due = Math.floor((performance.now() - this.startedAt) / this.periodMs) - this.ticks - this.skipped;
    const run = Math.min(due, this.maxCatchUp);
    this.skipped += due - run;
    for (let i = 0; i < run && this.timer; i++) {
      this.ticks++;
      this.onTick(this.periodMs);
    }
  }
}
