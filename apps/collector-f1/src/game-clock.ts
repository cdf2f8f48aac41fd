/** How far the mapped time may fall behind the receive time before the mapping starts over. */
const MAX_LAG_US = 1_000_000;

/**
 * Maps the game's session clock (header `sessionTime`, seconds) to wall time in µs, so frames get
 * the game's even spacing instead of the receive loop's jitter. The anchor is the earliest
 * (least delayed) arrival seen, so a late first packet does not shift every later frame; when the
 * game clock stops or jumps back (pause, flashback, restart) the mapping starts over from the
 * receive time.
 */
export class GameClock {
  private anchorUs = Number.NaN;

  toWallUs(sessionTimeS: number, receivedUs: number): number {
    if (!Number.isFinite(sessionTimeS)) return receivedUs;
    const candidate = receivedUs - sessionTimeS * 1e6;
    if (!(candidate - this.anchorUs <= MAX_LAG_US)) this.anchorUs = candidate;
    else if (candidate < this.anchorUs) this.anchorUs = candidate;
    return Math.round(this.anchorUs + sessionTimeS * 1e6);
  }
}
