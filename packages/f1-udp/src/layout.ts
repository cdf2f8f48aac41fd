/**
 * A declarative description of EA's packed little-endian structs. One description of a struct
 * serves decoding and encoding, and a field that exists only in some packet formats is gated on
 * the format where it is declared, so a struct that changes by a field between years is still
 * written once. A description is resolved per format (once, at module load) into codecs with
 * fixed offsets. Each struct and array codec then compiles its reader once into a function that
 * builds an object literal of Buffer reads at constant offsets: V8 sees one object shape per
 * struct and monomorphic reads (5-10x faster than walking the field list per packet), and a
 * packet allocates nothing but the decoded objects. Keys and offsets in the generated code come
 * only from these layouts, never from input.
 */
import type { PacketFormat } from './formats';

/** Reads and writes one value at a fixed size. */
export interface Codec<T> {
  readonly size: number;
  read(buf: Buffer, offset: number): T;
  /** Throws (an {@link EncodeError} for structure problems, a RangeError/TypeError from Buffer for values). */
  write(buf: Buffer, offset: number, value: T): void;
  /**
   * A JavaScript expression that reads the value from buffer `b` at the offset expression `at`,
   * for compiled readers; absent when the codec is called instead.
   */
  inlineRead?(at: string): string | undefined;
}

/** Generated code sees the codecs it calls as `c[i]`, the buffer as `b`, the offset as `o`. */
function compileReader<T>(codecs: readonly Codec<unknown>[], body: string): (buf: Buffer, offset: number) => T {
  return new Function('c', `return function read(b, o) { ${body} };`)(codecs) as (buf: Buffer, offset: number) => T;
}

/** A description that yields a codec for a format, or undefined when the field is absent in it. */
export interface Layout<T> {
  forFormat(format: PacketFormat): Codec<T> | undefined;
}

/** A layout absent from some formats: decoded as an optional property. */
export interface OptionalLayout<T> extends Layout<T> {
  readonly optional: true;
}

export type ValueOf<L> = L extends Layout<infer T> ? T : never;

type Fields = Record<string, Layout<unknown>>;
type OptionalKeys<F> = { [K in keyof F]: F[K] extends OptionalLayout<unknown> ? K : never }[keyof F];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type StructValue<F> = Simplify<
  { -readonly [K in Exclude<keyof F, OptionalKeys<F>>]: ValueOf<F[K]> } & {
    -readonly [K in OptionalKeys<F>]?: ValueOf<F[K]>;
  }
>;

/** An encoding failure with the path of the field that caused it (`participants.3.name`). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  constructor(
    readonly problem: string,
    readonly path: readonly (string | number)[] = [],
  ) {
    super(path.length > 0 ? `${path.join('.')}: ${problem}` : problem);
  }

  /** Re-raises `err` from inside the field `key`, prefixing the path. */
  static within(key: string | number, err: unknown): EncodeError {
    if (err instanceof EncodeError) return new EncodeError(err.problem, [key, ...err.path]);
    return new EncodeError(err instanceof Error ? err.message : String(err), [key]);
  }
}

/** Codecs that are the same in every format are their own layout. */
abstract class FixedCodec<T> implements Codec<T>, Layout<T> {
  abstract readonly size: number;
  abstract read(buf: Buffer, offset: number): T;
  abstract write(buf: Buffer, offset: number, value: T): void;
  forFormat(): Codec<T> {
    return this;
  }
}

export type NumberType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'f32' | 'f64';

type ReadMethod = 'readUInt8' | 'readInt8' | 'readUInt16LE' | 'readInt16LE' | 'readUInt32LE' | 'readFloatLE' | 'readDoubleLE';
type WriteMethod = 'writeUInt8' | 'writeInt8' | 'writeUInt16LE' | 'writeInt16LE' | 'writeUInt32LE' | 'writeFloatLE' | 'writeDoubleLE';

export class NumberCodec extends FixedCodec<number> {
  constructor(
    readonly type: NumberType,
    readonly size: number,
    private readonly readMethod: ReadMethod,
    private readonly writeMethod: WriteMethod,
  ) {
    super();
  }
  read(buf: Buffer, offset: number): number {
    return buf[this.readMethod](offset);
  }
  inlineRead(at: string): string {
    return `b.${this.readMethod}(${at})`;
  }
  write(buf: Buffer, offset: number, value: number): void {
    // Buffer coerces and truncates silently; a simulator bug should say so instead.
    if (typeof value !== 'number') throw new TypeError(`expected a number for ${this.type}, got ${typeof value}`);
    if (this.type[0] !== 'f' && !Number.isInteger(value)) {
      throw new RangeError(`expected an integer for ${this.type}, got ${value}`);
    }
    buf[this.writeMethod](value, offset);
  }
}

