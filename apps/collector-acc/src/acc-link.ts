import {
  BROADCASTING_PROTOCOL_VERSION,
  decodeInbound,
  encodeOutbound,
  type InboundMessage,
  type OutboundMessage,
  type RegistrationResult,
} from '@pitwall/acc-broadcast';
import type { Logger } from '@pitwall/logger';
import { GameSocket, LinkClock } from '@pitwall/collector-kit';
import type { CollectorAccConfig } from './config';

/**
 * registering: REGISTER sent, waiting for REGISTRATION_RESULT.
 * connected:   registered; realtime updates expected (the data watchdog runs).
 * waiting:     backing off before registering again (no game, refused, or the game went silent).
 */
export type AccLinkState = 'registering' | 'connected' | 'waiting';
export const ACC_LINK_STATES: readonly AccLinkState[] = ['registering', 'connected', 'waiting'];

/** Messages the client sends that need the connection id (it is filled in here). */
type WithConnection = Extract<OutboundMessage, { connectionId: number }>;
export type AccRequest = { [K in WithConnection['type']]: Omit<Extract<WithConnection, { type: K }>, 'connectionId'> }[WithConnection['type']];

export interface AccLinkHandlers {
  /** A registration the game accepted: a new registration run starts. */
  registered(result: RegistrationResult): void;
  /** Every decoded message from the game (REGISTRATION_RESULT included, after `registered`). */
  message(message: InboundMessage): void;
  dropped(reason: string, detail: string): void;
  state(state: AccLinkState): void;
  registration(result: 'sent' | 'accepted' | 'refused' | 'timeout'): void;
}

/**
 * The collector's side of ACC's broadcasting protocol. The game listens on its broadcasting port
 * and answers whoever registered: the collector sends from an ephemeral socket of its own and never
 * binds the game's port (which on the same machine would steal the game's own traffic).
 */
export class AccLink {
  private readonly socket: GameSocket;
  private readonly clock: LinkClock<AccLinkState>;
  private connection: number | null = null;
  private stopped = false;

  constructor(
    private readonly config: CollectorAccConfig,
    private readonly handlers: AccLinkHandlers,
    private readonly logger: Logger,
  ) {
    this.clock = new LinkClock<AccLinkState>('waiting', { initialMs: config.retryInitialMs, maxMs: config.retryMaxMs }, (state) => handlers.state(state));
    this.socket = new GameSocket(
      { name: 'ACC', host: config.gameHost, port: config.gamePort, logger },
      {
        datagram: (msg) => this.onDatagram(msg),
        // Once stopping, nothing that still arrives before the socket closes is counted.
        dropped: (reason, detail) => {
          if (!this.stopped) handlers.dropped(reason, detail);
        },
      },
    );
  }

  get state(): AccLinkState {
    return this.clock.state;
  }

  /** The game's id for this registration, null while not registered. */
  get connectionId(): number | null {
    return this.connection;
  }

  /** Unix ms of the last realtime update, 0 before the first. */
  get lastUpdateAtMs(): number {
    return this.clock.lastDataAtMs;
  }

  get localPort(): number {
    return this.socket.localPort;
  }

  async start(): Promise<void> {
    await this.socket.open();
    this.clock.startWatchdog(() => this.tick(), this.config.registerTimeoutMs, this.config.dataTimeoutMs);
    await this.register();
  }

  /** Sends a request that carries the connection id; false when not registered. */
  async request(message: AccRequest): Promise<boolean> {
    if (this.connection === null) return false;
    await this.send({ ...message, connectionId: this.connection } as OutboundMessage);
    return true;
  }

