/**
 * Group commit for one table: batches handed over by different partitions' handlers go into one
 * transaction. A write starts when a slot is free (at most `maxInFlight` run at once) and either
 * `maxRecords` are waiting or the oldest waiting batch has waited `lingerMs`; while every slot is
 * busy, batches gather, so under load transactions grow towards `maxRecords` by themselves.
 *
 * Every submission settles with the transaction that carried it: resolved once committed, rejected
 * with its error otherwise. The queue needs no limit of its own: a partition's handler waits for
 * its submission before the bus hands it more, so at most one submission per assigned partition
 * is ever waiting.
 */
export interface CoalescerOptions<R> {
  /** Most records in one write; a submission is never split (the bus batch is at most this). */
  maxRecords: number;
  lingerMs: number;
  maxInFlight: number;
  write(records: R[]): Promise<void>;
}

interface Submission<R> {
  records: R[];
  at: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class WriteCoalescer<R> {
  private readonly queue: Submission<R>[] = [];
  private queued = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: CoalescerOptions<R>) {
    if (opts.maxRecords < 1 || opts.maxInFlight < 1 || opts.lingerMs < 0) {
      throw new RangeError(`write coalescer: maxRecords and maxInFlight must be ≥ 1 and lingerMs ≥ 0, got ${JSON.stringify({ ...opts, write: undefined })}`);
    }
  }

  /** Records waiting for a write slot. */
  get waiting(): number {
    return this.queued;
  }

  /** Resolves when the records are committed. */
  submit(records: R[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, at: Date.now(), resolve, reject });
      this.queued += records.length;
      // Not written at once even with lingerMs 0: batches of other partitions handed over in
      // this event-loop turn join it when the timer fires.
      if (this.queued >= this.opts.maxRecords) this.schedule();
      else this.armTimer();
    });
  }

  private schedule(): void {
    while (this.queue.length > 0 && this.inFlight < this.opts.maxInFlight) {
      const due = this.queued >= this.opts.maxRecords || Date.now() - this.queue[0]!.at >= this.opts.lingerMs;
      if (!due) break;
      void this.writeNext();
    }
    this.armTimer();
  }

  /**
   * Keeps a linger timer only while a batch waits for it: one left armed after the queue drained
   * would hold the process open for up to lingerMs (a slot freeing up schedules anyway).
   */
  private armTimer(): void {
    if (this.queue.length === 0 || this.inFlight >= this.opts.maxInFlight) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    if (this.timer) return;
    const dueInMs = Math.max(0, this.queue[0]!.at + this.opts.lingerMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule();
    }, dueInMs);
  }

  private async writeNext(): Promise<void> {
    const taken: Submission<R>[] = [];
    let count = 0;
    while (this.queue.length > 0 && (taken.length === 0 || count + this.queue[0]!.records.length <= this.opts.maxRecords)) {
      const next = this.queue.shift()!;
      taken.push(next);
      count += next.records.length;
    }
    this.queued -= count;
    this.inFlight++;
    try {
      await this.opts.write(taken.length === 1 ? taken[0]!.records : taken.flatMap((s) => s.records));
      for (const s of taken) s.resolve();
    } catch (err) {
      for (const s of taken) s.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
