import { withoutNul, type CellValue } from './pg-text';

/**
 * A value that COPY's binary format cannot carry as PostgreSQL would take it from text: an
 * integer out of its column's range, a float too large or too small for `real`, a value of the
 * wrong kind. The caller sends such a row as text instead, so PostgreSQL itself judges it (and
 * the writer isolates it) with the same error as always.
 */
export class NotBinaryEncodable extends Error {
  constructor(
    readonly column: string,
    readonly value: unknown,
  ) {
    super(`${String(value)} cannot be sent in binary to column ${column}`);
    this.name = 'NotBinaryEncodable';
  }
}

/** Rows are cut from buffers of this size (a larger row gets a buffer of its own). */
const CHUNK_BYTES = 256 * 1024;
/** `PGCOPY\n\377\r\n\0`, flags 0, header extension length 0. */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** A field count of -1 ends the data. */
const TRAILER = Buffer.from([0xff, 0xff]);
/** µs between the Unix epoch and PostgreSQL's (2000-01-01), where binary timestamps count from. */
const PG_EPOCH_US = Date.UTC(2000, 0, 1) * 1000;
const TWO_32 = 2 ** 32;
/** The `jsonb` binary format: a version byte, then the JSON text. */
const JSONB_VERSION = 1;

/**
 * Writes rows in COPY's binary format (fields straight into memory: no text to build, print or,
 * for PostgreSQL, parse) and cuts each out as a view of a shared buffer: many small rows cost
 * few allocations, and rows made one after another lie next to each other, so a batch of them is
 * sent in a few large pieces (binaryCopyData).
 */
export class BinaryRowWriter {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private rowStart = 0;
  private pos = 0;

  /** One row from `write`, which writes its fields; nothing is kept when `write` throws. */
  row(fields: number, write: (out: BinaryRowWriter) => void): Buffer {
    this.rowStart = this.pos;
    try {
      this.reserve(2);
      this.view.setInt16(this.pos, fields);
      this.pos += 2;
      write(this);
    } catch (err) {
      this.pos = this.rowStart;
      throw err;
    }
    return this.buf.subarray(this.rowStart, this.pos);
  }

  /** Room for `bytes` more; a row begun in a full buffer moves to the next one. */
  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const begun = this.buf.subarray(this.rowStart, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, begun.length + bytes));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = begun.copy(this.buf, 0);
    this.rowStart = 0;
  }

  null(): void {
    this.reserve(4);
    this.view.setInt32(this.pos, -1);
    this.pos += 4;
  }

  bool(v: boolean): void {
    this.reserve(5);
    this.view.setInt32(this.pos, 1);
    this.buf[this.pos + 4] = v ? 1 : 0;
    this.pos += 5;
  }

  int16(v: number): void {
    this.reserve(6);
    this.view.setInt32(this.pos, 2);
    this.view.setInt16(this.pos + 4, v);
    this.pos += 6;
  }

  int32(v: number): void {
    this.reserve(8);
    this.view.setInt32(this.pos, 4);
    this.view.setInt32(this.pos + 4, v);
    this.pos += 8;
  }

  /** A safe integer as int64 (two's complement, big-endian), without BigInt. */
  int64(v: number): void {
    this.reserve(12);
    const high = Math.floor(v / TWO_32);
    this.view.setInt32(this.pos, 8);
    this.view.setInt32(this.pos + 4, high);
    this.view.setUint32(this.pos + 8, v - high * TWO_32);
    this.pos += 12;
  }

  float32(v: number): void {
    this.reserve(8);
    this.view.setInt32(this.pos, 4);
    this.view.setFloat32(this.pos + 4, v);
    this.pos += 8;
  }

  float64(v: number): void {
    this.reserve(12);
    this.view.setInt32(this.pos, 8);
    this.view.setFloat64(this.pos + 4, v);
    this.pos += 12;
  }

  /** A field of raw bytes (`src[start..end)`: UTF-8 text known to be valid and free of NUL). */
  bytes(src: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.reserve(4 + length);
    this.view.setInt32(this.pos, length);
    this.buf.set(src.subarray(start, end), this.pos + 4);
    this.pos += 4 + length;
  }

  /** JSON text as jsonb. */
  jsonb(json: string): void {
    this.text(json, JSONB_VERSION);
  }

  /** UTF-8 text (a lone surrogate becomes U+FFFD, as in text COPY); `prefix` is a leading byte (jsonb's version). */
  text(s: string, prefix?: number): void {
    const lead = prefix === undefined ? 0 : 1;
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair, 2 units, takes 4).
    this.reserve(4 + lead + s.length * 3);
    let at = this.pos + 4;
    if (prefix !== undefined) this.buf[at++] = prefix;
    const written = this.buf.write(s, at, 'utf8');
    this.view.setInt32(this.pos, lead + written);
    this.pos = at + written;
  }
}

