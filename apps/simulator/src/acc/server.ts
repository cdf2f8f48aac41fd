// The game side of ACC's broadcasting protocol v4: registers clients (checking the protocol
// version and connection password as the game does), answers entry-list and track-data requests,
// pushes realtime updates at each client's interval and lap events, and records the commands it
// is sent so tests can assert them. Several clients may be registered at once, as in the game.
import type { RemoteInfo, Socket } from 'node:dgram';
import {
  BROADCASTING_PROTOCOL_VERSION,
  decodeOutbound,
  encodeInbound,
  type InboundMessage,
  type Outbound,
  type OutboundMessage,
} from '@pitwall/acc-broadcast';
import { silentLogger, type Logger } from '@pitwall/logger';
import { GT3_CAR, Race, type Car, type RaceOptions } from '../driving';
import { Ticker } from '../ticker';
import { bindUdp, closeUdp, emptyStats, sendCounted, type SendObserver, type UdpStats } from '../udp';
import { CAMERA_SETS, HUD_PAGES, carUpdate, entryListCar, lapEvents, realtimeUpdate, type ViewState } from './messages';

export const ACC_BROADCAST_PORT = 9000;

export interface AccServerOptions {
  /** Default 9000; 0 picks a free port (tests). */
  port?: number;
  host?: string;
  /** broadcasting.json `connectionPassword` (default 'asd', as the game ships it). */
  connectionPassword?: string;
  /** broadcasting.json `commandPassword` (default ''): a client registering with it may send commands. */
  commandPassword?: string;
  /** The field; defaults to 20 GT3 cars on a 4 km generated track, seed 1. */
  race?: Partial<RaceOptions>;
  /** Simulation steps a second (client intervals are honoured to this resolution). Default 50. */
  stepRateHz?: number;
  /** Simulated ms per real ms. Default 1. */
  timeScale?: number;
  maxClients?: number;
  /** Commands kept for {@link AccServer.commands}; the oldest are dropped beyond this. */
  commandLogLimit?: number;
  trackId?: number;
  logger?: Logger;
  onSend?: SendObserver;
}

export interface AccClient {
  connectionId: number;
  address: string;
  port: number;
  displayName: string;
  intervalMs: number;
  writable: boolean;
  /** Real ms since the last realtime update to this client. */
  sinceUpdateMs: number;
}

export type AccCommand = Extract<OutboundMessage, { type: 'CHANGE_HUD_PAGE' | 'CHANGE_FOCUS' | 'INSTANT_REPLAY_REQUEST' }>;

export interface RecordedCommand {
  command: AccCommand;
  from: { address: string; port: number };
  /** Whether a registered, writable client sent it (only then does the game act on it). */
  accepted: boolean;
  atMs: number;
}

/** The game's bounds on msRealtimeUpdateInterval, as this simulator enforces them. */
const MIN_INTERVAL_MS = 10;
const MAX_INTERVAL_MS = 60_000;

export class AccServer {
  readonly stats: UdpStats = emptyStats();
  readonly race: Race;
  readonly clients = new Map<string, AccClient>();
  readonly view: ViewState = { focusedCarIndex: 0, activeCameraSet: 'Drivable', activeCamera: 'Chase', currentHudPage: 'Basic HUD' };
  private readonly recorded: RecordedCommand[] = [];
  /** Commands dropped from the front of the log at its limit. */
  droppedCommands = 0;
  private socket: Socket | null = null;
  private readonly ticker: Ticker;
  private readonly logger: Logger;
  private nextConnectionId = 1;
  private boundPort: number;

  private constructor(private readonly opts: AccServerOptions) {
    this.race = new Race({ seed: 1, cars: 20, spec: GT3_CAR, trackLengthM: 4000, trackName: 'pitwall_ring', ...opts.race });
    this.logger = opts.logger ?? silentLogger();
    this.boundPort = opts.port ?? ACC_BROADCAST_PORT;
    const timeScale = opts.timeScale ?? 1;
    this.ticker = new Ticker({ rateHz: opts.stepRateHz ?? 50 }, (dtMs) => this.tick(dtMs, timeScale));
  }

