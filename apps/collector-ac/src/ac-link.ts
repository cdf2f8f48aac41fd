import {
  AC_CLIENT_IDENTITY,
  AcOperation,
  classifyDatagram,
  encodeHandshaker,
  type AcOperationId,
  type HandshakeResponse,
  type RTCarInfo,
  type RTLap,
} from '@pitwall/ac-udp';
import type { Logger } from '@pitwall/logger';
import { Backoff, GameSocket, watchdogIntervalMs } from '@pitwall/collector-kit';
import type { CollectorAcConfig } from './config';

/**
 * handshaking: handshake sent, waiting for the 408-byte response.
 * streaming:   subscribed; RTCarInfo expected (the data watchdog runs).
 * waiting:     backing off before the next handshake (no game, or the game went silent).
 */
export type AcLinkState = 'handshaking' | 'streaming' | 'waiting';
export const AC_LINK_STATES: readonly AcLinkState[] = ['handshaking', 'streaming', 'waiting'];

export interface AcLinkHandlers {
  handshake(response: HandshakeResponse): void;
  /** Only after a handshake response: the app has a session by then. */
  carInfo(info: RTCarInfo): void;
  lap(lap: RTLap): void;
  /** A datagram that decoded (kind) or did not (reason); each datagram reports exactly one. */
  accepted(kind: 'handshake_response' | 'car_info' | 'lap'): void;
  dropped(reason: string, detail: string): void;
  state(state: AcLinkState): void;
  handshakeSent(): void;
}

/**
 * The collector's side of AC remote telemetry. AC is the server: from an ephemeral socket of
 * its own the collector sends the handshake to the game's port, reads the response, subscribes,
 * and watches the stream. When the stream stops (the game restarted, the driver left to the menu)
 * it handshakes again with exponential backoff; that is normal life for a game, so it logs at info.
 */
export class AcLink {
  private readonly socket: GameSocket;
  private currentState: AcLinkState = 'waiting';
  private stateSince = Date.now();
  private nextAttemptAt = 0;
  private lastDataAt = 0;
  private answered = false;
  private ticker: NodeJS.Timeout | null = null;
  private readonly backoff: Backoff;
  private stopped = false;

  constructor(
    private readonly config: CollectorAcConfig,
    private readonly handlers: AcLinkHandlers,
    private readonly logger: Logger,
  ) {
    this.backoff = new Backoff(config.retryInitialMs, config.retryMaxMs);
    this.socket = new GameSocket(
      { name: 'AC', host: config.gameHost, port: config.gamePort, logger },
      {
        datagram: (msg) => this.onDatagram(msg),
        dropped: (reason, detail) => {
          if (!this.stopped) handlers.dropped(reason, detail);
        },
      },
    );
  }

  get state(): AcLinkState {
    return this.currentState;
  }

  /** Unix ms of the last RTCarInfo, 0 before the first. */
  get lastDataAtMs(): number {
    return this.lastDataAt;
  }

  /** The collector's own local port (never the game's). */
  get localPort(): number {
    return this.socket.localPort;
  }

  async start(): Promise<void> {
    await this.socket.open();
    this.ticker = setInterval(() => this.tick(), watchdogIntervalMs(this.config.handshakeTimeoutMs, this.config.dataTimeoutMs));
    await this.handshake();
  }

  /** Dismisses the subscription (so the game stops sending to a closed port) and closes the socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.answered) {
      await this.send(AcOperation.Dismiss).catch((err: Error) => this.logger.info('could not send dismiss to AC', { err: err.message }));
      this.logger.info('dismissed the AC subscription');
    }
    await this.socket.close();
  }

  private setState(state: AcLinkState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateSince = Date.now();
    this.handlers.state(state);
  }

  private async handshake(): Promise<void> {
    if (this.stopped) return;
    this.setState('handshaking');
    try {
      const game = await this.socket.resolve();
      await this.send(AcOperation.Handshake);
      this.handlers.handshakeSent();
      this.logger.debug('AC handshake sent', { game, attempt: this.backoff.attempts });
    } catch (err) {
      // Lookup failure or a send error: treat like an unanswered handshake.
      this.logger.info('AC handshake could not be sent; will retry', { host: this.config.gameHost, err: (err as Error).message });
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    switch (this.currentState) {
      case 'handshaking':
        if (now - this.stateSince >= this.config.handshakeTimeoutMs) this.wait('no handshake response');
        break;
      case 'waiting':
        if (now >= this.nextAttemptAt) void this.handshake();
        break;
      case 'streaming':
        if (now - Math.max(this.lastDataAt, this.stateSince) >= this.config.dataTimeoutMs) {
          // The game restarting or going back to its menu is normal: info, not error.
          this.logger.info('AC went silent; handshaking again', { silentMs: now - Math.max(this.lastDataAt, this.stateSince) });
          void this.resubscribe();
        }
        break;
    }
  }

  /**
   * A paused game may still hold our subscription: dismiss it first, so the new subscription does
   * not make it send everything twice. A game that restarted ignores the dismiss.
   */
  private async resubscribe(): Promise<void> {
    this.setState('handshaking');
    await this.send(AcOperation.Dismiss).catch(() => undefined);
    await this.handshake();
  }

  private wait(why: string): void {
    const delayMs = this.backoff.next();
    this.nextAttemptAt = Date.now() + delayMs;
    this.logger.info(`AC: ${why}; next handshake in ${delayMs} ms`, { game: `${this.config.gameHost}:${this.config.gamePort}`, attempt: this.backoff.attempts });
    this.setState('waiting');
  }

  /** A datagram from the game (the socket drops everyone else's). */
  private onDatagram(msg: Buffer): void {
    if (this.stopped) return;
    const d = classifyDatagram(msg);
    if (!d.ok) {
      this.handlers.dropped(d.reason, d.detail);
      return;
    }
    switch (d.kind) {
      case 'handshakeResponse':
        this.handlers.accepted('handshake_response');
        this.onHandshakeResponse(d.value);
        break;
      case 'carInfo':
        if (!this.answered) {
          // A subscription of an earlier run of ours, still streaming before this run's handshake
          // was answered: there is no session (no track, car, driver) to put it in yet.
          this.handlers.dropped('before_handshake', 'RTCarInfo before the handshake response');
          return;
        }
        this.handlers.accepted('car_info');
        this.lastDataAt = Date.now();
        if (this.currentState !== 'streaming') this.setState('streaming');
        this.backoff.reset();
        this.handlers.carInfo(d.value);
        break;
      case 'lap':
        if (!this.answered) {
          this.handlers.dropped('before_handshake', 'RTLap before the handshake response');
          return;
        }
        this.handlers.accepted('lap');
        this.handlers.lap(d.value);
        break;
    }
  }

  private onHandshakeResponse(response: HandshakeResponse): void {
    this.answered = true;
    this.handlers.handshake(response);
    void this.subscribe();
  }

  private async subscribe(): Promise<void> {
    try {
      await this.send(AcOperation.SubscribeUpdate);
      if (this.config.subscribeSpot) await this.send(AcOperation.SubscribeSpot);
      this.setState('streaming');
      // A fresh subscription gets the full data timeout before the watchdog calls it silent.
      this.stateSince = Date.now();
    } catch (err) {
      this.logger.info('AC subscribe could not be sent; will handshake again', { err: (err as Error).message });
      this.wait('subscribe failed');
    }
  }

  private send(operationId: AcOperationId): Promise<void> {
    return this.socket.send(encodeHandshaker({ ...AC_CLIENT_IDENTITY, operationId }), `operation ${operationId}`);
  }
}
