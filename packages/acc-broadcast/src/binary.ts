// The protocol's primitives, little-endian and packed, as Kunos' SDK reads them with .NET's
// BinaryReader/BinaryWriter: u8, u16, i32, f32 and a string of `u16 byte length` + UTF-8.

/** Largest payload one UDP datagram can carry over IPv4; the writer refuses to grow past it. */
export const MAX_DATAGRAM_BYTES = 65_507;

/** The first read that went past the end of the datagram. */
export interface ReadFailure {
  /** Dotted path of the field being read, e.g. `lastLap.splits[2]`. */
  readonly field: string;
  readonly offset: number;
  readonly wanted: number;
  readonly available: number;
}

/**
 * Reads primitives from one datagram. A read past the end never throws: it records a
 * {@link ReadFailure}, returns a zero value, and every later read returns zero too, so a decoder
 * can run to the end and check `failure` once.
 */
export class Reader {
  private offset = 0;
  private readonly path: string[] = [];
  private firstFailure: ReadFailure | null = null;

  constructor(private readonly buf: Buffer) {}

  get failure(): ReadFailure | null {
    return this.firstFailure;
  }

  get failed(): boolean {
    return this.firstFailure !== null;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  /** Names the field about to be read, for the failure's `field` path. */
  enter(name: string): void {
    this.path.push(name);
  }

  leave(): void {
    this.path.pop();
  }

  u8(): number {
    const at = this.take(1);
    return at < 0 ? 0 : this.buf.readUInt8(at);
  }

  u16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.buf.readUInt16LE(at);
  }

  i32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.buf.readInt32LE(at);
  }

  f32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.buf.readFloatLE(at);
  }

  /** Invalid UTF-8 becomes U+FFFD, as .NET's Encoding.UTF8.GetString does in the SDK. */
  string(): string {
    const length = this.u16();
    const at = this.take(length);
    return at < 0 ? '' : this.buf.toString('utf8', at, at + length);
  }

  /** Returns the start offset of `n` bytes, or -1 (and records the failure) if they are not there. */
  private take(n: number): number {
    if (this.firstFailure) return -1;
    if (n > this.remaining) {
      this.firstFailure = {
        field: this.path.join('.').replace(/\.\[/g, '['),
        offset: this.offset,
        wanted: n,
        available: this.remaining,
      };
      return -1;
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }
}

/** A value the wire format cannot carry; `field` is the dotted path of the offending field. */
export class EncodeError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'EncodeError';
  }
}

/**
 * Writes primitives into a growing buffer capped at `limit` bytes. Out-of-range values throw
 * {@link EncodeError} instead of being wrapped or truncated, as .NET's Convert.ToUInt16 does in
 * the SDK's WriteString.
 */
export class Writer {
  private buf: Buffer;
  private length = 0;

  constructor(private readonly limit = MAX_DATAGRAM_BYTES) {
    this.buf = Buffer.alloc(Math.min(256, limit));
  }

  u8(value: number, field: string): void {
    checkInteger(value, 0, 0xff, field);
    const at = this.reserve(1, field);
    this.buf.writeUInt8(value, at);
  }

  u16(value: number, field: string): void {
    checkInteger(value, 0, 0xffff, field);
    const at = this.reserve(2, field);
    this.buf.writeUInt16LE(value, at);
  }

  i32(value: number, field: string): void {
    checkInteger(value, -0x8000_0000, 0x7fff_ffff, field);
    const at = this.reserve(4, field);
    this.buf.writeInt32LE(value, at);
  }

  /** Any number; values that are not float32 are rounded to the nearest float32. */
  f32(value: number, field: string): void {
    if (typeof value !== 'number') throw new EncodeError(field, `expected a number, got ${typeof value}`);
    const at = this.reserve(4, field);
    this.buf.writeFloatLE(value, at);
  }

  string(value: string, field: string): void {
    if (typeof value !== 'string') throw new EncodeError(field, `expected a string, got ${typeof value}`);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > 0xffff) throw new EncodeError(field, `string is ${bytes} UTF-8 bytes, the u16 length allows 65535`);
    this.u16(bytes, field);
    const at = this.reserve(bytes, field);
    this.buf.write(value, at, bytes, 'utf8');
  }

  /** The bytes written so far (a copy, so the working buffer is not kept alive). */
  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  /** Offset of `n` new bytes. It may replace `this.buf`, so read `this.buf` only after calling it. */
  private reserve(n: number, field: string): number {
    const needed = this.length + n;
    if (needed > this.limit) {
      throw new EncodeError(field, `message would be ${needed} bytes, over the ${this.limit}-byte limit`);
    }
    if (needed > this.buf.length) {
      const grown = Buffer.alloc(Math.min(this.limit, Math.max(needed, this.buf.length * 2)));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    const at = this.length;
    this.length = needed;
    return at;
  }
}

function checkInteger(value: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EncodeError(field, `expected an integer in [${min}, ${max}], got ${String(value)}`);
  }
}
