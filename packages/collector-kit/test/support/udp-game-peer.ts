// The socket half of a fake game for collector tests (AC, ACC): the game listens on 127.0.0.1 and
// answers whoever wrote to it, like the real ones. Subclasses speak the protocol.
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface Client {
  address: string;
  port: number;
}

/** Binds an ephemeral port on 127.0.0.1, hands every datagram to `receive`, calls `tick` every `intervalMs`. */
export abstract class UdpGamePeer {
  readonly socket = dgram.createSocket('udp4');
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number) {}

  /** Resolves to the game's port once bound. */
  async start(): Promise<number> {
    this.socket.on('message', (msg, rinfo) => this.receive(msg, { address: rinfo.address, port: rinfo.port }));
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    return this.port;
  }

  get port(): number {
    return (this.socket.address() as AddressInfo).port;
  }

  /** Sends bytes from the game's port, as the game would (the collector accepts only these). */
  send(datagram: Buffer, to: Client): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(datagram, to.port, to.address, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  /** One datagram from `from` (the collector, normally). */
  protected abstract receive(msg: Buffer, from: Client): void;

  /** The game's clock: stream to whoever subscribed. */
  protected abstract tick(): void;
}