  /** Unregisters (so the game drops this client) and closes the socket. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.stopWatchdog();
    if (this.connection !== null) {
      await this.send({ type: 'UNREGISTER' }).catch((err: Error) => this.logger.info('could not send unregister to ACC', { err: err.message }));
      this.logger.info('unregistered from ACC', { connectionId: this.connection });
      this.connection = null;
    }
    await this.socket.close();
  }

  private async register(): Promise<void> {
    if (this.stopped) return;
    this.connection = null;
    this.clock.enter('registering');
    try {
      await this.socket.resolve();
      await this.send({
        type: 'REGISTER',
        protocolVersion: BROADCASTING_PROTOCOL_VERSION,
        displayName: this.config.displayName,
        connectionPassword: this.config.connectionPassword,
        msRealtimeUpdateInterval: this.config.updateIntervalMs,
        commandPassword: this.config.commandPassword,
      });
      this.handlers.registration('sent');
    } catch (err) {
      this.logger.info('ACC registration could not be sent; will retry', { host: this.config.gameHost, err: (err as Error).message });
    }
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    switch (this.clock.state) {
      case 'registering':
        if (this.clock.inStateMs(now) >= this.config.registerTimeoutMs) {
          this.handlers.registration('timeout');
          this.wait('no registration result');
        }
        break;
      case 'waiting':
        if (this.clock.attemptDue(now)) void this.register();
        break;
      case 'connected': {
        const silentMs = this.clock.silentMs(now);
        if (silentMs >= this.config.dataTimeoutMs) {
          // The game quitting or leaving the session is normal: info, not error.
          this.logger.info('ACC went silent; registering again', { silentMs });
          void this.reregister();
        }
        break;
      }
    }
  }

  /** A game that is still there but stopped sending keeps our old registration: end it first. */
  private async reregister(): Promise<void> {
    this.clock.enter('registering');
    await this.send({ type: 'UNREGISTER' }).catch(() => undefined);
    await this.register();
  }

  private wait(why: string): void {
    const delayMs = this.clock.backOff();
    this.logger.info(`ACC: ${why}; registering again in ${delayMs} ms`, { game: `${this.config.gameHost}:${this.config.gamePort}`, attempt: this.clock.attempts });
    this.clock.enter('waiting');
  }

  /** A datagram from the game (the socket drops everyone else's). */
  private onDatagram(msg: Buffer): void {
    if (this.stopped) return;
    const d = decodeInbound(msg);
    if (!d.ok) {
      this.handlers.dropped(d.reason, d.detail);
      return;
    }
    const m = d.message;
    if (m.type === 'REGISTRATION_RESULT') {
      this.onRegistrationResult(m);
    } else if (this.connection === null) {
      // Updates meant for an earlier registration (ours before a restart, or one the game still
      // serves): without a connection there is no run to put them in.
      this.handlers.dropped('not_registered', `${m.type} before a registration was accepted`);
      return;
    } else if (m.type === 'REALTIME_UPDATE' || m.type === 'REALTIME_CAR_UPDATE') {
      this.clock.heard();
    }
    this.handlers.message(m);
  }

  private onRegistrationResult(r: RegistrationResult): void {
    if (!r.connectionSuccess) {
      this.handlers.registration('refused');
      this.connection = null;
      // The game says why (wrong password, wrong protocol version): pass it on verbatim.
      this.logger.warn(`ACC refused the registration: ${r.errorMessage || '(no message)'}`, {
        game: `${this.config.gameHost}:${this.config.gamePort}`,
        errorMessage: r.errorMessage,
        hint: 'check ACC_CONNECTION_PASSWORD against broadcasting.json connectionPassword',
      });
      this.wait('registration refused');
      return;
    }
    this.handlers.registration('accepted');
    this.connection = r.connectionId;
    if (r.isReadonly) {
      this.logger.warn('ACC accepted the registration read-only: commands will be ignored by the game', {
        connectionId: r.connectionId,
        hint: 'set ACC_COMMAND_PASSWORD to broadcasting.json commandPassword',
      });
    }
    this.logger.info('registered with ACC', { connectionId: r.connectionId, readonly: r.isReadonly });
    this.clock.enter('connected');
    // A new registration gets the full data timeout before the watchdog calls it silent.
    this.clock.restart();
    this.handlers.registered(r);
  }

  private send(message: OutboundMessage): Promise<void> {
    return this.socket.send(encodeOutbound(message), message.type);
  }
}
