// One F1 rig: the game sending its UDP telemetry to a target, as F1 23/24/25 do, for a full grid.
// Per step (the telemetry rate): motion, lap data, car telemetry, car status, car damage, all
// with the same frame identifier; session at its own rate, participants every few seconds,
// events as they happen. Driven by its own ticker, or by tick() from a shared one (load mode).
import dgram from 'node:dgram';
import { PacketId, blankPacket, encodePacket, type HeaderFields, type Packet, type PacketFormat } from '@pitwall/f1-udp';
import { silentLogger, type Logger } from '@pitwall/logger';
import { F1_CAR, Race, seededRandom, sessionUid, type RaceOptions } from '../driving';
import { Ticker } from '../ticker';
import { closeUdp, drained, emptyStats, sendCounted, type SendObserver, type UdpStats } from '../udp';
import { F1PacketBuilder } from './packets';

export const F1_UDP_PORT = 20777;

export interface F1SenderOptions {
  host?: string;
  /** Default 20777, the game's default target port. */
  port?: number;
  format?: PacketFormat;
  /** Per-step packets a second (the game's "UDP send rate"). Default 60. */
  rateHz?: number;
  /** Session packets a second. Default 2. */
  sessionRateHz?: number;
  participantsIntervalMs?: number;
  /** The field: default 22 F1 cars on a 5 km generated track, seed 1. At most 22 cars. */
  race?: Partial<RaceOptions>;
  /** Default: derived from the race seed, always above 2^63 as real ones are. */
  sessionUid?: bigint;
  playerCarIndex?: number;
  trackId?: number;
  /** Zeroed-header packets (as sent from the menus) before the session starts. */
  menuPackets?: number;
  timeScale?: number;
  /** Stop by itself after this many steps. */
  maxTicks?: number;
  logger?: Logger;
  onSend?: SendObserver;
}

/** Per-step packets, in the order the game sends them. */
const PER_STEP = ['motion', 'lapData', 'carTelemetry', 'carStatus', 'carDamage'] as const;

export class F1Sender {
  readonly stats: UdpStats = emptyStats();
  /** Datagrams sent by packet id. */
  readonly sentById = new Map<number, number>();
  readonly format: PacketFormat;
  readonly playerCarIndex: number;
  /** Steps sent, over all sessions (one frame identifier each). */
  frames = 0;
  /** Car samples sent (steps × cars): the TelemetryFrames a collector should publish. */
  carSamples = 0;
  private currentRace: Race;
  private currentUid: bigint;
  private builder: F1PacketBuilder;
  private readonly raceOptions: RaceOptions;
  /** Sessions started after the first (restartSession). */
  private restarts = 0;
  /** Frame identifier of the current session: from 1, back to 1 in a new session. */
  private frameIdentifier = 0;
  private readonly socket: dgram.Socket;
  private readonly ticker: Ticker;
  private readonly host: string;
  private readonly port: number;
  private readonly timeScale: number;
  private sinceSessionMs = Infinity;
  private sinceParticipantsMs = Infinity;
  private started = false;
  private stopped = false;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;
  private readonly logger: Logger;

