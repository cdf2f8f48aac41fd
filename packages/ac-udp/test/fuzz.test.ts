// Random and mutated datagrams through classifyDatagram and decodeHandshaker: none may throw,
// and whatever decodes must re-encode to the same value.
import {
  classifyDatagram,
  decodeHandshaker,
  encodeCarInfo,
  encodeHandshakeResponse,
  encodeHandshaker,
  encodeLap,
  type AcGameDatagram,
} from '@pitwall/ac-udp';
import { carInfoDatagram } from './spec';
import { seededRandom as prng } from '@pitwall/seeded-random';

const DATAGRAMS = 12_000;
const SEED = 0xac_9996;


const rand = prng(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));

const valid = [
  carInfoDatagram({ gearRaw: 2 }),
  encodeHandshakeResponse({ carName: 'ks_porsche_911_gt3_r', driverName: 'Ünal 🏁', identifier: 4242, version: 1, trackName: 'spa', trackConfig: '' }),
  encodeLap({ carIdentifierNumber: 0, lap: 3, driverName: 'Ayrton', carName: 'ks_mclaren_mp4', timeMs: 83_456 }),
  encodeHandshaker({ identifier: 1, version: 1, operationId: 1 }),
];

type Mutation = 'random_length' | 'random_at_known_size' | 'truncated' | 'extended' | 'flipped' | 'strings_junked';
const SIZES = [408, 328, 212, 12];
const mutations: Record<Mutation, (v: Buffer) => Buffer> = {
  random_length: () => randomBytes(int(600)),
  random_at_known_size: () => {
    const b = randomBytes(SIZES[int(SIZES.length)]!);
    if (rand() < 0.5) b[0] = 0x61; // let half of the random car infos pass the identifier check
    return b;
  },
  truncated: (v) => v.subarray(0, int(v.length)),
  extended: (v) => Buffer.concat([v, randomBytes(1 + int(16))]),
  flipped: (v) => {
    const b = Buffer.from(v);
    for (let i = 1 + int(8); i > 0; i--) b[int(b.length)] ^= 1 << int(8);
    return b;
  },
  // No '%' or NUL anywhere: strings run to the full 50 units, lone surrogates included.
  strings_junked: (v) => {
    const b = Buffer.from(v);
    for (let i = 0; i + 1 < b.length; i += 2) if (rand() < 0.5) b.writeUInt16LE(0x100 + int(0xff00), i);
    return b;
  },
};
const mutationNames = Object.keys(mutations) as Mutation[];

function reencode(d: AcGameDatagram & { ok: true }): Buffer {
  switch (d.kind) {
    case 'handshakeResponse':
      return encodeHandshakeResponse(d.value);
    case 'carInfo':
      return encodeCarInfo(d.value);
    case 'lap':
      return encodeLap(d.value);
  }
}

describe(`fuzz: ${DATAGRAMS} random and mutated datagrams, seed ${SEED.toString(16)}`, () => {
  it('never throws, and re-encodes whatever decodes to the same value', () => {
    const gameCounts: Record<string, number> = {};
    const handshakerCounts: Record<string, number> = {};
    const byMutation: Record<string, number> = {};
    const throws: string[] = [];
    let unstable = 0;

    for (let i = 0; i < DATAGRAMS; i++) {
      const mutation = mutationNames[i % mutationNames.length]!;
      const datagram = mutations[mutation](valid[int(valid.length)]!);
      byMutation[mutation] = (byMutation[mutation] ?? 0) + 1;
      try {
        const game = classifyDatagram(datagram);
        const handshaker = decodeHandshaker(datagram);
        const gameKey = game.ok ? game.kind : game.reason;
        const handshakerKey = handshaker.ok ? 'ok' : handshaker.reason;
        gameCounts[gameKey] = (gameCounts[gameKey] ?? 0) + 1;
        handshakerCounts[handshakerKey] = (handshakerCounts[handshakerKey] ?? 0) + 1;
        if (game.ok) {
          const again = classifyDatagram(reencode(game));
          if (!again.ok || JSON.stringify(again.value) !== JSON.stringify(game.value)) unstable++;
        }
        if (handshaker.ok) {
          const again = decodeHandshaker(encodeHandshaker(handshaker.value));
          if (!again.ok || JSON.stringify(again.value) !== JSON.stringify(handshaker.value)) unstable++;
        }
      } catch (err) {
        throws.push(`${mutation} ${datagram.toString('hex')}: ${String(err)}`);
      }
    }

    console.log(
      `ac-udp fuzz (${DATAGRAMS} datagrams, seed ${SEED.toString(16)})\n` +
        `  mutations: ${JSON.stringify(byMutation)}\n` +
        `  classifyDatagram: ${JSON.stringify(gameCounts)}\n` +
        `  decodeHandshaker: ${JSON.stringify(handshakerCounts)}`,
    );
    expect(throws).toEqual([]);
    expect(unstable).toBe(0);
    expect(Object.values(gameCounts).reduce((a, b) => a + b, 0)).toBe(DATAGRAMS);
    for (const key of ['handshakeResponse', 'carInfo', 'lap', 'unexpected_length', 'bad_identifier']) {
      expect(gameCounts[key]).toBeGreaterThan(0);
    }
    for (const key of ['ok', 'unexpected_length', 'unknown_operation']) expect(handshakerCounts[key]).toBeGreaterThan(0);
  });
});
