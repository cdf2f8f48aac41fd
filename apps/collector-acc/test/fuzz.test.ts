import * as dgram from 'node:dgram';
import { encodeInbound, type InboundMessage } from '@pitwall/acc-broadcast';
import { AccGame, carUpdate, entry, lap } from './acc-game';
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

const SEED = Number(process.env.FUZZ_SEED ?? 0x0acc_f00d);
const DATAGRAMS = 10_000;
const BATCH = 50;

const samples: InboundMessage[] = [
  { type: 'REGISTRATION_RESULT', connectionId: 17, connectionSuccess: true, isReadonly: false, errorMessage: '' },
  { type: 'REGISTRATION_RESULT', connectionId: -1, connectionSuccess: false, isReadonly: true, errorMessage: 'Wrong password' },
  carUpdate(0),
  carUpdate(3, { driverCount: 2, driverIndex: 1, carLocation: 2 }),
  { type: 'ENTRY_LIST', connectionId: 17, carIndexes: [0, 3, 9] },
  entry(3, [['Kimi', 'Räikkönen'], ['Sebastian', 'Vettel']]),
  { type: 'TRACK_DATA', connectionId: 17, trackName: 'spa', trackId: 3, trackMeters: 7004, cameraSets: [{ name: 'set', cameras: ['a', 'b'] }], hudPages: ['Basic HUD'] },
  { type: 'BROADCASTING_EVENT', eventType: 5, message: 'lap', timeMs: 123, carId: 3 },
  {
    type: 'REALTIME_UPDATE', eventIndex: 0, sessionIndex: 2, sessionType: 4, phase: 5, sessionTimeMs: 1000, sessionEndTimeMs: 2000, focusedCarIndex: 0,
    activeCameraSet: 'a', activeCamera: 'b', currentHudPage: 'c', replay: { sessionTime: 1, remainingTime: 2 }, timeOfDayMs: 0, ambientTempC: 20,
    trackTempC: 25, clouds: 0.2, rainLevel: 0.1, wetness: 0, bestSessionLap: lap({ laptimeMs: 100_000, splitsMs: [30_000, 35_000, 35_000] }),
  },
];

describe('collector-acc fuzz', () => {
  it(`counts ${DATAGRAMS} random and mutated datagrams (seed ${SEED}) without crashing, then still works`, async () => {
    const rand = prng(SEED);
    const int = (n: number) => Math.floor(rand() * n);
    const valid = samples.map((m) => encodeInbound(m));
    const random = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const mutate = (): Buffer => {
      const base = Buffer.from(valid[int(valid.length)]!);
      switch (int(6)) {
        case 0: // bit flips
          for (let i = 0, n = 1 + int(8); i < n; i++) base[int(base.length)]! ^= 1 << int(8);
          return base;
        case 1: // truncated
          return base.subarray(0, int(base.length));
        case 2: // trailing bytes (a newer game may append fields)
          return Buffer.concat([base, random(1 + int(32))]);
        case 3: // a huge count or string length somewhere
          if (base.length >= 3) base.writeUInt16LE(0xff00 + int(256), 1 + int(base.length - 2));
          return base;
        case 4: // another message type byte on this body
          base[0] = int(256);
          return base;
        default: // unmodified: the state machine sees real messages out of order
          return base;
      }
    };
    const datagram = () => {
      if (rand() >= 0.3) return mutate();
      const b = random(int(600));
      if (b.length > 0 && rand() < 0.7) b[0] = 1 + int(7); // mostly known types with junk bodies
      return b;
    };

    const game = new AccGame();
    await game.start();
    const running = await run(fastEnv(game.port));
    try {
      await until('frames', () => running.frames.length > 0);
      const collector = game.client!;
      game.answering = false; // the game sends nothing of its own from here on
      const total = async () =>
        (await running.counter('pitwall_collector_datagrams_total', { source: 'acc' })) +
        (await running.counter('pitwall_collector_datagrams_dropped_total', { source: 'acc' }));
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
      expect(await running.counter('pitwall_collector_datagrams_dropped_total', { source: 'acc', reason: 'foreign_sender' })).toBe(fromStranger);
      // Junk from the game is the game's problem: counted and logged at debug, never an error.
      expect(running.logs.filter((l) => l.level === 'error')).toEqual([]);
      for (const reason of ['truncated', 'unknown_type']) {
        expect(await running.counter('pitwall_collector_datagrams_dropped_total', { source: 'acc', reason })).toBeGreaterThan(0);
      }

      // Still alive: once the fuzz stops the link times out, registers for real and makes frames again.
      game.answering = true;
      game.client = null;
      game.updates = () => [carUpdate(0, { laps: 41 })];
      await until('frames after the fuzz', () => running.frames.some((f) => f.lap === 42 && f.track === 'monza'), 10_000);
    } finally {
      await running.stop();
      await game.close();
    }
  }, 60_000);
});
