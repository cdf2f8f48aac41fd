import type { OutputMessages } from './outputs';
import type { PartitionAnalysis } from './partition-analysis';

/**
 * An input partition this instance owns: its analysis, how far the state goes, and a queue that
 * runs its batches, timer work and snapshots one at a time, so a snapshot never includes state
 * whose outputs are still on their way.
 */
export class OwnedPartition {
  /** The next input offset after everything fed to the analysis (undefined: nothing yet). */
  nextOffset: number | undefined;
  /**
   * Outputs of frames before this offset were acknowledged before the state was restored (the
   * progress record): those frames are analysed again to rebuild the state, but not published.
   */
  replayUntil = 0;
  /** The state topic has a snapshot or progress record of the partition (as far as this instance knows). */
  onStateTopic = false;
  batchesSinceSnapshot = 0;
  lastSnapshotMs: number;
  /**
   * Outputs computed but not acknowledged (a send failed). The analysis is ahead of what is
   * durable: they go out before anything else, and no snapshot is written until they have.
   */
  pending: OutputMessages | null = null;
  revoked = false;
  /** Wall time spent waiting for output acknowledgements (backpressure). */
  stalledMs = 0;
  housekeepingQueued = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly partition: number,
    readonly analysis: PartitionAnalysis,
    nowMs: number,
  ) {
    this.lastSnapshotMs = nowMs;
  }

  /**
   * The wall clock the analysis runs on: real time less the time spent waiting on output sends,
   * so a downstream stall (a full output topic) does not read as every car falling silent.
   */
  clockMs(): number {
    return Date.now() - this.stalledMs;
  }

  /** Runs `work` after everything queued before it, whatever their outcome. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
