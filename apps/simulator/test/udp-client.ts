// A minimal UDP peer for the tests: sends datagrams and queues what comes back.
import dgram from 'node:dgram';

export class TestPeer {
  readonly received: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: dgram.Socket) {
    socket.on('message', (msg) => {
      this.received.push(msg);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(port = 0): Promise<TestPeer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
    // Bursts of 1.3 kB F1 packets overflow the default ~200 kB buffer while jest is busy.
    socket.setRecvBufferSize(4 * 1024 * 1024);
    return new TestPeer(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(data: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(data, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** Waits until `count` datagrams matching `pick` have arrived; returns them (and leaves them queued). */
  async waitFor(count: number, pick: (b: Buffer) => boolean = () => true, timeoutMs = 3000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const matching = this.received.filter(pick);
      if (matching.length >= count) return matching;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out: ${matching.length} of ${count} datagrams after ${timeoutMs} ms (${this.received.length} received in all)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  clear(): void {
    this.received.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