export const u8 = new NumberCodec('u8', 1, 'readUInt8', 'writeUInt8');
export const i8 = new NumberCodec('i8', 1, 'readInt8', 'writeInt8');
export const u16 = new NumberCodec('u16', 2, 'readUInt16LE', 'writeUInt16LE');
export const i16 = new NumberCodec('i16', 2, 'readInt16LE', 'writeInt16LE');
export const u32 = new NumberCodec('u32', 4, 'readUInt32LE', 'writeUInt32LE');
export const f32 = new NumberCodec('f32', 4, 'readFloatLE', 'writeFloatLE');
export const f64 = new NumberCodec('f64', 8, 'readDoubleLE', 'writeDoubleLE');

/** uint64 as BigInt: real session UIDs are above 2^63, beyond a double's exact range. */
export class U64Codec extends FixedCodec<bigint> {
  readonly size = 8;
  read(buf: Buffer, offset: number): bigint {
    return buf.readBigUInt64LE(offset);
  }
  inlineRead(at: string): string {
    return `b.readBigUInt64LE(${at})`;
  }
  write(buf: Buffer, offset: number, value: bigint): void {
    buf.writeBigUInt64LE(value, offset);
  }
}
export const u64 = new U64Codec();

/**
 * A time split by the game into `uint16 ...MSPart` then `uint8 ...MinutesPart` (3 bytes), read as
 * one number of milliseconds: minutes × 60000 + ms part.
 */
export class MinutesMsCodec extends FixedCodec<number> {
  readonly size = 3;
  read(buf: Buffer, offset: number): number {
    return buf.readUInt8(offset + 2) * 60000 + buf.readUInt16LE(offset);
  }
  inlineRead(at: string): string {
    return `(b.readUInt8(${at} + 2) * 60000 + b.readUInt16LE(${at}))`;
  }
  write(buf: Buffer, offset: number, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 255 * 60000 + 59999) {
      throw new RangeError(`expected whole milliseconds from 0 to ${255 * 60000 + 59999}, got ${value}`);
    }
    const minutes = Math.floor(value / 60000);
    buf.writeUInt16LE(value - minutes * 60000, offset);
    buf.writeUInt8(minutes, offset + 2);
  }
}
export const minutesMs = new MinutesMsCodec();

/** `char name[size]`: UTF-8, NUL-terminated, zero-filled. */
export class Utf8Codec extends FixedCodec<string> {
  constructor(readonly size: number) {
    super();
  }
  read(buf: Buffer, offset: number): string {
    const limit = offset + this.size;
    let end = offset;
    while (end < limit && buf[end] !== 0) end++;
    return buf.toString('utf8', offset, end);
  }
  /** Too long a name is cut at a character boundary to leave room for the NUL, as the game does. */
  write(buf: Buffer, offset: number, value: string): void {
    if (typeof value !== 'string') throw new TypeError(`expected a string, got ${typeof value}`);
    const bytes = Buffer.from(value, 'utf8');
    let length = Math.min(bytes.length, this.size - 1);
    while (length > 0 && length < bytes.length && (bytes[length]! & 0xc0) === 0x80) length--;
    buf.fill(0, offset, offset + this.size);
    bytes.copy(buf, offset, 0, length);
  }
}
export function utf8(size: number): Utf8Codec {
  return new Utf8Codec(size);
}

/** A value implied by the layout (a packet's id): no bytes, checked on write. */
export class LiteralCodec<T extends number | string> extends FixedCodec<T> {
  readonly size = 0;
  constructor(readonly value: T) {
    super();
  }
  read(): T {
    return this.value;
  }
  inlineRead(): string {
    return JSON.stringify(this.value);
  }
  write(_buf: Buffer, _offset: number, value: T): void {
    if (value !== this.value) throw new EncodeError(`expected ${String(this.value)}, got ${String(value)}`);
  }
}
export function literal<T extends number | string>(value: T): LiteralCodec<T> {
  return new LiteralCodec(value);
}

export class ArrayCodec<T> implements Codec<T[]> {
  readonly size: number;
  readonly read: (buf: Buffer, offset: number) => T[];
  constructor(
    readonly element: Codec<T>,
    readonly count: number,
  ) {
    const step = element.size;
    this.size = step * count;
    const inline = element.inlineRead?.(`o + i * ${step}`);
    this.read = compileReader([element], `const out = []; for (let i = 0; i < ${count}; i++) out.push(${inline ?? `c[0].read(b, o + i * ${step})`}); return out;`);
  }
  /** Short arrays of inlinable values (wheel arrays) become an array literal in the parent's reader. */
  inlineRead(at: string): string | undefined {
    if (this.count > 4) return undefined;
    const items: string[] = [];
    for (let i = 0; i < this.count; i++) {
      const item = this.element.inlineRead?.(`${at} + ${i * this.element.size}`);
      if (item === undefined) return undefined;
      items.push(item);
    }
    return `[${items.join(', ')}]`;
  }
  write(buf: Buffer, offset: number, value: T[]): void {
    if (!Array.isArray(value) || value.length !== this.count) {
      throw new EncodeError(`expected an array of ${this.count}, got ${Array.isArray(value) ? value.length : typeof value}`);
    }
    const step = this.element.size;
    for (let i = 0; i < this.count; i++) {
      try {
        this.element.write(buf, offset + i * step, value[i]!);
      } catch (err) {
        throw EncodeError.within(i, err);
      }
    }
  }
}

