/**
 * decodePacket must never throw. 12,000 datagrams: random bytes of random lengths, and valid
 * packets of every format mutated the ways a network or a wrong sender mangles them (truncated,
 * extended, wrong id, wrong format, flipped bytes, huge). Every result is counted by reason.
 */
import {
  DECODE_FAILURE_REASONS,
  bodyCodec,
  decodePacket,
  encodePacket,
  type DecodeResult,
  type Packet,
} from '@pitwall/f1-udp';
import { FORMATS, SAMPLE_HEADER, SPEC_SIZES, int, randomValue, rng } from './support';

const CASES = 12_000;
const next = rng(20777);

/** Four random packets of every format and id, encoded once; mutations work on copies. */
const POOL = FORMATS.flatMap((format) =>
  Object.keys(SPEC_SIZES[format]!).flatMap((id) =>
    Array.from({ length: 4 }, () => encodePacket(format, SAMPLE_HEADER, randomValue(bodyCodec(format, Number(id))!, next) as Packet)),
  ),
);

function validPacket(): Buffer {
  return Buffer.from(POOL[int(next, 0, POOL.length - 1)]!);
}

const mutations: Record<string, () => Buffer> = {
  randomBytes: () => Buffer.from(Array.from({ length: int(next, 0, 2100) }, () => int(next, 0, 255))),
  randomBytesWithSupportedFormat: () => {
    const buf = Buffer.from(Array.from({ length: int(next, 0, 1500) }, () => int(next, 0, 255)));
    if (buf.length >= 2) buf.writeUInt16LE(FORMATS[int(next, 0, 2)]!, 0);
    return buf;
  },
  truncated: () => {
    const buf = validPacket();
    return buf.subarray(0, int(next, 0, buf.length - 1));
  },
  extended: () => Buffer.concat([validPacket(), Buffer.alloc(int(next, 1, 64), int(next, 0, 255))]),
  wrongId: () => {
    const buf = validPacket();
    buf.writeUInt8(int(next, 0, 255), 6);
    return buf;
  },
  wrongFormat: () => {
    const buf = validPacket();
    buf.writeUInt16LE(next() < 0.5 ? int(next, 0, 65535) : FORMATS[int(next, 0, 2)]!, 0);
    return buf;
  },
  flippedBytes: () => {
    const buf = validPacket();
    for (let i = int(next, 1, 16); i > 0; i--) buf[int(next, 29, buf.length - 1)] = int(next, 0, 255);
    return buf;
  },
  huge: () => {
    // The largest UDP payload, and now and then a megabyte.
    const buf = Buffer.alloc(next() < 0.9 ? 65_507 : 1 << 20);
    validPacket().copy(buf);
    return buf;
  },
  valid: validPacket,
};

it(`decodes ${CASES} random and mutated datagrams without a throw`, () => {
  const kinds = Object.keys(mutations);
  const byReason: Record<string, number> = { ok: 0 };
  for (const reason of DECODE_FAILURE_REASONS) byReason[reason] = 0;
  const byKind: Record<string, Record<string, number>> = {};
  const casesOfKind: Record<string, number> = {};
  const throws: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const kind = kinds[i % kinds.length]!;
    casesOfKind[kind] = (casesOfKind[kind] ?? 0) + 1;
    const buf = mutations[kind]!();
    let result: DecodeResult;
    try {
      result = decodePacket(buf);
    } catch (err) {
      throws.push(`${kind} #${i} (${buf.length} bytes): ${String(err)}`);
      continue;
    }
    const key = result.ok ? 'ok' : result.reason;
    byReason[key] = (byReason[key] ?? 0) + 1;
    (byKind[kind] ??= {})[key] = (byKind[kind]![key] ?? 0) + 1;
    if (result.ok) {
      // Only a datagram of the exact spec size can ever be accepted.
      expect(buf.length).toBe(SPEC_SIZES[result.header.packetFormat]![result.header.packetId]);
    } else {
      expect(result.detail.length).toBeGreaterThan(0);
    }
  }
  console.info(`f1-udp fuzz: ${CASES} datagrams by result ${JSON.stringify(byReason)}; by mutation ${JSON.stringify(byKind)}`);
  expect(throws).toEqual([]);
  expect(Object.values(byReason).reduce((a, b) => a + b, 0)).toBe(CASES);
  // Every outcome is reached, so the fuzzing exercises every branch of the decoder.
  for (const key of Object.keys(byReason)) expect([key, byReason[key]! > 0]).toEqual([key, true]);
  expect(byKind.valid).toEqual({ ok: casesOfKind.valid });
  expect(byKind.truncated!.ok).toBeUndefined();
  expect(byKind.extended!.ok).toBeUndefined();
  expect(byKind.huge!.ok).toBeUndefined();
});
