import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIPv6 } from 'node:net';
import type { Logger } from '@pitwall/logger';

export interface GameSocketOptions {
  /** How logs and errors name the game ('AC', 'ACC'). */
  name: string;
  /** The game's host name or address; an IPv6 address makes the socket udp6. */
  host: string;
  /** The port the game listens on. */
  port: number;
  logger: Logger;
}

export interface GameSocketHandlers {
  /** A datagram from the game's address and port. */
  datagram(msg: Buffer): void;
  /** A datagram from anyone else (or before the game's address is known): never decoded. */
  dropped(reason: 'foreign_sender', detail: string): void;
}

export interface GameAddress {
  address: string;
  port: number;
}

/**
 * A collector's own UDP socket to a game that answers whoever writes to it (AC, ACC): bound to an
 * ephemeral port, because binding the game's port would, on the same machine, take the game's
 * own traffic. It sends to the game's resolved address and accepts datagrams only from there.
 */
export class GameSocket {
  private socket: dgram.Socket | null = null;
  private game: GameAddress | null = null;

  constructor(
    private readonly options: GameSocketOptions,
    private readonly handlers: GameSocketHandlers,
  ) {}

  /** The collector's own local port (never the game's); 0 while not open. */
  get localPort(): number {
    return this.socket?.address().port ?? 0;
  }

  async open(): Promise<void> {
    const { name, host, port, logger } = this.options;
    const socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    // A UDP socket's errors (ICMP unreachable on some platforms, buffer errors) never end the link:
    // the link's next attempt to reach the game is the recovery.
    socket.on('error', (err) => logger.warn(`${name} socket error`, { err }));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
    logger.info(`${name} collector socket open`, { localPort: this.localPort, game: `${host}:${port}` });
  }

  /**
   * Looks the game's host up, in the socket's address family. Links call this on every attempt to
   * reach the game, so a game whose address changed is found again; a failed lookup keeps the
   * address found before.
   */
  async resolve(): Promise<GameAddress> {
    const { host, port } = this.options;
    const { address } = await lookup(host, { family: isIPv6(host) ? 6 : 4 });
    this.game = { address, port };
    return this.game;
  }

  /** Sends one datagram to the game; `what` names it in the error. */
  send(datagram: Buffer, what: string): Promise<void> {
    const socket = this.socket;
    const game = this.game;
    if (!socket || !game) return Promise.reject(new Error(`${this.options.name} link is not open`));
    return new Promise((resolve, reject) =>
      socket.send(datagram, game.port, game.address, (err) => (err ? reject(new Error(`sending ${what} to ${game.address}:${game.port}: ${err.message}`)) : resolve())),
    );
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (!this.game || rinfo.address !== this.game.address || rinfo.port !== this.game.port) {
      this.handlers.dropped('foreign_sender', `${rinfo.address}:${rinfo.port} is not the game`);
      return;
    }
    this.handlers.datagram(msg);
  }
}
