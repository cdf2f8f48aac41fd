import { codecs, DecodeError, type TelemetryFrame } from '@pitwall/proto';
import { PointError } from '@pitwall/channel-map';

/** One item of a stream is larger than the limit (HTTP 413). */
export class ItemTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`one item is ${size} bytes or more, over the ${limit}-byte limit`);
    this.name = 'ItemTooLargeError';
  }
}

/** The stream's framing itself is broken (a varint longer than 5 bytes). */
export class FramingError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'FramingError';
  }
}

/**
 * Chunks held until an item is complete. Chunks are joined only when an item is taken, so an item
 * spread over many chunks costs one copy, not one per chunk.
 */
class ChunkQueue {
  private parts: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.parts.push(chunk);
    this.length += chunk.length;
  }

  byteAt(i: number): number {
    for (const p of this.parts) {
      if (i < p.length) return p[i]!;
      i -= p.length;
    }
    return -1;
  }

  /** Index of the first `byte` at or after `from`, or -1. */
  indexOf(byte: number, from: number): number {
    let base = 0;
    for (const p of this.parts) {
      if (from < base + p.length) {
        const at = p.indexOf(byte, Math.max(0, from - base));
        if (at !== -1) return base + at;
      }
      base += p.length;
    }
    return -1;
  }

  take(n: number): Buffer {
    const first = this.parts[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.parts.shift();
      else this.parts[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const p = this.parts[0]!;
        const used = Math.min(p.length, n - filled);
        p.copy(out, filled, 0, used);
        filled += used;
        if (used === p.length) this.parts.shift();
        else this.parts[0] = p.subarray(used);
      }
    }
    this.length -= n;
    return out;
  }
}

/** NDJSON: items end at '\n'; a last item without one is returned by `end`. */
export class LineSplitter {
  private readonly q = new ChunkQueue();
  /** Bytes already searched for a newline, so a long line is scanned once. */
  private scanned = 0;

  constructor(private readonly maxItemBytes: number) {}

  push(chunk: Buffer, out: Buffer[]): void {
    this.q.push(chunk);
    for (;;) {
      const nl = this.q.indexOf(10, this.scanned);
      if (nl === -1) break;
      const line = this.q.take(nl + 1);
      this.scanned = 0;
      if (nl > this.maxItemBytes) throw new ItemTooLargeError(nl, this.maxItemBytes);
      out.push(line.subarray(0, nl));
    }
    this.scanned = this.q.length;
    if (this.q.length > this.maxItemBytes) throw new ItemTooLargeError(this.q.length, this.maxItemBytes);
  }

  end(): Buffer | undefined {
    return this.q.length > 0 ? this.q.take(this.q.length) : undefined;
  }
}

/**
 * Length-delimited protobuf: each item is a varint byte length followed by that many bytes (what
 * protobufjs `encodeDelimited` and Java's `writeDelimitedTo` write).
 */
export class DelimitedSplitter {
  private readonly q = new ChunkQueue();
  private need = -1;

  constructor(private readonly maxItemBytes: number) {}

  push(chunk: Buffer, out: Buffer[]): void {
    this.q.push(chunk);
    for (;;) {
      if (this.need < 0 && !this.readLength()) return;
      if (this.q.length < this.need) return;
      out.push(this.q.take(this.need));
      this.need = -1;
    }
  }

  /** Throws when the stream stopped inside an item. */
  end(): void {
    if (this.need >= 0 || this.q.length > 0) throw new FramingError(`the stream ended inside an item (${this.q.length} bytes left)`);
  }

  private readLength(): boolean {
    let value = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.q.byteAt(i);
      if (b < 0) return false;
      value += (b & 0x7f) * 2 ** (7 * i);
      if (b < 0x80) {
        if (value > this.maxItemBytes) throw new ItemTooLargeError(value, this.maxItemBytes);
        this.q.take(i + 1);
        this.need = value;
        return true;
      }
    }
    throw new FramingError('a length prefix is longer than 5 bytes');
  }
}

/** A protobuf TelemetryFrame from bytes; a bad one is a PointError naming the missing field. */
export function decodeFrameBytes(bytes: Uint8Array): TelemetryFrame {
  try {
    return codecs.frame.decode(bytes);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    const missing = /^missing (\w+)$/.exec(err.reason);
    throw new PointError(missing ? missing[1]! : null, err.message);
  }
}
