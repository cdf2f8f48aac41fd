import type { Pool } from 'pg';
import type { Logger } from '@pitwall/logger';

export interface DatabaseMonitorOptions {
  pool: Pool;
  probeMs: number;
  logger: Logger;
  /** The database became unreachable: stop taking messages. */
  onDown(): void;
  /** A probe passed: take messages again. */
  onUp(): void;
}

/**
 * Whether the database can be written to. A failed write (not about its data) or offset read marks it down;
 * then it is probed every `probeMs` until a probe passes. Consumption is paused meanwhile, so the
 * bus does not keep handing over batches that can only fail (the failed ones come back after the
 * bus's own backoff, and nothing is committed until they are written).
 */
export class DatabaseMonitor {
  private down: { since: number; error: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly opts: DatabaseMonitorOptions) {}

  get reachable(): boolean {
    return this.down === null;
  }

  /** When it went down and why, while it is down. */
  get outage(): { since: number; error: string } | null {
    return this.down;
  }

  failed(err: unknown): void {
    if (this.down || this.stopped) return;
    this.down = { since: Date.now(), error: (err as Error).message };
    this.opts.logger.error('database operation failed: pausing consumption until the database answers again', { err, probeMs: this.opts.probeMs });
    this.opts.onDown();
    this.scheduleProbe();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.probe(), this.opts.probeMs);
  }

  private async probe(): Promise<void> {
    this.timer = null;
    try {
      await this.opts.pool.query('SELECT 1');
    } catch (err) {
      if (this.down) this.down.error = (err as Error).message;
      this.scheduleProbe();
      return;
    }
    if (this.stopped || !this.down) return;
    const downMs = Date.now() - this.down.since;
    this.down = null;
    this.opts.logger.info('database reachable again: resuming consumption', { downMs });
    this.opts.onUp();
  }
}
