import * as dgram from 'node:dgram';
import { encodeCarInfo, encodeHandshakeResponse, encodeLap } from '@pitwall/ac-udp';
import { AcGame, carInfo, identity } from './ac-game';
import { fastEnv, run, until } from './harness';

/** mulberry32: a seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.FUZZ_SEED ?? 0x0ac0ffee);
const DATAGRAMS = 10_000;
const BATCH = 50;

describe('collector-ac fuzz', () => {
  it(`counts ${DATAGRAMS} random and mutated datagrams (seed ${SEED}) without crashing, then still streams`, async () => {
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);
    const weird = [NaN, Infinity, -Infinity, -1, 0, 1e30, -1e30, 2 ** 31, -(2 ** 31)];
    const valid = [
      encodeCarInfo(carInfo()),
      encodeHandshakeResponse(identity),
      encodeLap({ carIdentifierNumber: 0, lap: 1, driverName: identity.driverName, carName: identity.carName, timeMs: 90_000 }),
    ];
    const random = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const mutate = (): Buffer => {
      const base = Buffer.from(valid[int(valid.length)]!);
      switch (int(6)) {
        case 0: // bit flips
          for (let i = 0, n = 1 + int(8); i < n; i++) base[int(base.length)]! ^= 1 << int(8);
          return base;
        case 1: // truncated
          return base.subarray(0, int(base.length));
        case 2: // extended
          return Buffer.concat([base, random(1 + int(16))]);
        case 3: // a weird number in a random aligned 4-byte slot (floats and ints alike)
          base.writeFloatLE(weird[int(weird.length)]!, 4 * int(base.length / 4));
          return base;
        case 4: // an exact size with random content
          return random(base.length);
        default: // identifier byte changed
          base[0] = int(256);
          return base;
      }
    };
    const datagram = () => (rand() < 0.35 ? random(int(1500)) : mutate());

    const game = new AcGame();
    await game.start();
    const running = await run(fastEnv(game.port, { AC_DATA_TIMEOUT_MS: '60000' }));
    try {
      await until('the stream', () => running.frames.length > 0);
      game.answering = false; // the game sends nothing of its own from here on
      const collector = { address: '127.0.0.1', port: running.collector.localPort };
      const total = async () =>
        (await running.counter('pitwall_collector_datagrams_total', { source: 'ac' })) +
        (await running.counter('pitwall_collector_datagrams_dropped_total', { source: 'ac' }));
      await new Promise((r) => setTimeout(r, 50));
      const baseline = await total();

      const stranger = dgram.createSocket('udp4');
      await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', () => r()));
      let sent = 0;
      let fromStranger = 0;
      while (sent < DATAGRAMS) {
        const sends: Promise<void>[] = [];
        for (let i = 0; i < BATCH && sent < DATAGRAMS; i++, sent++) {
          const d = datagram();
          if (rand() < 0.02) {
            fromStranger++;
            sends.push(new Promise((r) => stranger.send(d, collector.port, collector.address, () => r())));
          } else {
            sends.push(game.send(d, collector));
          }
        }
        await Promise.all(sends);
        await until(`${sent} datagrams counted`, async () => (await total()) === baseline + sent, 5000);
      }
      await new Promise<void>((r) => stranger.close(() => r()));

      expect((await total()) - baseline).toBe(DATAGRAMS);
      expect(await running.counter('pitwall_collector_datagrams_dropped_total', { source: 'ac', reason: 'foreign_sender' })).toBe(fromStranger);
      // Every decoder reason shows up over this many datagrams.
      for (const reason of ['unexpected_length', 'bad_identifier']) {
        expect(await running.counter('pitwall_collector_datagrams_dropped_total', { source: 'ac', reason })).toBeGreaterThan(0);
      }

      // Still alive: the game comes back and frames flow again.
      game.sample = () => carInfo({ lapCount: 776 });
      game.restart();
      await until('frames after the fuzz', () => running.frames.some((f) => f.lap === 777), 5000);
    } finally {
      await running.stop();
      await game.close();
    }
  }, 60_000);
});
