import { codecs } from '@pitwall/proto';
import { decodeFrameBytes, DelimitedSplitter, FramingError, ItemTooLargeError, LineSplitter } from '../src/framing';
import { PointError } from '@pitwall/channel-map';
import { delimited } from './helpers';

/** Feeds `bytes` in pieces of `size` and returns every item produced. */
function feed(splitter: { push(chunk: Buffer, out: Buffer[]): void }, bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size), out);
  return out;
}

describe('LineSplitter', () => {
  const text = '{"a":1}\n{"b":22}\n\n{"c":333}';

  test.each([1, 2, 3, 7, 100])('the same lines whatever the chunk size (%i)', (size) => {
    const s = new LineSplitter(1000);
    const lines = feed(s, Buffer.from(text), size).map(String);
    expect(lines).toEqual(['{"a":1}', '{"b":22}', '']);
    expect(String(s.end())).toBe('{"c":333}');
  });

  test('a line over the limit is refused as soon as it is known to be too long', () => {
    const s = new LineSplitter(10);
    expect(() => feed(s, Buffer.from('x'.repeat(11)), 4)).toThrow(ItemTooLargeError);
    const t = new LineSplitter(10);
    expect(() => feed(t, Buffer.from(`${'y'.repeat(11)}\n`), 100)).toThrow(ItemTooLargeError);
  });

  test('a line at the limit passes', () => {
    const s = new LineSplitter(10);
    expect(feed(s, Buffer.from(`${'z'.repeat(10)}\n`), 3).map(String)).toEqual(['z'.repeat(10)]);
  });
});

describe('DelimitedSplitter', () => {
  const frames = [
    { sessionId: 's', carId: 'a', sequence: 1 },
    { sessionId: 's', carId: 'b', sequence: 2, extras: { x: 'x'.length } },
    // Over 127 bytes, so its length prefix takes two varint bytes.
    { sessionId: 's', carId: 'c'.repeat(200), sequence: 3 },
  ];
  const bytes = delimited(frames);

  test.each([1, 2, 5, 64, 10_000])('frames come back whatever the chunk size (%i)', (size) => {
    const s = new DelimitedSplitter(1000);
    const items = feed(s, bytes, size);
    s.end();
    expect(items.map((b) => codecs.frame.decode(b).carId)).toEqual(['a', 'b', 'c'.repeat(200)]);
  });

  test('a stream that stops inside an item is a framing error', () => {
    const s = new DelimitedSplitter(1000);
    feed(s, bytes.subarray(0, bytes.length - 3), 50);
    expect(() => s.end()).toThrow(FramingError);
  });

  test('a declared length over the limit is refused before its bytes arrive', () => {
    const s = new DelimitedSplitter(100);
    expect(() => s.push(Buffer.from([0xc8, 0x01]), [])).toThrow(ItemTooLargeError); // 200
  });

  test('a length prefix longer than 5 bytes is a framing error', () => {
    const s = new DelimitedSplitter(100);
    expect(() => s.push(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), [])).toThrow(FramingError);
  });
});

describe('decodeFrameBytes', () => {
  test('names the missing identity field', () => {
    const err = (() => {
      try {
        decodeFrameBytes(codecs.frame.encode({ sessionId: 's' }));
      } catch (e) {
        return e as PointError;
      }
    })();
    expect(err).toBeInstanceOf(PointError);
    expect(err!.field).toBe('carId');
  });

  test('garbage is a PointError, not a crash', () => {
    expect(() => decodeFrameBytes(Buffer.from([0xff, 0xff, 0xff]))).toThrow(PointError);
  });
});
