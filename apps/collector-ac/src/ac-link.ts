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
import { GameSocket, LinkClock } from '@pitwall/collector-kit';
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
  private readonly clock: LinkClock<AcLinkState>;
  private answered = false;
  private stopped = false;

  constructor(
    private readonly config: CollectorAcConfig,
    private readonly handlers: AcLinkHandlers,
    private readonly logger: Logger,
  ) {
    this.clock = new LinkClock<AcLinkState>('waiting', { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs }, (state) => handlers.state(state));
    this.socket = new GameSocket(
      { name: 'AC', host: config.gameHost, port: config.gamePort, logger },
      {
        datagram: (msg) => this.onDatagram(msg),
        // Once stopping, nothing that still arrives before the socket closes is counted.
        dropped: (reason, detail) => {
          if (!this.stopped) handlers.dropped(reason, detail);
        },
      },
    );
  }

  get state(): AcLinkState {
    return this.clock.state;
  }

  /** Unix ms of the last RTCarInfo, 0 before the first. */
  get lastDataAtMs(): number {
    return this.clock.lastDataAtMs;
  }

  /** The collector's own local port (never the game's). */
  get localPort(): number {
    return this.socket.localPort;
  }

  async start(): Promise<void> {
    await this.socket.open();
    this.clock.startWatchdog(() => this.tick(), this.config.handshakeTimeoutMs, this.config.dataTimeoutMs);
    await this.handshake();
  }

  /** Dismisses the subscription (so the game stops sending to a closed port) and closes the socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.stopWatchdog();
    if (this.answered) {
      await this.send(AcOperation.Dismiss).catch((err: Error) => this.logger.info('could not send dismiss to AC', { err: err.message }));
      this.logger.info('dismissed the AC subscription');
    }
    await this.socket.close();
  }

  private async handshake(): Promise<void> {
    if (this.stopped) return;
    this.clock.enter('handshaking');
    try {
      const game = await this.socket.resolve();
      await this.send(AcOperation.Handshake);
      this.handlers.handshakeSent();
      this.logger.debug('AC handshake sent', { game, attempt: this.clock.attempts });
    } catch (err) {
      // Lookup failure or a send error: treat like an unanswered handshake.
      this.logger.info('AC handshake could not be sent; will retry', { host: this.config.gameHost, err: (err as Error).message });
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    switch (this.clock.state) {
      case 'handshaking':
        if (this.clock.inStateMs(now) >= this.config.handshakeTimeoutMs) this.wait('no handshake response');
        break;
      case 'waiting':
        if (this.clock.attemptDue(now)) void this.handshake();
        break;
      case 'streaming': {
        const silentMs = this.clock.silentMs(now);
        if (silentMs >= this.config.dataTimeoutMs) {
          // The game restarting or going back to its menu is normal: info, not error.
          this.logger.info('AC went silent; handshaking again', { silentMs });
          void this.resubscribe();
        }
        break;
      }
    }
  }

  /**
   * A paused game may still hold our subscription: dismiss it first, so the new subscription does
   * not make it send everything twice. A game that restarted ignores the dismiss.
   */
  private async resubscribe(): Promise<void> {
    this.clock.enter('handshaking');
    await this.send(AcOperation.Dismiss).catch(() => undefined);
    await this.handshake();
  }

  private wait(why: string): void {
    const delayMs = this.clock.backOff();
    this.logger.info(`AC: ${why}; next handshake in ${delayMs} ms`, { game: `${this.config.gameHost}:${this.config.gamePort}`, attempt: this.clock.attempts });
    this.clock.enter('waiting');
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
        this.clock.heard();
        this.clock.enter('streaming');
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
      this.clock.enter('streaming');
      // A fresh subscription gets the full data timeout before the watchdog calls it silent.
      this.clock.restart();
    } catch (err) {
      this.logger.info('AC subscribe could not be sent; will handshake again', { err: (err as Error).message });
      this.wait('subscribe failed');
    }
  }

  private send(operationId: AcOperationId): Promise<void> {
    return this.socket.send(encodeHandshaker({ ...AC_CLIENT_IDENTITY, operationId }), `operation ${operationId}`);
  }
}
