// The game side of AC remote telemetry: answers handshakes on its port and streams to the one
// client that subscribed, as the game does (it keeps a single client: a new handshake from
// another address takes over). A restart closes the port for a while and forgets the client.
import type { RemoteInfo, Socket } from 'node:dgram';
import { AC_UDP_PORT, AcOperation, decodeHandshaker, encodeCarInfo, encodeHandshakeResponse, encodeLap } from '@pitwall/ac-udp';
import { silentLogger, type Logger } from '@pitwall/logger';
import { GT3_CAR, Race, type RaceOptions } from '../driving';
import { Ticker } from '../ticker';
import { bindUdp, closeUdp, emptyStats, sendCounted, type SendObserver, type UdpStats } from '../udp';
import { carInfo, lapMessage } from './car-info';

export interface AcServerOptions {
  /** Default 9996, the game's port; 0 picks a free one (tests). */
  port?: number;
  host?: string;
  /** RTCarInfo datagrams a second while subscribed (the game sends one per physics step). */
  updateRateHz?: number;
  /** Simulated ms per real ms (tests use >1 to see laps quickly). Default 1. */
  timeScale?: number;
  /** The field; defaults to 12 GT3 cars on a 4 km generated track, seed 1. */
  race?: Partial<RaceOptions>;
  /** The car this "game" is driving (RTCarInfo is about it). */
  playerCar?: number;
  carName?: string;
  trackConfig?: string;
  logger?: Logger;
  onSend?: SendObserver;
}

export interface AcSubscriber {
  address: string;
  port: number;
  /** Subscribed to RTCarInfo (operation 1). */
  update: boolean;
  /** Subscribed to RTLap spot events (operation 2). */
  spot: boolean;
}

/** Handshake response identifier and version, as the doc gives them. */
const GAME_IDENTIFIER = 4242;
const GAME_VERSION = 1;

export class AcServer {
  readonly stats: UdpStats = emptyStats();
  race: Race;
  /** The client the game talks to, if any. */
  subscriber: AcSubscriber | null = null;
  private socket: Socket | null = null;
  private readonly ticker: Ticker;
  private readonly raceOptions: RaceOptions;
  private readonly logger: Logger;
  private boundPort: number;
  private readonly host: string;
  private readonly playerCar: number;
  private readonly carName: string;
  private readonly trackConfig: string;
  private stopped = false;

  private constructor(private readonly opts: AcServerOptions) {
    this.raceOptions = { seed: 1, cars: 12, spec: GT3_CAR, trackLengthM: 4000, trackName: 'pitwall_ring', ...opts.race };
    this.race = new Race(this.raceOptions);
    this.playerCar = opts.playerCar ?? 0;
    if (!(this.playerCar >= 0 && this.playerCar < this.raceOptions.cars)) {
      throw new RangeError(`playerCar ${this.playerCar} is not one of the ${this.raceOptions.cars} cars`);
    }
    this.carName = opts.carName ?? 'ks_ferrari_488_gt3';
    this.trackConfig = opts.trackConfig ?? '';
    this.logger = opts.logger ?? silentLogger();
    this.boundPort = opts.port ?? AC_UDP_PORT;
    this.host = opts.host ?? '127.0.0.1';
    const timeScale = opts.timeScale ?? 1;
    this.ticker = new Ticker({ rateHz: opts.updateRateHz ?? 60 }, (dtMs) => this.tick(dtMs * timeScale));
  }

  static async start(opts: AcServerOptions = {}): Promise<AcServer> {
    const server = new AcServer(opts);
    await server.open();
    server.ticker.start();
    return server;
  }

  /** The bound port (the real one when started with port 0). */
  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.socket !== null;
  }

  /**
   * Simulates the game quitting and starting again: the port closes for `downMs`, the client is
   * forgotten (it must handshake again) and, unless `newSession` is false, laps start from zero.
   */
  async restart(downMs: number, newSession = true): Promise<void> {
    this.ticker.stop();
    this.subscriber = null;
    if (this.socket) await closeUdp(this.socket);
    this.socket = null;
    this.logger.info('ac game: down', { downMs });
    await new Promise((resolve) => setTimeout(resolve, downMs));
    if (this.stopped) return;
    if (newSession) this.race = new Race(this.raceOptions);
    await this.open();
    this.ticker.start();
    this.logger.info('ac game: back up', { port: this.boundPort });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ticker.stop();
    if (this.socket) await closeUdp(this.socket);
    this.socket = null;
  }

  private async open(): Promise<void> {
    const socket = await bindUdp(this.boundPort, this.host);
    this.boundPort = socket.address().port;
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    socket.on('error', (err) => this.logger.warn('ac game: socket error', { err }));
    this.socket = socket;
  }

  private receive(msg: Buffer, from: RemoteInfo): void {
    this.stats.received++;
    const decoded = decodeHandshaker(msg);
    if (!decoded.ok) {
      this.stats.ignored++;
      this.logger.debug('ac game: ignored datagram', { reason: decoded.reason, detail: decoded.detail });
      return;
    }
    const op = decoded.value.operationId;
    const isClient = this.subscriber?.address === from.address && this.subscriber.port === from.port;
    if (op === AcOperation.Handshake) {
      this.subscriber = { address: from.address, port: from.port, update: false, spot: false };
      const car = this.race.cars[this.playerCar]!;
      const response = encodeHandshakeResponse({
        carName: this.carName,
        driverName: `${car.driver.firstName} ${car.driver.lastName}`,
        identifier: GAME_IDENTIFIER,
        version: GAME_VERSION,
        trackName: this.race.track.name,
        trackConfig: this.trackConfig,
      });
      this.send('handshakeResponse', response);
      return;
    }
    if (!isClient) {
      // Subscribing or dismissing without a handshake from this address: the game ignores it.
      this.stats.ignored++;
      return;
    }
    if (op === AcOperation.SubscribeUpdate) this.subscriber!.update = true;
    else if (op === AcOperation.SubscribeSpot) this.subscriber!.spot = true;
    else this.subscriber = null;
  }

  private tick(dtMs: number): void {
    const laps = this.race.step(dtMs);
    const client = this.subscriber;
    if (!client) return;
    if (client.spot) {
      for (const lap of laps) this.send('lap', encodeLap(lapMessage(this.race.cars[lap.carIndex]!, lap, this.carName)));
    }
    if (client.update) this.send('carInfo', encodeCarInfo(carInfo(this.race.cars[this.playerCar]!)));
  }

  private send(kind: string, data: Buffer): void {
    const client = this.subscriber;
    if (!this.socket || !client) return;
    sendCounted(this.socket, this.stats, this.opts.onSend, kind, data, client.port, client.address);
  }
}
