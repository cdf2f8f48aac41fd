import { encodeCarInfo, encodeHandshakeResponse, encodeLap } from '@pitwall/ac-udp';
import { datagramsCounted, deliverFuzz, Mutator, prng } from '../../../packages/collector-kit/test/support/fuzz';
import { AcGame, carInfo, identity } from './ac-game';
import { fastEnv, run, until } from './harness';

const SEED = Number(process.env.FUZZ_SEED ?? 0x0ac0ffee);
const DATAGRAMS = 10_000;
const BATCH = 50;

describe('collector-ac fuzz', () => {
  it(`counts ${DATAGRAMS} random and mutated datagrams (seed ${SEED}) without crashing, then still streams`, async () => {
    const rand = prng(SEED);
    const m = new Mutator(rand);
    const int = (n: number) => m.int(n);
    const weird = [NaN, Infinity, -Infinity, -1, 0, 1e30, -1e30, 2 ** 31, -(2 ** 31)];
    const valid = [
      encodeCarInfo(carInfo()),
      encodeHandshakeResponse(identity),
      encodeLap({ carIdentifierNumber: 0, lap: 1, driverName: identity.driverName, carName: identity.carName, timeMs: 90_000 }),
    ];
    const own = [
      (base: Buffer) => {
        // A weird number in a random aligned 4-byte slot (floats and ints alike).
        base.writeFloatLE(weird[int(weird.length)]!, 4 * int(base.length / 4));
        return base;
      },
      // An exact size with random content.
      (base: Buffer) => m.bytes(base.length),
      (base: Buffer) => {
        // The identifier byte changed.
        base[0] = int(256);
        return base;
      },
    ];
    const datagram = () => (rand() < 0.35 ? m.bytes(int(1500)) : m.mutate(valid, 16, own));

    const game = new AcGame();
    await game.start();
    const running = await run(fastEnv(game.port, { AC_DATA_TIMEOUT_MS: '60000' }));
    try {
      await until('the stream', () => running.frames.length > 0);
      game.answering = false; // the game sends nothing of its own from here on
      const collector = { address: '127.0.0.1', port: running.collector.localPort };
      const total = datagramsCounted(running.counter, 'ac');
      const { baseline, fromStranger } = await deliverFuzz({ rand, count: DATAGRAMS, batch: BATCH, datagram, game, collector, counted: total });

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
