import { EncodeError, MAX_DATAGRAM_BYTES, Reader, Writer, encodeInbound } from '@pitwall/acc-broadcast';

describe('Reader', () => {
  it('reads little-endian primitives and a u16-prefixed UTF-8 string', () => {
    const buf = Buffer.from([0xfe, 0x34, 0x12, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0xc0, 0x3f, 0x03, 0x00, 0xe2, 0x82, 0xac]);
    const r = new Reader(buf);
    expect([r.u8(), r.u16(), r.i32(), r.f32(), r.string()]).toEqual([0xfe, 0x1234, 0x7fffffff, 1.5, '€']);
    expect(r.failed).toBe(false);
    expect(r.remaining).toBe(0);
  });

  it('records the first read past the end, returns zeros and stays failed', () => {
    const r = new Reader(Buffer.from([1, 2, 3]));
    r.enter('a');
    expect(r.u16()).toBe(0x0201);
    expect(r.i32()).toBe(0);
    r.leave();
    expect(r.failure).toEqual({ field: 'a', offset: 2, wanted: 4, available: 1 });
    expect(r.u8()).toBe(0); // a byte is left, but the reader has failed: no reading past a gap
    expect(r.string()).toBe('');
    expect(r.failure).toEqual({ field: 'a', offset: 2, wanted: 4, available: 1 });
  });

  it('fails a string whose length runs past the end without reading it', () => {
    const r = new Reader(Buffer.from([0xff, 0xff, 0x41]));
    expect(r.string()).toBe('');
    expect(r.failure).toMatchObject({ offset: 2, wanted: 65535, available: 1 });
  });

  it('decodes invalid UTF-8 as U+FFFD, like the SDK', () => {
    expect(new Reader(Buffer.from([2, 0, 0xc3, 0x28])).string()).toBe('\ufffd(');
  });
});

describe('Writer', () => {
  it('writes the SDK layout and grows past its first allocation', () => {
    const w = new Writer();
    for (let i = 0; i < 300; i++) w.u8(i % 256, 'x');
    w.string('é', 's');
    const out = w.finish();
    expect(out.length).toBe(304);
    expect([...out.subarray(300)]).toEqual([2, 0, 0xc3, 0xa9]);
  });

  it('refuses values out of range for the width, naming the field', () => {
    const w = new Writer();
    expect(() => w.u8(256, 'f')).toThrow(new EncodeError('f', 'expected an integer in [0, 255], got 256'));
    expect(() => w.u8(1.5, 'f')).toThrow(EncodeError);
    expect(() => w.u16(-1, 'f')).toThrow(EncodeError);
    expect(() => w.i32(2 ** 31, 'f')).toThrow(EncodeError);
    expect(() => w.i32(-(2 ** 31) - 1, 'f')).toThrow(EncodeError);
    expect(() => w.i32(Number.NaN, 'f')).toThrow(EncodeError);
    w.i32(-(2 ** 31), 'f');
    expect(w.finish().length).toBe(4);
  });

  it('takes a 65535-byte string and refuses a 65536-byte one', () => {
    const w = new Writer(70_000);
    w.string('x'.repeat(65_535), 's');
    expect(w.finish().length).toBe(65_537);
    expect(() => new Writer().string('€'.repeat(21_846), 's')).toThrow(/65538 UTF-8 bytes, the u16 length allows 65535/);
  });

  it('stops at its limit: exactly the limit fits, one byte more throws', () => {
    const w = new Writer(6);
    w.i32(1, 'a');
    w.u16(2, 'b');
    expect(() => w.u8(3, 'c')).toThrow(/c: message would be 7 bytes, over the 6-byte limit/);
    expect(w.finish()).toEqual(Buffer.from([1, 0, 0, 0, 2, 0]));
  });

  it('encoders refuse a message bigger than one UDP datagram', () => {
    const name = 'x'.repeat(60_000);
    expect(() =>
      encodeInbound({ type: 'TRACK_DATA', connectionId: 1, trackName: name, trackId: 1, trackMeters: 1, cameraSets: [], hudPages: [name] }),
    ).toThrow(new RegExp(`hudPages\\[0\\]: message would be \\d+ bytes, over the ${MAX_DATAGRAM_BYTES}-byte limit`));
  });

  it('encoders refuse a list longer than its u8 count allows', () => {
    expect(() =>
      encodeInbound({ type: 'TRACK_DATA', connectionId: 1, trackName: '', trackId: 1, trackMeters: 1, cameraSets: [], hudPages: Array(256).fill('p') }),
    ).toThrow(/^hudPages\.length: expected an integer in \[0, 255\], got 256$/);
  });
});
