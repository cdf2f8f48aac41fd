// One description of a wire layout serves both directions: a Codec reads a value from a Reader
// and writes it to a Writer. Messages are built from these few pieces, so a field's width and
// order are written down once.
import { EncodeError, Reader, Writer } from './binary';

export interface Codec<T> {
  read(reader: Reader): T;
  /** `field` is the dotted path used in encode errors. */
  write(writer: Writer, value: T, field: string): void;
}

export type CodecValue<C> = C extends Codec<infer T> ? T : never;

export const u8: Codec<number> = { read: (r) => r.u8(), write: (w, v, f) => w.u8(v, f) };
export const u16: Codec<number> = { read: (r) => r.u16(), write: (w, v, f) => w.u16(v, f) };
export const i32: Codec<number> = { read: (r) => r.i32(), write: (w, v, f) => w.i32(v, f) };
export const f32: Codec<number> = { read: (r) => r.f32(), write: (w, v, f) => w.f32(v, f) };
export const str: Codec<string> = { read: (r) => r.string(), write: (w, v, f) => w.string(v, f) };

/** A value stored as another on the wire (e.g. gear as byte + 2). */
export function mapped<Wire, T>(
  wire: Codec<Wire>,
  fromWire: (wire: Wire) => T,
  toWire: (value: T) => Wire,
): Codec<T> {
  return {
    read: (r) => fromWire(wire.read(r)),
    write: (w, v, f) => wire.write(w, toWire(v), f),
  };
}

/** The SDK reads flags as `byte > 0`. */
export const bool: Codec<boolean> = mapped(
  u8,
  (b) => b > 0,
  (v) => (v ? 1 : 0),
);

export const INT32_MAX = 0x7fff_ffff;

/** An i32 where INT32_MAX means "none" (lap and split times). */
export const optionalTime: Codec<number | null> = mapped(
  i32,
  (v) => (v === INT32_MAX ? null : v),
  (v) => v ?? INT32_MAX,
);

type Fields = Record<string, Codec<unknown>>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type StructValue<F extends Fields> = Simplify<{ [K in keyof F]: CodecValue<F[K]> }>;

/** Fields in declaration order, packed. Extra keys on a value being written are ignored. */
export function struct<F extends Fields>(fields: F): Codec<StructValue<F>> {
  const entries = Object.entries(fields);
  return {
    read(r) {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of entries) {
        r.enter(name);
        out[name] = codec.read(r);
        r.leave();
        if (r.failed) break;
      }
      return out as StructValue<F>;
    },
    write(w, value, field) {
      if (typeof value !== 'object' || value === null) throw new EncodeError(field, 'expected an object');
      const record = value as Record<string, unknown>;
      for (const [name, codec] of entries) codec.write(w, record[name], field ? `${field}.${name}` : name);
    },
  };
}

/** A count (u8 or u16 as the SDK has it) followed by that many items. */
export function list<T>(count: Codec<number>, item: Codec<T>): Codec<T[]> {
  return {
    read(r) {
      const n = count.read(r);
      const out: T[] = [];
      for (let i = 0; i < n && !r.failed; i++) {
        r.enter(`[${i}]`);
        out.push(item.read(r));
        r.leave();
      }
      return out;
    },
    write(w, values, field) {
      if (!Array.isArray(values)) throw new EncodeError(field, 'expected an array');
      count.write(w, values.length, `${field}.length`);
      values.forEach((v, i) => item.write(w, v, `${field}[${i}]`));
    },
  };
}

/** A u8 presence flag, then the value only if the flag is non-zero. */
export function optional<T>(item: Codec<T>): Codec<T | null> {
  return {
    read: (r) => (r.u8() > 0 ? item.read(r) : null),
    write(w, value, field) {
      const present = value !== null && value !== undefined;
      w.u8(present ? 1 : 0, field);
      if (present) item.write(w, value, field);
    },
  };
}
