import type { TelemetryFrame } from '@pitwall/proto';

/**
 * The last frames seen, bounded by count and age, for `/api/recent/:n` and for a viewer that asks
 * for the last N seconds when it connects. A ring: adding never allocates once it is full.
 */
export class RecentFrames {
  private readonly ring: (TelemetryFrame | undefined)[];
  private readonly receivedAt: Float64Array;
  private next = 0;
  private count = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
  ) {
    this.ring = new Array(capacity);
    this.receivedAt = new Float64Array(capacity);
  }

  add(f: TelemetryFrame, now = Date.now()): void {
    this.ring[this.next] = f;
    this.receivedAt[this.next] = now;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Newest last; at most `n`, none older than the age limit or `sinceMs`. */
  latest(n: number, filter: (f: TelemetryFrame) => boolean = () => true, sinceMs = 0, now = Date.now()): TelemetryFrame[] {
    const oldest = Math.max(now - this.maxAgeMs, sinceMs);
    const out: TelemetryFrame[] = [];
    for (let i = 1; i <= this.count && out.length < n; i++) {
      const idx = (this.next - i + this.capacity) % this.capacity;
      if (this.receivedAt[idx]! < oldest) break;
      const f = this.ring[idx]!;
      if (filter(f)) out.push(f);
    }
    return out.reverse();
  }

  get size(): number {
    return this.count;
  }
}
