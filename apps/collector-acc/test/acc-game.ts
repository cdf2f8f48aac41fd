// The game side of ACC's broadcasting protocol for tests: a UDP server on 127.0.0.1 built from
// the codec, answering registrations and requests and streaming realtime updates.
import {
  CarLocation,
  decodeOutbound,
  encodeInbound,
  type EntryListCar,
  type InboundMessage,
  type LapRecord,
  type OutboundMessage,
  type RealtimeCarUpdate,
} from '@pitwall/acc-broadcast';
import { UdpGamePeer, type Client } from '../../../packages/collector-kit/test/support/udp-game-peer';

const f = Math.fround;

export const lap = (over: Partial<LapRecord> = {}): LapRecord => ({
  laptimeMs: null,
  carIndex: 0,
  driverIndex: 0,
  splitsMs: [],
  isInvalid: false,
  isValidForBest: true,
  isOutlap: false,
  isInlap: false,
  ...over,
});

export function entry(carIndex: number, drivers: [string, string][], over: Partial<EntryListCar> = {}): EntryListCar {
  return {
    type: 'ENTRY_LIST_CAR',
    carIndex,
    carModelType: 30,
    teamName: `Team ${carIndex}`,
    raceNumber: 100 + carIndex,
    cupCategory: 0,
    currentDriverIndex: 0,
    nationality: 1,
    drivers: drivers.map(([firstName, lastName]) => ({ firstName, lastName, shortName: lastName.slice(0, 3).toUpperCase(), category: 2, nationality: 1 })),
    ...over,
  };
}

export function carUpdate(carIndex: number, over: Partial<RealtimeCarUpdate> = {}): RealtimeCarUpdate {
  return {
    type: 'REALTIME_CAR_UPDATE',
    carIndex,
    driverIndex: 0,
    driverCount: 1,
    gear: 3,
    worldPosX: f(-412.5),
    worldPosY: f(1020.25),
    yaw: f(1.5),
    carLocation: CarLocation.Track,
    kmh: 212,
    position: carIndex + 1,
    cupPosition: carIndex + 1,
    trackPosition: carIndex + 1,
    splinePosition: f(0.25),
    laps: 5,
    deltaMs: -350,
    bestSessionLap: lap({ laptimeMs: 107_500, carIndex }),
    lastLap: lap({ laptimeMs: 108_250, carIndex }),
    currentLap: lap({ laptimeMs: 27_000, carIndex }),
    ...over,
  };
}

export class AccGame extends UdpGamePeer {
  readonly received: (OutboundMessage & { fromPort: number })[] = [];
  client: Client | null = null;
  connectionPassword = 'asd';
  commandPassword = 'cmd';
  connectionId = 17;
  answering = true;
  /** When false the game ignores REQUEST_TRACK_DATA (as if the answer were lost). */
  answeringTrackData = true;
  track = { trackName: 'monza', trackId: 7, trackMeters: 5793 };
  entries: EntryListCar[] = [entry(0, [['Valentino', 'Rossi']]), entry(3, [['Kimi', 'Räikkönen'], ['Sebastian', 'Vettel']])];
  /** Cars that drive (may include some the entry list does not know yet). */
  updates: () => RealtimeCarUpdate[] = () => [carUpdate(0), carUpdate(3, { driverCount: 2, driverIndex: 1 })];
  sessionIndex = 1;

  constructor(intervalMs = 10) {
    super(intervalMs);
  }

  types(): string[] {
    return this.received.map((m) => m.type);
  }

  count(type: OutboundMessage['type']): number {
    return this.received.filter((m) => m.type === type).length;
  }

  /** A message (or raw bytes) to `to`, by default the registered client; nothing without one. */
  override send(message: InboundMessage | Buffer, to: Client | null = this.client): Promise<void> {
    if (!to) return Promise.resolve();
    return super.send(Buffer.isBuffer(message) ? message : encodeInbound(message), to);
  }

  /** The game quits: forgets its client and ignores everything until `answering` is set again. */
  quit(): void {
    this.answering = false;
    this.client = null;
  }

  protected tick(): void {
    if (!this.answering || !this.client) return;
    void this.send({
      type: 'REALTIME_UPDATE',
      eventIndex: 0,
      sessionIndex: this.sessionIndex,
      sessionType: 10,
      phase: 5,
      sessionTimeMs: f(600_500),
      sessionEndTimeMs: f(3_600_000),
      focusedCarIndex: 3,
      activeCameraSet: 'Drivable',
      activeCamera: 'Chase',
      currentHudPage: 'Basic HUD',
      replay: null,
      timeOfDayMs: f(50_400_000),
      ambientTempC: 22,
      trackTempC: 30,
      clouds: 0.1,
      rainLevel: 0,
      wetness: 0,
      bestSessionLap: lap({ laptimeMs: 107_500 }),
    });
    for (const u of this.updates()) void this.send(u);
  }

  protected receive(msg: Buffer, from: Client): void {
    const d = decodeOutbound(msg);
    if (!d.ok) return;
    const m = d.message;
    this.received.push({ ...m, fromPort: from.port });
    if (!this.answering) return;
    switch (m.type) {
      case 'REGISTER': {
        const ok = m.protocolVersion === 4 && m.connectionPassword === this.connectionPassword;
        if (ok) this.client = from;
        void this.send(
          {
            type: 'REGISTRATION_RESULT',
            connectionId: ok ? this.connectionId : -1,
            connectionSuccess: ok,
            isReadonly: !ok || m.commandPassword !== this.commandPassword,
            errorMessage: ok ? '' : m.protocolVersion !== 4 ? 'Protocol version mismatch' : 'Wrong password. Please check your broadcasting.json',
          },
          from,
        );
        break;
      }
      case 'REQUEST_ENTRY_LIST':
        void this.send({ type: 'ENTRY_LIST', connectionId: this.connectionId, carIndexes: this.entries.map((e) => e.carIndex) }, from);
        for (const e of this.entries) void this.send(e, from);
        break;
      case 'REQUEST_TRACK_DATA':
        if (!this.answeringTrackData) break;
        void this.send({ type: 'TRACK_DATA', connectionId: this.connectionId, ...this.track, cameraSets: [{ name: 'Drivable', cameras: ['Chase', 'Cockpit'] }], hudPages: ['Basic HUD', 'Broadcasting'] }, from);
        break;
      case 'UNREGISTER':
        this.client = null;
        break;
    }
  }
}
