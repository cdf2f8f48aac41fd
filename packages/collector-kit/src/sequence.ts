/**
 * Sequence numbers per (session, car), for sources without a frame counter of their own.
 *
 * They must stay unique across collector restarts, or the database (which ignores a frame whose
 * (session, car, sequence) it already has) would drop new frames as duplicates. So a run starts
 * its counters at `runStartMs × 1000`, and a key new to this run starts above every number issued
 * so far. Numbers then stay unique across runs while a run issues fewer than 1,000 numbers per
 * millisecond of its life (a million frames/s sustained), and stay below 2^53 until the year 2255.
 *
 * Sources with a counter or timestamp of their own (F1's overall frame identifier, a logger's
 * µs timestamp) should use it instead: then a retried sample keeps its number.
 */
export class SequenceAssigner {
  private readonly next = new Map<string, number>();
  /** Highest number handed out, so a key seen again after eviction starts above it. */
  private issued: number;

  constructor(
    private readonly maxKeys = 10_000,
    runStartMs: number = Date.now(),
  ) {
    this.issued = runStartMs * 1000 - 1;
  }

  /** The next number for this (session, car). */
  assign(sessionId: string, carId: string): number {
    const key = `${sessionId}\u0000${carId}`;
    const n = this.next.get(key);
    if (n !== undefined) {
      this.next.set(key, n + 1);
      if (n > this.issued) this.issued = n;
      return n;
    }
    // Bounded: forget the least recently started key. A forgotten car restarts at a fresh base
    // above everything issued so far, so its numbers stay unique and increasing.
    if (this.next.size >= this.maxKeys) this.next.delete(this.next.keys().next().value!);
    const start = this.issued + 1;
    this.issued = start;
    this.next.set(key, start + 1);
    return start;
  }

  get size(): number {
    return this.next.size;
  }
}
