import {
  MAX_CARS,
  type CarDamageData,
  type CarMotionData,
  type CarStatusData,
  type DecodedHeader,
  type LapData,
  type PacketFormat,
  type ParticipantsPacket,
  type SessionPacket,
} from '@pitwall/f1-udp';
import { FrameSequence } from './frame-sequence';
import { GameClock } from './game-clock';
import { f1TeamName } from './teams';
import { f1TrackName } from './tracks';

/** lap data `resultStatus`: 0 invalid, 1 inactive; 2 active and above (finished, DNF, …) are cars. */
const FIRST_CAR_RESULT_STATUS = 2;

/** The session id of a game session: `f1:` and the full 64-bit sessionUID in decimal. */
export function f1SessionId(sessionUID: bigint): string {
  return `f1:${sessionUID.toString(10)}`;
}

/** Who drives a car slot, from the participants packet, resolved once per packet. */
export interface CarIdentity {
  driverName: string;
  team: string;
  raceNumber: number;
}

/**
 * Everything known about one game session, joined per car index. Each per-car slot holds the
 * latest decoded struct of its packet, so the state is a fixed size whatever the session's length.
 */
export class F1Session {
  readonly id: string;
  format: PacketFormat;
  gameMajorVersion: number;
  gameMinorVersion: number;
  lastHeardMs: number;
  ended = false;

  trackId: number | undefined;
  track = '';
  trackLengthM: number | undefined;
  sessionType: number | undefined;
  totalLaps: number | undefined;

  readonly motion: (CarMotionData | undefined)[] = new Array<CarMotionData | undefined>(MAX_CARS);
  readonly lap: (LapData | undefined)[] = new Array<LapData | undefined>(MAX_CARS);
  readonly status: (CarStatusData | undefined)[] = new Array<CarStatusData | undefined>(MAX_CARS);
  readonly damage: (CarDamageData | undefined)[] = new Array<CarDamageData | undefined>(MAX_CARS);
  readonly cars: (CarIdentity | undefined)[] = new Array<CarIdentity | undefined>(MAX_CARS);
  private lapDataSeen = false;
  private numActiveCars: number | undefined;

  readonly sequence = new FrameSequence();
  readonly clock = new GameClock();
  readonly startedAtUs: number;

  constructor(
    readonly uid: bigint,
    header: DecodedHeader,
    nowMs: number,
  ) {
    this.id = f1SessionId(uid);
    this.startedAtUs = nowMs * 1000;
    this.format = header.packetFormat;
    this.gameMajorVersion = header.gameMajorVersion;
    this.gameMinorVersion = header.gameMinorVersion;
    this.lastHeardMs = nowMs;
  }

  heard(header: DecodedHeader, nowMs: number): void {
    this.lastHeardMs = nowMs;
    this.format = header.packetFormat;
    this.gameMajorVersion = header.gameMajorVersion;
    this.gameMinorVersion = header.gameMinorVersion;
  }

  get gameVersion(): string {
    return `${this.gameMajorVersion}.${this.gameMinorVersion}`;
  }

  /** Applies a session packet; true when what SessionInfo says about it changed. */
  applySession(p: SessionPacket): boolean {
    const lengthM = p.trackLength > 0 ? p.trackLength : undefined;
    const changed = p.trackId !== this.trackId || p.sessionType !== this.sessionType || lengthM !== this.trackLengthM;
    this.trackId = p.trackId;
    this.track = f1TrackName(p.trackId);
    this.trackLengthM = lengthM;
    this.sessionType = p.sessionType;
    this.totalLaps = p.totalLaps;
    return changed;
  }

  applyLapData(cars: readonly LapData[]): void {
    for (let i = 0; i < MAX_CARS; i++) this.lap[i] = cars[i];
    this.lapDataSeen = true;
  }

  /** Applies a participants packet; true when a driver, team or the field changed. */
  applyParticipants(p: ParticipantsPacket): boolean {
    let changed = p.numActiveCars !== this.numActiveCars;
    this.numActiveCars = p.numActiveCars;
    for (let i = 0; i < MAX_CARS; i++) {
      const d = p.participants[i]!;
      const next: CarIdentity = { driverName: d.name, team: f1TeamName(this.format, d.teamId), raceNumber: d.raceNumber };
      const prev = this.cars[i];
      if (!prev || prev.driverName !== next.driverName || prev.team !== next.team || prev.raceNumber !== next.raceNumber) changed = true;
      this.cars[i] = next;
    }
    return changed;
  }

  /**
   * Whether car slot `i` holds a car as far as the packets say: lap data's resultStatus once lap
   * data has arrived (it is sent every frame and knows retirements), else participants'
   * numActiveCars (the first N slots). Undefined while neither has arrived.
   */
  isListed(i: number): boolean | undefined {
    if (this.lapDataSeen) return (this.lap[i]?.resultStatus ?? 0) >= FIRST_CAR_RESULT_STATUS;
    if (this.numActiveCars !== undefined) return i < this.numActiveCars;
    return undefined;
  }

  /** Whether slot `i` gets frames: listed, or before lap data and participants the player's car(s). */
  isActive(i: number, header: DecodedHeader): boolean {
    return this.isListed(i) ?? (i === header.playerCarIndex || i === header.secondaryPlayerCarIndex);
  }
}
