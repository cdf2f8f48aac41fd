import { codecs, Source, type TelemetryFrame } from '@pitwall/proto';
import { seededRandom } from '@pitwall/seeded-random';
import { frameRowFromWire } from '../src/frame-wire';
import { FRAME_COLUMNS, frameTimeUs } from '../src/frames';
import { binaryRowEncoder, BinaryRowWriter } from '../src/pg-binary';
import { frame } from './helpers';

const out = new BinaryRowWriter();
const fromObject = binaryRowEncoder(FRAME_COLUMNS, new BinaryRowWriter());
const wire = (f: TelemetryFrame) => codecs.frame.encode(f);

/** Field by field: a key, then a varint, fixed or length-delimited value. */
function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
const str = (n: number, s: string | number[]) => {
  const b = typeof s === 'string' ? [...Buffer.from(s)] : s;
  return [(n << 3) | 2, b.length, ...b];
};
const identity = [...str(1, 's'), ...str(3, 'c')];

describe('frame rows straight from the wire', () => {
  test('give the same row as the frame decoded by protobufjs', () => {
    for (const f of [
      frame(1),
      frame(2, { extras: {}, worldPositionM: null, tyreWear: { rl: 0.5 }, speedKmh: null, inPit: true, gear: -1, sessionTimeS: -0 }),
      frame(3, { speedKmh: Number.NaN, rpm: Infinity, steer: -0, sourceTimeUs: 0, lap: 0, source: Source.SOURCE_UNSPECIFIED, driverName: '' }),
      frame(4, { driverName: 'Pérez 佐藤 🏎️', track: 'tab\there \\N', extras: { 'ünï': 1e300, z: -0, n: Number.NaN, '': 1, 'q"\\': 2 } }),
      frame(5, { sequence: Number.MAX_SAFE_INTEGER, lap: 2 ** 31 - 1, gear: -32768, ingestTimeUs: 1 }),
    ]) {
      const bytes = wire(f);
      const read = frameRowFromWire(bytes, out);
      const decoded = codecs.frame.decode(bytes);
      expect(read).toBeDefined();
      expect(read!.row.equals(fromObject(decoded))).toBe(true);
      expect(read!.timeUs).toBe(frameTimeUs(decoded));
    }
  });

  test('give the same row as protobufjs for random frames, every field present or not', () => {
    const random = seededRandom(7);
    const maybe = <T>(v: T): T | null => (random() < 0.3 ? null : v);
    const float = () => maybe(Math.fround((random() - 0.5) * 10 ** Math.floor(random() * 12 - 4)));
    const wheels = () => maybe({ rl: float() ?? 0, rr: float() ?? 0, fl: float() ?? 0, fr: float() ?? 0 });
    for (let i = 0; i < 500; i++) {
      const f: TelemetryFrame = {
        sessionId: `s${i}`, carId: `c${i % 7}`, source: Math.floor(random() * 10), driverName: maybe('Driver é') ?? '', carModel: maybe('gt3') ?? '',
        track: maybe('monza') ?? '', sequence: Math.floor(random() * 2 ** 40), sourceTimeUs: maybe(Math.floor(random() * 2 ** 52)) ?? 0,
        ingestTimeUs: Math.floor(random() * 2 ** 52), sessionTimeS: maybe(random() * 1e5), lap: Math.floor(random() * 100),
        lapDistanceM: float(), normalizedPosition: float(), sector: maybe(Math.floor(random() * 3)), racePosition: maybe(Math.floor(random() * 30)),
        currentLapTimeMs: maybe(Math.floor(random() * 2 ** 31)), lastLapTimeMs: maybe(Math.floor(random() * 2 ** 31)), inPit: maybe(random() < 0.5),
        lapInvalid: maybe(random() < 0.5), speedKmh: float(), throttle: float(), brake: float(), clutch: float(), steer: float(),
        gear: maybe(Math.floor(random() * 100) - 50), rpm: float(), gLat: float(), gLon: float(), gVert: float(),
        worldPositionM: maybe({ x: float() ?? 0, y: float() ?? 0, z: float() ?? 0 }), yawRad: float(), tyreSurfaceTempC: wheels(),
        tyreInnerTempC: wheels(), tyrePressurePsi: wheels(), tyreWear: wheels(), brakeTempC: wheels(), fuelKg: float(),
        extras: random() < 0.5 ? {} : { a: random(), [`k${i}`]: -random() },
      };
      const bytes = wire(f);
      const read = frameRowFromWire(bytes, out);
      expect(read).toBeDefined();
      expect(read!.row.equals(fromObject(codecs.frame.decode(bytes)))).toBe(true);
    }
  });

  test.each([
    ['a repeated field', bytes(identity, str(4, 'a'), str(4, 'b'))],
    ['a field of the wrong wire type', bytes(identity, [(11 << 3) | 5, 0, 0, 0, 0])],
    ['an unknown field', bytes(identity, [(50 << 3) | 0, 1])],
    ['invalid UTF-8', bytes(identity, str(4, [0xc3, 0x28]))],
    ['NUL in a string', bytes(identity, str(4, [0x61, 0, 0x62]))],
    ['no car id', bytes(str(1, 's'))],
    ['a varint too large for its column', bytes(identity, [(11 << 3) | 0, 0x80, 0x80, 0x80, 0x80, 0x08])],
    ['a sequence beyond 2^53', bytes(identity, [(7 << 3) | 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10])],
    ['a gear beyond smallint', bytes(identity, [(25 << 3) | 0, 0x80, 0xf1, 0x04])],
    ['a negative enum (a 10-byte varint)', bytes(identity, [(2 << 3) | 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])],
    ['a truncated message', bytes(identity, [(12 << 3) | 5, 0, 0])],
    ['an extras entry with an unknown field', bytes(identity, [(40 << 3) | 2, 2, (3 << 3) | 0, 1])],
    ['NUL in an extras key', bytes(identity, [(40 << 3) | 2, 3, ...str(1, [0])])],
    ['an extras key `__proto__`', bytes(identity, [(40 << 3) | 2, 11, ...str(1, '__proto__')])],
  ])('leave %s to the ordinary path, and write nothing', (_name, message) => {
    const before = frameRowFromWire(wire(frame(1)), out)!.row;
    expect(frameRowFromWire(message, out)).toBeUndefined();
    const after = frameRowFromWire(wire(frame(1)), out)!.row;
    expect(after.byteOffset).toBe(before.byteOffset + before.length);
  });
});