  constructor(private readonly opts: F1SenderOptions = {}) {
    const raceOptions: RaceOptions = { seed: 1, cars: 22, spec: F1_CAR, trackLengthM: 5000, trackName: 'pitwall_ring', ...opts.race };
    this.raceOptions = raceOptions;
    this.currentRace = new Race(raceOptions);
    this.format = opts.format ?? 2025;
    this.currentUid = opts.sessionUid ?? sessionUid(seededRandom(raceOptions.seed ^ 0x5eed));
    this.playerCarIndex = opts.playerCarIndex ?? 0;
    if (!(this.playerCarIndex >= 0 && this.playerCarIndex < raceOptions.cars)) {
      throw new RangeError(`playerCarIndex ${this.playerCarIndex} is not one of the ${raceOptions.cars} cars`);
    }
    this.builder = this.newBuilder();
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? F1_UDP_PORT;
    this.timeScale = opts.timeScale ?? 1;
    this.logger = opts.logger ?? silentLogger();
    this.socket = dgram.createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('error', (err) => this.logger.warn('f1 rig: socket error', { err }));
    this.ticker = new Ticker({ rateHz: opts.rateHz ?? 60 }, (dtMs) => this.tick(dtMs));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get race(): Race {
    return this.currentRace;
  }

  get sessionUid(): bigint {
    return this.currentUid;
  }

  /**
   * The player leaves the session and starts another, as between practice and race: a new
   * session UID (derived from the seed unless given), a fresh field, frame identifiers from 1
   * again, and menu packets and the session start event before the first step.
   */
  restartSession(uid?: bigint): void {
    this.restarts++;
    this.currentRace = new Race({ ...this.raceOptions, seed: this.raceOptions.seed + this.restarts });
    this.builder = this.newBuilder();
    this.currentUid = uid ?? sessionUid(seededRandom((this.raceOptions.seed ^ 0x5eed) + this.restarts));
    this.frameIdentifier = 0;
    this.started = false;
    this.sinceSessionMs = Infinity;
    this.sinceParticipantsMs = Infinity;
  }

  /** Starts sending on its own ticker. */
  start(): this {
    this.ticker.start();
    return this;
  }

  /** Resolves when the sender stopped (maxTicks reached or stop()). */
  finished(): Promise<void> {
    return this.done;
  }

  /** One simulation step of `dtMs` real ms: advances the race and sends this step's packets. */
  tick(dtMs: number): void {
    if (this.stopped) return;
    if (!this.started) this.begin();
    const laps = this.race.step(dtMs * this.timeScale);
    this.builder.observe();
    this.frames++;
    this.frameIdentifier++;
    this.carSamples += this.race.cars.length;
    const header = this.header();
    for (const kind of PER_STEP) this.send(header, this.builder[kind]());
    for (const lap of laps) if (lap.sessionBest) this.send(header, this.builder.fastestLap(lap.carIndex, lap.lapTimeMs));
    this.sinceSessionMs += dtMs;
    if (this.sinceSessionMs >= 1000 / (this.opts.sessionRateHz ?? 2)) {
      this.sinceSessionMs = 0;
      this.send(header, this.builder.session(Number(this.sessionUid & 0xffff_ffffn)));
    }
    this.sinceParticipantsMs += dtMs;
    if (this.sinceParticipantsMs >= (this.opts.participantsIntervalMs ?? 5000)) {
      this.sinceParticipantsMs = 0;
      this.send(header, this.builder.participants());
    }
    if (this.opts.maxTicks !== undefined && this.frames >= this.opts.maxTicks) void this.stop();
  }

  async stop(): Promise<void> {
    if (this.stopped) return this.done;
    this.stopped = true;
    this.ticker.stop();
    await drained(this.stats);
    await closeUdp(this.socket);
    this.resolveDone();
  }

  /** Menu packets (zeroed header), then the session start event, before the first step. */
  private begin(): void {
    this.started = true;
    const menu: HeaderFields = {
      gameYear: this.format === 2023 ? 0 : this.format % 100,
      gameMajorVersion: 0,
      gameMinorVersion: 0,
      packetVersion: 0,
      sessionUID: 0n,
      sessionTime: 0,
      frameIdentifier: 0,
      overallFrameIdentifier: 0,
      playerCarIndex: 0,
      secondaryPlayerCarIndex: 0,
    };
    for (let i = 0; i < (this.opts.menuPackets ?? 0); i++) this.send(menu, blankPacket(this.format, PacketId.CarTelemetry));
    this.send(this.header(), this.builder.sessionStarted());
  }

  private header(): HeaderFields {
    return {
      gameYear: this.format % 100,
      gameMajorVersion: 1,
      gameMinorVersion: 5,
      packetVersion: 1,
      sessionUID: this.sessionUid,
      sessionTime: this.race.elapsedMs / 1000,
      frameIdentifier: this.frameIdentifier,
      overallFrameIdentifier: this.frameIdentifier,
      playerCarIndex: this.playerCarIndex,
      secondaryPlayerCarIndex: 255,
    };
  }

  private newBuilder(): F1PacketBuilder {
    return new F1PacketBuilder(this.currentRace, { format: this.format, playerCarIndex: this.playerCarIndex, trackId: this.opts.trackId ?? -1, totalLaps: 50 });
  }

  private send(header: HeaderFields, packet: Packet): void {
    const data = encodePacket(this.format, header, packet);
    this.sentById.set(packet.id, (this.sentById.get(packet.id) ?? 0) + 1);
    sendCounted(this.socket, this.stats, this.opts.onSend, PACKET_KIND[packet.id] ?? String(packet.id), data, this.port, this.host);
  }
}

const PACKET_KIND: Record<number, string> = { 0: 'motion', 1: 'session', 2: 'lapData', 3: 'event', 4: 'participants', 6: 'carTelemetry', 7: 'carStatus', 10: 'carDamage' };