  static async start(opts: AccServerOptions = {}): Promise<AccServer> {
    const server = new AccServer(opts);
    const socket = await bindUdp(server.boundPort, opts.host ?? '127.0.0.1');
    server.boundPort = socket.address().port;
    socket.on('message', (msg, rinfo) => server.receive(msg, rinfo));
    socket.on('error', (err) => server.logger.warn('acc game: socket error', { err }));
    server.socket = socket;
    server.ticker.start();
    return server;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Commands received, oldest first (bounded by commandLogLimit). */
  get commands(): readonly RecordedCommand[] {
    return this.recorded;
  }

  /** A car joins mid-session: clients see an unknown car index and should ask for the entry list. */
  addCar(): Car {
    return this.race.addCar();
  }

  async stop(): Promise<void> {
    this.ticker.stop();
    this.clients.clear();
    if (this.socket) await closeUdp(this.socket);
    this.socket = null;
  }

  private receive(msg: Buffer, from: RemoteInfo): void {
    this.stats.received++;
    const decoded = decodeOutbound(msg);
    if (!decoded.ok) {
      this.stats.ignored++;
      this.logger.debug('acc game: ignored datagram', { reason: decoded.reason, detail: decoded.detail });
      return;
    }
    const message = decoded.message;
    const key = `${from.address}:${from.port}`;
    const client = this.clients.get(key);
    switch (message.type) {
      case 'REGISTER':
        return this.register(message, from, key);
      case 'UNREGISTER':
        if (!this.clients.delete(key)) this.stats.ignored++;
        return;
      case 'REQUEST_ENTRY_LIST':
        if (!client || client.connectionId !== message.connectionId) return void this.stats.ignored++;
        this.sendTo(client, { type: 'ENTRY_LIST', connectionId: client.connectionId, carIndexes: this.race.cars.map((c) => c.index) });
        for (const car of this.race.cars) this.sendTo(client, entryListCar(car));
        return;
      case 'REQUEST_TRACK_DATA':
        if (!client || client.connectionId !== message.connectionId) return void this.stats.ignored++;
        this.sendTo(client, {
          type: 'TRACK_DATA',
          connectionId: client.connectionId,
          trackName: this.race.track.name,
          trackId: this.opts.trackId ?? 999,
          trackMeters: Math.round(this.race.track.lengthM),
          cameraSets: CAMERA_SETS,
          hudPages: HUD_PAGES,
        });
        return;
      default:
        return this.command(message, client, from);
    }
  }

  private register(message: Outbound<'REGISTER'>, from: RemoteInfo, key: string): void {
    const reply = (connectionId: number, errorMessage: string, writable = false) =>
      this.sendTo(from, { type: 'REGISTRATION_RESULT', connectionId, connectionSuccess: errorMessage === '', isReadonly: !writable, errorMessage });
    if (message.protocolVersion !== BROADCASTING_PROTOCOL_VERSION) {
      return reply(-1, `Protocol version ${message.protocolVersion} is not supported, this game speaks ${BROADCASTING_PROTOCOL_VERSION}`);
    }
    if (message.connectionPassword !== (this.opts.connectionPassword ?? 'asd')) return reply(-1, 'Connection password is wrong');
    const interval = message.msRealtimeUpdateInterval;
    if (!(interval >= MIN_INTERVAL_MS && interval <= MAX_INTERVAL_MS)) {
      return reply(-1, `Realtime update interval ${interval} ms is outside ${MIN_INTERVAL_MS}..${MAX_INTERVAL_MS}`);
    }
    if (!this.clients.has(key) && this.clients.size >= (this.opts.maxClients ?? 8)) return reply(-1, 'Too many broadcasting clients');
    const writable = message.commandPassword === (this.opts.commandPassword ?? '');
    const client: AccClient = {
      connectionId: this.nextConnectionId++,
      address: from.address,
      port: from.port,
      displayName: message.displayName,
      intervalMs: interval,
      writable,
      sinceUpdateMs: 0,
    };
    this.clients.set(key, client);
    this.logger.info('acc game: client registered', { displayName: client.displayName, connectionId: client.connectionId, writable });
    reply(client.connectionId, '', writable);
  }

  private command(command: AccCommand, client: AccClient | undefined, from: RemoteInfo): void {
    const accepted = client !== undefined && client.writable && client.connectionId === command.connectionId;
    this.recorded.push({ command, from: { address: from.address, port: from.port }, accepted, atMs: this.race.elapsedMs });
    const limit = this.opts.commandLogLimit ?? 1000;
    while (this.recorded.length > limit) {
      this.recorded.shift();
      this.droppedCommands++;
    }
    if (!accepted) return;
    if (command.type === 'CHANGE_HUD_PAGE') this.view.currentHudPage = command.hudPage;
    else if (command.type === 'CHANGE_FOCUS') {
      if (command.carIndex !== null) this.view.focusedCarIndex = command.carIndex;
      if (command.camera) {
        this.view.activeCameraSet = command.camera.cameraSet;
        this.view.activeCamera = command.camera.camera;
      }
    }
  }

  private tick(realDtMs: number, timeScale: number): void {
    const laps = this.race.step(realDtMs * timeScale);
    for (const client of this.clients.values()) {
      for (const lap of laps) for (const event of lapEvents(this.race, lap)) this.sendTo(client, event);
      client.sinceUpdateMs += realDtMs;
      if (client.sinceUpdateMs + 1e-6 < client.intervalMs) continue;
      client.sinceUpdateMs = 0;
      this.sendTo(client, realtimeUpdate(this.race, this.view, this.race.tyres.trackTempC));
      for (const car of this.race.cars) this.sendTo(client, carUpdate(car));
    }
  }

  private sendTo(to: { address: string; port: number }, message: InboundMessage): void {
    if (!this.socket) return;
    sendCounted(this.socket, this.stats, this.opts.onSend, message.type, encodeInbound(message), to.port, to.address);
  }
}
