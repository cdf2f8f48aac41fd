import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { GameSocket } from '@pitwall/collector-kit';
import { silentLogger } from '@pitwall/logger';

const until = async (what: string, cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

/** A plain UDP socket on loopback that records what it receives: the game, or a stranger. Closed after the test. */
async function peer(type: 'udp4' | 'udp6' = 'udp4', host = '127.0.0.1') {
  const socket = dgram.createSocket(type);
  const received: { msg: Buffer; port: number }[] = [];
  socket.on('message', (msg, rinfo) => received.push({ msg, port: rinfo.port }));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  cleanup.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return {
    port: (socket.address() as AddressInfo).port,
    received,
    send: (msg: Buffer, port: number) => new Promise<void>((resolve, reject) => socket.send(msg, port, host, (err) => (err ? reject(err) : resolve()))),
  };
}

/** A GameSocket to `host:port`, recording what it hands on and drops. */
function gameSocket(host: string, port: number) {
  const datagrams: Buffer[] = [];
  const dropped: { reason: string; detail: string }[] = [];
  const socket = new GameSocket({ name: 'TEST', host, port, logger: silentLogger() }, { datagram: (msg) => datagrams.push(msg), dropped: (reason, detail) => dropped.push({ reason, detail }) });
  return { socket, datagrams, dropped };
}

/** The same, opened (and closed after the test). */
async function openGameSocket(host: string, port: number) {
  const s = gameSocket(host, port);
  await s.socket.open();
  cleanup.push(() => s.socket.close());
  return s;
}

describe('GameSocket over real UDP', () => {
  it('sends from an ephemeral port of its own, never the game port, once the game is resolved', async () => {
    const game = await peer();
    const { socket } = gameSocket('127.0.0.1', game.port);
    expect(socket.localPort).toBe(0);
    await socket.open();
    cleanup.push(() => socket.close());
    expect(socket.localPort).toBeGreaterThan(0);
    expect(socket.localPort).not.toBe(game.port);

    await expect(socket.send(Buffer.from('early'), 'early')).rejects.toThrow('TEST link is not open');
    expect(await socket.resolve()).toEqual({ address: '127.0.0.1', port: game.port });
    await socket.send(Buffer.from('hello'), 'hello');
    await until('the datagram at the game', () => game.received.length === 1);
    expect(game.received[0]).toEqual({ msg: Buffer.from('hello'), port: socket.localPort });
  });

  it('hands on datagrams from the game and drops everyone else as foreign_sender, naming the sender', async () => {
    const game = await peer();
    const stranger = await peer();
    const { socket, datagrams, dropped } = await openGameSocket('127.0.0.1', game.port);

    // Before the game's address is known, nobody is the game.
    await game.send(Buffer.from('before'), socket.localPort);
    await until('the early datagram dropped', () => dropped.length === 1);
    expect(datagrams).toEqual([]);

    await socket.resolve();
    await game.send(Buffer.from('g1'), socket.localPort);
    await stranger.send(Buffer.from('s1'), socket.localPort);
    await game.send(Buffer.from('g2'), socket.localPort);
    await until('three more datagrams', () => datagrams.length + dropped.length === 4);
    expect(datagrams.map((d) => d.toString())).toEqual(['g1', 'g2']);
    expect(dropped).toEqual([
      { reason: 'foreign_sender', detail: `127.0.0.1:${game.port} is not the game` },
      { reason: 'foreign_sender', detail: `127.0.0.1:${stranger.port} is not the game` },
    ]);
  });

  it('resolves a host name in its address family; a failed lookup rejects and sending stays refused', async () => {
    const game = await peer();
    const named = await openGameSocket('localhost', game.port);
    expect(await named.socket.resolve()).toEqual({ address: '127.0.0.1', port: game.port });

    const unknown = await openGameSocket('no-such-host.invalid', game.port);
    await expect(unknown.socket.resolve()).rejects.toThrow(/no-such-host\.invalid/);
    await expect(unknown.socket.send(Buffer.from('x'), 'x')).rejects.toThrow('TEST link is not open');
  });

  it('uses udp6 for an IPv6 game address', async () => {
    let game: Awaited<ReturnType<typeof peer>>;
    try {
      game = await peer('udp6', '::1');
    } catch (err) {
      console.warn(`skipped: no IPv6 loopback on this machine (${(err as Error).message})`);
      return;
    }
    const { socket, datagrams } = await openGameSocket('::1', game.port);
    expect(await socket.resolve()).toEqual({ address: '::1', port: game.port });
    await socket.send(Buffer.from('ping'), 'ping');
    await until('the datagram at the game', () => game.received.length === 1);
    await game.send(Buffer.from('pong'), socket.localPort);
    await until('the answer', () => datagrams.length === 1);
    expect(datagrams[0]!.toString()).toBe('pong');
  });

  it('a failed send names what it sent and where', async () => {
    const game = await peer();
    const { socket } = await openGameSocket('127.0.0.1', game.port);
    await socket.resolve();
    // Larger than any UDP datagram can be.
    await expect(socket.send(Buffer.alloc(70_000), 'a huge thing')).rejects.toThrow(new RegExp(`^sending a huge thing to 127\\.0\\.0\\.1:${game.port}: .*EMSGSIZE`));
  });

  it('after close: local port 0, sends refused, nothing delivered, close again is harmless', async () => {
    const game = await peer();
    const { socket, datagrams, dropped } = gameSocket('127.0.0.1', game.port);
    await socket.open();
    await socket.resolve();
    const port = socket.localPort;
    await socket.close();
    expect(socket.localPort).toBe(0);
    await expect(socket.send(Buffer.from('late'), 'late')).rejects.toThrow('TEST link is not open');
    await game.send(Buffer.from('late'), port);
    await new Promise((r) => setTimeout(r, 50));
    expect(datagrams.length + dropped.length).toBe(0);
    await socket.close();
  });
});
