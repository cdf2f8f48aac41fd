import type { Producer } from '@pitwall/bus';
import { MAX_CARS, sessionTypeName } from '@pitwall/f1-udp';
import type { Logger } from '@pitwall/logger';
import { codecs, nowMicros, Source, type CarInfo, type SessionInfo } from '@pitwall/proto';
import type { F1Session } from './session-state';

/** SessionInfo of a session as known now: track, type, cars with their drivers and teams. */
export function sessionInfo(session: F1Session): SessionInfo {
  const cars: CarInfo[] = [];
  for (let i = 0; i < MAX_CARS; i++) {
    const car = session.cars[i];
    if (!car || !session.isListed(i)) continue;
    cars.push({ carId: String(i), driverName: car.driverName, carModel: car.team, team: car.team, raceNumber: car.raceNumber });
  }
  const attributes: Record<string, string> = {
    packet_format: String(session.format),
    game_version: session.gameVersion,
    session_uid: session.uid.toString(10),
  };
  if (session.trackId !== undefined) attributes.track_id = String(session.trackId);
  if (session.sessionType !== undefined) attributes.session_type_id = String(session.sessionType);
  if (session.totalLaps !== undefined) attributes.total_laps = String(session.totalLaps);
  return {
    sessionId: session.id,
    source: Source.SOURCE_F1,
    track: session.track,
    sessionType: session.sessionType === undefined ? '' : sessionTypeName(session.format, session.sessionType).toLowerCase(),
    trackLengthM: session.trackLengthM,
    startedAtUs: session.startedAtUs,
    updatedAtUs: nowMicros(),
    cars,
    ended: session.ended,
    attributes,
  };
}

/**
 * Publishes SessionInfo to the compacted sessions topic, keyed by session id. The topic keeps the
 * latest per key, so only the latest state of each session matters: sessions marked while a send
 * is in flight are sent (as they are then) by the next one. The pending set holds at most one
 * entry per live session (a forgotten session is taken out), so however long the bus stalls it
 * is bounded by the session registry's cap.
 */
export class SessionAnnouncer {
  private readonly pending = new Map<string, F1Session>();
  private sending: Promise<void> | null = null;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly logger: Logger,
    private readonly onPublished: (count: number) => void,
  ) {}

  announce(session: F1Session): void {
    this.pending.set(session.id, session);
    if (!this.sending) this.sending = this.pump();
  }

  /** The session is gone from memory: nothing more to say about it. */
  forget(session: F1Session): void {
    this.pending.delete(session.id);
  }

  /** Sessions waiting for their SessionInfo to be sent. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Resolves when everything announced so far has been sent (or failed and been logged). */
  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async pump(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        const messages = batch.map((s) => ({ key: s.id, value: codecs.session.encode(sessionInfo(s)) }));
        try {
          await this.producer.send(this.topic, messages);
          this.onPublished(messages.length);
        } catch (err) {
          this.logger.error('session info not published', { topic: this.topic, sessions: batch.map((s) => s.id), err });
        }
      }
    } finally {
      this.sending = null;
    }
  }
}
