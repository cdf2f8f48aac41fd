import { encodeInbound, type InboundMessage } from '@pitwall/acc-broadcast';
import { datagramsCounted, deliverFuzz, Mutator, prng } from '../../../packages/collector-kit/test/support/fuzz';
import { AccGame, carUpdate, entry, lap } from './acc-game';
import { fastEnv, run, until } from './harness';

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
    const m = new Mutator(rand);
    const int = (n: number) => m.int(n);
    const valid = samples.map((s) => encodeInbound(s));
    const own = [
      (base: Buffer) => {
        // A huge count or string length somewhere.
        if (base.length >= 3) base.writeUInt16LE(0xff00 + int(256), 1 + int(base.length - 2));
        return base;
      },
      (base: Buffer) => {
        // Another message type byte on this body.
        base[0] = int(256);
        return base;
      },
      // Unmodified: the state machine sees real messages out of order.
      (base: Buffer) => base,
    ];
    const datagram = () => {
      // Extensions up to 32 bytes: a newer game may append fields.
      if (rand() >= 0.3) return m.mutate(valid, 32, own);
      const b = m.bytes(int(600));
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
      const total = datagramsCounted(running.counter, 'acc');
      const { baseline, fromStranger } = await deliverFuzz({ rand, count: DATAGRAMS, batch: BATCH, datagram, game, collector, counted: total });

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