type FieldWriter = (value: CellValue, out: BinaryRowWriter) => void;

/** A safe integer of µs since the Unix epoch as a binary timestamptz. */
export const pgTimestampUs = (us: number): number => us - PG_EPOCH_US;

const isInt = (v: CellValue, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/**
 * How a column's value goes into binary, for the column types of the fast path: each accepts
 * exactly the values whose text PostgreSQL would store as the same value, and refuses the rest
 * (NotBinaryEncodable) rather than store something else. NULL for null and undefined.
 */
function fieldWriter(name: string, type: string): FieldWriter {
  const refuse = (v: CellValue): never => {
    throw new NotBinaryEncodable(name, v);
  };
  const nullable =
    (write: FieldWriter): FieldWriter =>
    (v, out) => {
      if (v === null || v === undefined) out.null();
      else write(v, out);
    };
  switch (type) {
    case 'text':
      return nullable((v, out) => (typeof v === 'string' ? out.text(withoutNul(v)) : refuse(v)));
    case 'jsonb':
      // The column's value is already JSON, made by jsonbText (NUL removed).
      return nullable((v, out) => (typeof v === 'string' ? out.jsonb(v) : refuse(v)));
    case 'boolean':
      return nullable((v, out) => (typeof v === 'boolean' ? out.bool(v) : refuse(v)));
    case 'smallint':
      return nullable((v, out) => (isInt(v, -0x8000, 0x7fff) ? out.int16(v) : refuse(v)));
    case 'integer':
      return nullable((v, out) => (isInt(v, -0x80000000, 0x7fffffff) ? out.int32(v) : refuse(v)));
    case 'bigint':
      return nullable((v, out) => (Number.isSafeInteger(v) ? out.int64(v as number) : refuse(v)));
    case 'timestamptz':
      // Safe integers of µs span the years 1685..2255, well inside timestamptz's range.
      return nullable((v, out) => (Number.isSafeInteger(v) ? out.int64(pgTimestampUs(v as number)) : refuse(v)));
    case 'double precision':
      return nullable((v, out) => (typeof v === 'number' ? out.float64(v) : refuse(v)));
    case 'real':
      return nullable((v, out) => {
        if (typeof v !== 'number') return refuse(v);
        const f = Math.fround(v);
        // From text, PostgreSQL refuses a finite value that overflows float4 or underflows to 0.
        if (Number.isFinite(v) && (!Number.isFinite(f) || (f === 0 && v !== 0))) return refuse(v);
        out.float32(f);
      });
    default:
      throw new Error(`column ${name}: no binary COPY encoding for type ${type}`);
  }
}

/** One value as a row of COPY binary (throws NotBinaryEncodable); built once per table. */
export type BinaryRowEncoder<T> = (value: T) => Buffer;

export function binaryRowEncoder<T>(columns: { name: string; type: string; get(value: T): CellValue }[], out = new BinaryRowWriter()): BinaryRowEncoder<T> {
  const gets = columns.map((c) => c.get);
  const writers = columns.map((c) => fieldWriter(c.name, c.type));
  const count = columns.length;
  return (value) =>
    out.row(count, () => {
      for (let i = 0; i < count; i++) writers[i]!(gets[i]!(value), out);
    });
}

/** A COPY ... (FORMAT binary) stream of `rows`: header, the rows (neighbours in memory sent as one piece), trailer. */
export function binaryCopyData(rows: Buffer[]): Buffer[] {
  const pieces: Buffer[] = [HEADER];
  let memory: ArrayBufferLike | undefined;
  let start = 0;
  let end = 0;
  for (const row of rows) {
    if (row.buffer === memory && row.byteOffset === end) {
      end += row.length;
      continue;
    }
    if (memory) pieces.push(Buffer.from(memory, start, end - start));
    memory = row.buffer;
    start = row.byteOffset;
    end = start + row.length;
  }
  if (memory) pieces.push(Buffer.from(memory, start, end - start));
  pieces.push(TRAILER);
  return pieces;
}
