import type { HandshakeResponse } from '@pitwall/ac-udp';

export interface AcSession {
  /**
   * `ac:<track>:<config>:<car>:<driver>:<ISO time of the handshake that started it>`, e.g.
   * `ac:monza::ks_ferrari_488_gt3:Kimi:2026-11-23T17:40:00.000Z` (config is empty on
   * single-layout tracks). Stable for a run of the collector: a re-handshake after the game went
   * silent keeps it while track, layout, car and driver are the same; any of them changing
   * starts a new session.
   */
  id: string;
  track: string;
  trackConfig: string;
  carModel: string;
  driverName: string;
  startedAtMs: number;
}

/** Which session the stream belongs to, decided at each handshake response. */
export class AcSessionTracker {
  private current: AcSession | null = null;

  get session(): AcSession | null {
    return this.current;
  }

  /** The session for this handshake: the current one if nothing changed, else a new one (`started`). */
  onHandshake(r: HandshakeResponse, nowMs: number = Date.now()): { session: AcSession; started: boolean } {
    const c = this.current;
    if (c && c.track === r.trackName && c.trackConfig === r.trackConfig && c.carModel === r.carName && c.driverName === r.driverName) {
      return { session: c, started: false };
    }
    const id = ['ac', r.trackName, r.trackConfig, r.carName, r.driverName, new Date(nowMs).toISOString()].join(':');
    this.current = { id, track: r.trackName, trackConfig: r.trackConfig, carModel: r.carName, driverName: r.driverName, startedAtMs: nowMs };
    return { session: this.current, started: true };
  }
}
