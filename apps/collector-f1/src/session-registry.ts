import type { DecodedHeader } from '@pitwall/f1-udp';
import { F1Session } from './session-state';

export type EvictionReason = 'idle' | 'capacity';

/**
 * The sessions being heard, by sessionUID, at most `maxSessions` of them. A session silent for
 * `idleMs` is forgotten by `sweep`; a new session arriving when the map is full pushes out the
 * one heard least recently. Either way the caller learns which one went, and why.
 */
export class SessionRegistry {
  private readonly sessions = new Map<bigint, F1Session>();
  private startedCount = 0;

  constructor(
    private readonly maxSessions: number,
    private readonly idleMs: number,
    private readonly onEvict: (session: F1Session, reason: EvictionReason) => void,
  ) {}

  /** The session of this header (a non-menu one), created if new; `started` says which. */
  resolve(header: DecodedHeader, nowMs: number): { session: F1Session; started: boolean } {
    const existing = this.sessions.get(header.sessionUID);
    if (existing) {
      existing.heard(header, nowMs);
      return { session: existing, started: false };
    }
    if (this.sessions.size >= this.maxSessions) this.evict(this.leastRecentlyHeard()!, 'capacity');
    const session = new F1Session(header.sessionUID, header, nowMs);
    this.sessions.set(header.sessionUID, session);
    this.startedCount++;
    return { session, started: true };
  }

  /** Forgets sessions not heard for idleMs. */
  sweep(nowMs: number): void {
    for (const session of [...this.sessions.values()]) {
      if (nowMs - session.lastHeardMs >= this.idleMs) this.evict(session, 'idle');
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Sessions started since this collector started (including forgotten ones). */
  get started(): number {
    return this.startedCount;
  }

  private leastRecentlyHeard(): F1Session | undefined {
    let oldest: F1Session | undefined;
    for (const s of this.sessions.values()) if (!oldest || s.lastHeardMs < oldest.lastHeardMs) oldest = s;
    return oldest;
  }

  private evict(session: F1Session, reason: EvictionReason): void {
    this.sessions.delete(session.uid);
    this.onEvict(session, reason);
  }
}
