// Random and mutated datagrams through both decoders: none may throw, every strict prefix of a
// valid datagram must fail, and whatever decodes must re-encode to the same message.
import { decodeInbound, decodeOutbound, encodeInbound, encodeOutbound, type DecodeResult, type InboundMessage, type OutboundMessage } from '@pitwall/acc-broadcast';
import { inboundSamples, outboundSamples } from './samples';
import { seededRandom as prng } from '@pitwall/seeded-random';

const DATAGRAMS = 12_000;
const SEED = 0x5eed_acc4;


const rand = prng(SEED);
const int = (n: number): number => Math.floor(rand() * n);
const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));

const valid = [...inboundSamples.map((m) => encodeInbound(m)), ...outboundSamples.map((m) => encodeOutbound(m))];

type Mutation = 'random' | 'truncated' | 'type_byte' | 'huge_u16' | 'flipped' | 'trailing';
const mutations: Record<Mutation, (v: Buffer) => Buffer> = {
  random: () => {
    const b = randomBytes(int(160));
    if (b.length > 0 && rand() < 0.7) b[0] = [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 49, 50, 51][int(13)]!;
    return b;
  },
  truncated: (v) => v.subarray(0, int(v.length)),
  type_byte: (v) => Buffer.concat([Buffer.from([int(256)]), v.subarray(1)]),
  huge_u16: (v) => {
    const b = Buffer.from(v);
    if (b.length >= 3) b.writeUInt16LE(0xff00 + int(256), 1 + int(b.length - 2));
    return b;
  },
  flipped: (v) => {
    const b = Buffer.from(v);
    for (let i = 1 + int(4); i > 0 && b.length > 0; i--) b[int(b.length)] ^= 1 << int(8);
    return b;
  },
  trailing: (v) => Buffer.concat([v, randomBytes(1 + int(8))]),
};
const mutationNames = Object.keys(mutations) as Mutation[];

function tally(counts: Record<string, number>, result: DecodeResult<unknown>): void {
  const key = result.ok ? 'ok' : result.reason;
  counts[key] = (counts[key] ?? 0) + 1;
}

describe(`fuzz: ${DATAGRAMS} random and mutated datagrams, seed ${SEED.toString(16)}`, () => {
  it('never throws, rejects every strict prefix, and re-encodes whatever decodes', () => {
    const inboundCounts: Record<string, number> = {};
    const outboundCounts: Record<string, number> = {};
    const byMutation: Record<string, number> = {};
    let prefixesAccepted = 0;
    let unstable = 0;
    const throws: string[] = [];

    for (let i = 0; i < DATAGRAMS; i++) {
      const mutation = mutationNames[i % mutationNames.length]!;
      const source = valid[int(valid.length)]!;
      const datagram = mutations[mutation](source);
      byMutation[mutation] = (byMutation[mutation] ?? 0) + 1;

      let inResult: DecodeResult<InboundMessage>;
      let outResult: DecodeResult<OutboundMessage>;
      try {
        inResult = decodeInbound(datagram);
        outResult = decodeOutbound(datagram);
      } catch (err) {
        throws.push(`${mutation} ${datagram.toString('hex')}: ${String(err)}`);
        continue;
      }
      tally(inboundCounts, inResult);
      tally(outboundCounts, outResult);

      if (mutation === 'truncated' && (inResult.ok || outResult.ok)) prefixesAccepted++;
      if (inResult.ok) {
        const again = decodeInbound(encodeInbound(inResult.message));
        if (!again.ok || JSON.stringify(again.message) !== JSON.stringify(inResult.message)) unstable++;
      }
      if (outResult.ok) {
        const again = decodeOutbound(encodeOutbound(outResult.message));
        if (!again.ok || JSON.stringify(again.message) !== JSON.stringify(outResult.message)) unstable++;
      }
    }

    console.log(
      `acc-broadcast fuzz (${DATAGRAMS} datagrams, seed ${SEED.toString(16)})\n` +
        `  mutations: ${JSON.stringify(byMutation)}\n` +
        `  decodeInbound:  ${JSON.stringify(inboundCounts)}\n` +
        `  decodeOutbound: ${JSON.stringify(outboundCounts)}`,
    );
    expect(throws).toEqual([]);
    const total = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);
    expect(total(inboundCounts)).toBe(DATAGRAMS);
    expect(total(outboundCounts)).toBe(DATAGRAMS);
    for (const counts of [inboundCounts, outboundCounts]) {
      expect(counts.ok).toBeGreaterThan(0);
      expect(counts.truncated).toBeGreaterThan(0);
      expect(counts.unknown_type).toBeGreaterThan(0);
      expect(counts.empty).toBeGreaterThan(0);
    }
    expect(prefixesAccepted).toBe(0);
    expect(unstable).toBe(0);
  });
});