class ArrayLayout<T> implements Layout<T[]> {
  constructor(
    private readonly element: Layout<T>,
    private readonly count: number,
  ) {}
  forFormat(format: PacketFormat): Codec<T[]> | undefined {
    const element = this.element.forFormat(format);
    return element && new ArrayCodec(element, this.count);
  }
}
export function array<T>(element: Layout<T>, count: number): Layout<T[]> {
  return new ArrayLayout(element, count);
}

export interface StructEntry {
  readonly key: string;
  readonly offset: number;
  readonly codec: Codec<unknown>;
}

export class StructCodec<T> implements Codec<T> {
  readonly size: number;
  readonly read: (buf: Buffer, offset: number) => T;
  constructor(readonly entries: readonly StructEntry[]) {
    const last = entries[entries.length - 1];
    this.size = last ? last.offset + last.codec.size : 0;
    const codecs = entries.map((entry) => entry.codec);
    const properties = entries.map((entry, i) => {
      const at = `o + ${entry.offset}`;
      return `${JSON.stringify(entry.key)}: ${entry.codec.inlineRead?.(at) ?? `c[${i}].read(b, ${at})`}`;
    });
    this.read = compileReader(codecs, `return { ${properties.join(', ')} };`);
  }
  write(buf: Buffer, offset: number, value: T): void {
    if (typeof value !== 'object' || value === null) throw new EncodeError(`expected an object, got ${String(value)}`);
    for (const entry of this.entries) {
      const field = (value as Record<string, unknown>)[entry.key];
      if (field === undefined) throw new EncodeError('missing (the field exists in this packet format)', [entry.key]);
      try {
        entry.codec.write(buf, offset + entry.offset, field);
      } catch (err) {
        throw EncodeError.within(entry.key, err);
      }
    }
  }
}

export class StructLayout<F extends Fields> implements Layout<StructValue<F>> {
  private readonly resolved = new Map<PacketFormat, StructCodec<StructValue<F>>>();
  constructor(private readonly fields: F) {}
  forFormat(format: PacketFormat): StructCodec<StructValue<F>> {
    let codec = this.resolved.get(format);
    if (!codec) {
      const entries: StructEntry[] = [];
      let offset = 0;
      for (const [key, layout] of Object.entries(this.fields)) {
        const field = layout.forFormat(format);
        if (!field) continue;
        entries.push({ key, offset, codec: field });
        offset += field.size;
      }
      codec = new StructCodec(entries);
      this.resolved.set(format, codec);
    }
    return codec;
  }
}
/** Fields in declaration order, packed. Property order of the object literal is the wire order. */
export function struct<F extends Fields>(fields: F): StructLayout<F> {
  return new StructLayout(fields);
}

class SinceLayout<T> implements OptionalLayout<T> {
  readonly optional = true;
  constructor(
    private readonly first: PacketFormat,
    private readonly layout: Layout<T>,
  ) {}
  forFormat(format: PacketFormat): Codec<T> | undefined {
    return format >= this.first ? this.layout.forFormat(format) : undefined;
  }
}
/** A field (or packet) that first appears in format `first`. */
export function since<T>(first: PacketFormat, layout: Layout<T>): OptionalLayout<T> {
  return new SinceLayout(first, layout);
}
/** Several consecutive fields that first appear in format `first`; spread into a struct. */
export function sinceAll<F extends Fields>(first: PacketFormat, fields: F): { [K in keyof F]: OptionalLayout<ValueOf<F[K]>> } {
  const out: Record<string, OptionalLayout<unknown>> = {};
  for (const [key, layout] of Object.entries(fields)) out[key] = since(first, layout);
  return out as { [K in keyof F]: OptionalLayout<ValueOf<F[K]>> };
}

class ByFormatLayout<T> implements Layout<T> {
  constructor(private readonly choose: (format: PacketFormat) => Layout<T>) {}
  forFormat(format: PacketFormat): Codec<T> | undefined {
    return this.choose(format).forFormat(format);
  }
}
/** A field present in every format whose type or length changes between them. */
export function byFormat<T>(choose: (format: PacketFormat) => Layout<T>): Layout<T> {
  return new ByFormatLayout(choose);
}
