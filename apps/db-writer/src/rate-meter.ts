/** Events per second over the last `windowS` whole seconds, in a fixed ring of per-second counts. */
export class RateMeter {
  private readonly counts: number[];
  private currentS = 0;

  constructor(
    private readonly windowS = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.counts = new Array<number>(windowS + 1).fill(0);
  }

  add(n: number): void {
    this.advance();
    this.counts[this.currentS % this.counts.length]! += n;
  }

  /** Average over the last windowS completed seconds. */
  perSecond(): number {
    this.advance();
    let sum = 0;
    for (let s = this.currentS - this.windowS; s < this.currentS; s++) sum += this.counts[((s % this.counts.length) + this.counts.length) % this.counts.length]!;
    return sum / this.windowS;
  }

  private advance(): void {
    const nowS = Math.floor(this.now() / 1000);
    if (this.currentS === 0) this.currentS = nowS;
    // Clear the slots of the seconds that passed with nothing added (at most the whole ring).
    for (let s = this.currentS + 1; s <= nowS && s <= this.currentS + this.counts.length; s++) this.counts[s % this.counts.length] = 0;
    this.currentS = Math.max(this.currentS, nowS);
  }
}
