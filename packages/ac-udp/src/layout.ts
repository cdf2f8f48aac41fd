// Fixed-size C structs: each field is described once, at its byte offset, and that description
// both reads and writes it. Offsets are written out (not computed) so they can be checked
// line by line against the struct listings in PROTOCOLS.md.

/** A value the wire format cannot carry; `field` names the offending field. */
export class AcEncodeError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'AcEncodeError';
  }
}

export interface Field<T> {
  /** The buffer is at least the struct's size: length is checked once, by the layout. */
  read(buf: Buffer): T;
  write(buf: Buffer, value: T, name: string): void;
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;

export function i32At(offset: number): Field<number> {
  return {
    read: (buf) => buf.readInt32LE(offset),
    write(buf, value, name) {
      if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) {
        throw new AcEncodeError(name, `expected an int32, got ${String(value)}`);
      }
      buf.writeInt32LE(value, offset);
    },
  };
}

export function f32At(offset: number): Field<number> {
  return {
    read: (buf) => buf.readFloatLE(offset),
    write(buf, value, name) {
      if (typeof value !== 'number') throw new AcEncodeError(name, `expected a number, got ${typeof value}`);
      buf.writeFloatLE(value, offset);
    },
  };
}

/** C++ bool: one byte, anything non-zero is true. */
export function boolAt(offset: number): Field<boolean> {
  return {
    read: (buf) => buf[offset] !== 0,
    write(buf, value) {
      buf.writeUInt8(value ? 1 : 0, offset);
    },
  };
}

/** A C `char`: one byte, read alone (the game leaves junk in the padding after it). */
export function charAt(offset: number): Field<string> {
  return {
    read: (buf) => String.fromCharCode(buf[offset]!),
    write(buf, value, name) {
      if (value.length !== 1 || value.charCodeAt(0) > 0xff) {
        throw new AcEncodeError(name, `expected one single-byte character, got ${JSON.stringify(value)}`);
      }
      buf.writeUInt8(value.charCodeAt(0), offset);
    },
  };
}

/** `float[count]`; `T` is the tuple type, e.g. `f32ArrayAt<Wheels>(84, 4)`. */
export function f32ArrayAt<T extends number[]>(offset: number, count: T['length']): Field<T> {
  const items = Array.from({ length: count }, (_, i) => f32At(offset + 4 * i));
  return {
    read: (buf) => items.map((f) => f.read(buf)) as T,
    write(buf, values, name) {
      if (!Array.isArray(values) || values.length !== count) {
        throw new AcEncodeError(name, `expected ${count} numbers, got ${Array.isArray(values) ? values.length : typeof values}`);
      }
      items.forEach((f, i) => f.write(buf, values[i]!, `${name}[${i}]`));
    },
  };
}

const PERCENT = 0x25;

/**
 * `wchar_t[chars]`, UTF-16LE. The game ends a string with '%', then NULs, then junk: the text
 * is everything before the first '%' or NUL. Written the game's way: text, '%', NULs.
 */
export function wcharStringAt(offset: number, chars = 50): Field<string> {
  return {
    read(buf) {
      let units = 0;
      while (units < chars) {
        const unit = buf.readUInt16LE(offset + 2 * units);
        if (unit === 0 || unit === PERCENT) break;
        units++;
      }
      return buf.toString('utf16le', offset, offset + 2 * units);
    },
    write(buf, value, name) {
      if (typeof value !== 'string') throw new AcEncodeError(name, `expected a string, got ${typeof value}`);
      if (value.length > chars) throw new AcEncodeError(name, `${value.length} UTF-16 units, the field holds ${chars}`);
      if (/[%\0]/.test(value)) throw new AcEncodeError(name, `'%' and NUL end the string on the wire: ${JSON.stringify(value)}`);
      buf.fill(0, offset, offset + 2 * chars);
      buf.write(value, offset, 'utf16le');
      if (value.length < chars) buf.writeUInt16LE(PERCENT, offset + 2 * value.length);
    },
  };
}

/** A value stored as another on the wire. */
export function mapped<Wire, T>(field: Field<Wire>, fromWire: (w: Wire) => T, toWire: (v: T) => Wire): Field<T> {
  return {
    read: (buf) => fromWire(field.read(buf)),
    write: (buf, value, name) => field.write(buf, toWire(value), name),
  };
}

type Fields = Record<string, Field<unknown>>;
export type LayoutValue<F extends Fields> = { [K in keyof F]: FieldValue<F[K]> } & {};

export interface Layout<T> {
  readonly name: string;
  readonly size: number;
  /** `buf.length` must equal `size` (the caller checks, to report its own reason). */
  read(buf: Buffer): T;
  /** Bytes not covered by a field (padding) are written as zero. */
  write(value: T): Buffer;
}

export function layout<F extends Fields>(name: string, size: number, fields: F): Layout<LayoutValue<F>> {
  const entries = Object.entries(fields);
  return {
    name,
    size,
    read(buf) {
      const out: Record<string, unknown> = {};
      for (const [field, codec] of entries) out[field] = codec.read(buf);
      return out as LayoutValue<F>;
    },
    write(value) {
      const buf = Buffer.alloc(size);
      const record = value as Record<string, unknown>;
      for (const [field, codec] of entries) codec.write(buf, record[field], field);
      return buf;
    },
  };
}
