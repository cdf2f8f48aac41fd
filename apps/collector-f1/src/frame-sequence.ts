/**
 * Frame sequence numbers of one F1 session, from the game's own `overallFrameIdentifier`.
 *
 * The game sends one car-telemetry packet per frame, so the identifier is unique per (session,
 * car) and a packet sent twice (a replayed capture, a duplicated datagram) keeps its number and is
 * stored once. The identifier is meant not to go back (flashbacks rewind `frameIdentifier`, not
 * this one), but a game restart or a sender replaying from the start can reset it. Then, so that
 * numbers keep increasing and never repeat one already issued:
 *
 * - Fallback: from the reset on, sequence = identifier + offset, with the offset chosen so the
 *   first number after the reset is max(last number + 1, wall-clock ms × 1000). Raw identifiers are
 *   below 2^32 and wall-clock numbers are above 10^15, so post-reset numbers also never collide
 *   with the raw numbers of this session issued by another collector run.
 * - The same identifier twice in a row is the same frame and keeps its number.
 *
 * What a restarted collector cannot know: if the game reset within a session and the collector
 * restarted after that, the new run numbers from the raw identifier again, and frames whose raw
 * number was issued before the reset are taken as duplicates downstream.
 */
export class FrameSequence {
  private lastIdentifier = -1;
  private offset = 0;
  private resetCount = 0;

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** The sequence number of the frame with this overallFrameIdentifier. */
  next(overallFrameIdentifier: number): number {
    if (this.lastIdentifier >= 0 && overallFrameIdentifier < this.lastIdentifier) {
      const lastSequence = this.lastIdentifier + this.offset;
      this.offset = Math.max(lastSequence + 1, this.nowMs() * 1000) - overallFrameIdentifier;
      this.resetCount++;
    }
    this.lastIdentifier = overallFrameIdentifier;
    return overallFrameIdentifier + this.offset;
  }

  /** How often the identifier went back in this session. */
  get resets(): number {
    return this.resetCount;
  }
}
