/**
 * Events per second over the last `seconds` complete seconds, in fixed memory: one bucket per
 * second of the window, reused as time moves on.
 */
export class RateWindow {
  private readonly counts: Float64Array;
  private readonly bucketSecond: Float64Array;

  constructor(private readonly seconds = 10) {
    this.counts = new Float64Array(seconds + 1);
    this.bucketSecond = new Float64Array(seconds + 1).fill(-1);
  }

  add(nowMs: number, n = 1): void {
    const second = Math.floor(nowMs / 1000);
    const i = second % this.counts.length;
    if (this.bucketSecond[i] !== second) {
      this.bucketSecond[i] = second;
      this.counts[i] = 0;
    }
    this.counts[i]! += n;
  }

  /** The mean rate over the complete seconds of the window (the current second is not over yet). */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const s = this.bucketSecond[i]!;
      if (s < current && s >= current - this.seconds) sum += this.counts[i]!;
    }
    return sum / this.seconds;
  }
}
