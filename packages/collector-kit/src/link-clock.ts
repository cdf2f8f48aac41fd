import { Backoff } from './backoff';

/**
 * How often a link's watchdog looks at its timeouts: five times per the shortest one, so a timeout
 * is noticed at most a fifth late, yet no more often than every 5 ms and at least every 250 ms.
 */
export function watchdogIntervalMs(...timeoutsMs: number[]): number {
  return Math.max(5, Math.min(250, Math.floor(Math.min(...timeoutsMs) / 5)));
}

/**
 * The state of a link that keeps a game talking (AC, ACC) and its clocks: since when the link is in
 * its state, when the game last sent data, when the next attempt is due after a failure
 * (exponential backoff), and the watchdog timer that looks at them. What the states are, and what
 * to do when one lasts too long, stays with the link.
 */
export class LinkClock<State extends string> {
  private current: State;
  private since = Date.now();
  private lastDataAt = 0;
  private nextAttemptAt = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;

  constructor(
    initial: State,
    retry: { initialMs: number; maxMs: number },
    private readonly changed: (state: State) => void,
  ) {
    this.current = initial;
    this.backoff = new Backoff(retry.initialMs, retry.maxMs);
  }

  get state(): State {
    return this.current;
  }

  /** Unix ms of the game's last data, 0 before the first. */
  get lastDataAtMs(): number {
    return this.lastDataAt;
  }

  /** Attempts backed off since the game last sent data. */
  get attempts(): number {
    return this.backoff.attempts;
  }

  /** Enters `state` and restarts its clock; entering the current state again changes nothing. */
  enter(state: State): void {
    if (state === this.current) return;
    this.current = state;
    this.since = Date.now();
    this.changed(state);
  }

  /** Restarts the current state's clock (a fresh subscription gets the full data timeout). */
  restart(): void {
    this.since = Date.now();
  }

  /** How long the link has been in its state. */
  inStateMs(now = Date.now()): number {
    return now - this.since;
  }

  /** How long the game has sent no data, counted at the earliest from entering the state. */
  silentMs(now = Date.now()): number {
    return now - Math.max(this.lastDataAt, this.since);
  }

  /** The game sent data: it is alive, so the next failure backs off from the initial delay. */
  heard(): void {
    this.lastDataAt = Date.now();
    this.backoff.reset();
  }

  /** An attempt failed: schedules the next one and returns the delay until it is due. */
  backOff(): number {
    const delayMs = this.backoff.next();
    this.nextAttemptAt = Date.now() + delayMs;
    return delayMs;
  }

  attemptDue(now = Date.now()): boolean {
    return now >= this.nextAttemptAt;
  }

  /** Calls `check` a few times per the shortest of `timeoutsMs` (see watchdogIntervalMs) until stopped. */
  startWatchdog(check: () => void, ...timeoutsMs: number[]): void {
    this.stopWatchdog();
    this.watchdog = setInterval(check, watchdogIntervalMs(...timeoutsMs));
  }

  stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }
}
