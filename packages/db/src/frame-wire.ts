import { isUtf8 } from 'node:buffer';
import { FRAME_COLUMNS } from './frames';
import { pgTimestampUs, type BinaryRowWriter } from './pg-binary';

/**
 * TelemetryFrame wire bytes straight into the frame's COPY binary row, without building the
 * frame object (decoding it was the largest cost per row, and its garbage most of the GC work).
 *
 * Only for the plain case: each known field once, with its own wire type, varints that fit the
 * column, strings of valid UTF-8 without NUL, a session and a car id. For anything else it
 * returns undefined and the caller takes the ordinary path (protobufjs decode, then the row from
 * the object), which accepts, refuses or stores the frame as always. A test checks that both make
 * the same bytes (test/frame-wire.test.ts), so a schema change missed here shows up there.
 */

const column = (name: string): number => {
  const i = FRAME_COLUMNS.findIndex((c) => c.name === name);
  if (i < 0) throw new Error(`frame-wire: frames has no column ${name}`);
  return i;
};

// How a field's value is read, by wire type: varints (the column's range is checked when the
// row is written), fixed 32/64-bit floats, length-delimited strings and messages.
const STRING = 1; // UTF-8, kept as a byte range of the input
const VARINT = 2; // uint32, uint64, int64 and int32 that are ≥ 0
const SINT32 = 3; // zigzag
const BOOL = 4;
const FLOAT = 5;
const DOUBLE = 6;
const FLOATS = 7; // a message of float fields 1..n (Vec3, WheelSet) into n columns
const EXTRAS = 8; // map<string, double> entry

const WIRE_TYPE = [0, 2, 0, 0, 0, 5, 1, 2, 2];
const MAX_FIELD = 40;
/** Per field number: how it is read (0: not a field this reader handles), its first column, its column count. */
const READ = new Uint8Array(MAX_FIELD + 1);
const FIRST_COLUMN = new Int32Array(MAX_FIELD + 1);
const COLUMNS = new Uint8Array(MAX_FIELD + 1);

const COLUMN_COUNT = FRAME_COLUMNS.length;
/** Columns that are NULL when their field is absent (proto3 `optional`, message fields); the others take the zero value. */
const NULLABLE = new Uint8Array(COLUMN_COUNT);

function field(number: number, read: number, names: string[], nullable: boolean): void {
  const first = column(names[0]!);
  names.forEach((name, i) => {
    if (column(name) !== first + i) throw new Error(`frame-wire: columns ${names.join(', ')} are not consecutive`);
    if (nullable) NULLABLE[first + i] = 1;
  });
  READ[number] = read;
  FIRST_COLUMN[number] = first;
  COLUMNS[number] = names.length;
}
const wheels = (prefix: string) => ['rl', 'rr', 'fl', 'fr'].map((w) => `${prefix}_${w}`);
field(1, STRING, ['session_id'], false);
field(2, VARINT, ['source'], false);
field(3, STRING, ['car_id'], false);
field(4, STRING, ['driver_name'], false);
field(5, STRING, ['car_model'], false);
field(6, STRING, ['track'], false);
field(7, VARINT, ['sequence'], false);
field(8, VARINT, ['time'], false); // source_time_us: `time` is derived from it (below)
field(9, VARINT, ['ingest_time'], false);
field(10, DOUBLE, ['session_time_s'], true);
field(11, VARINT, ['lap'], false);
field(12, FLOAT, ['lap_distance_m'], true);
field(13, FLOAT, ['normalized_position'], true);
field(14, VARINT, ['sector'], true);
field(15, VARINT, ['race_position'], true);
field(16, VARINT, ['current_lap_time_ms'], true);
field(17, VARINT, ['last_lap_time_ms'], true);
field(18, BOOL, ['in_pit'], true);
field(19, BOOL, ['lap_invalid'], true);
field(20, FLOAT, ['speed_kmh'], true);
field(21, FLOAT, ['throttle'], true);
field(22, FLOAT, ['brake'], true);
field(23, FLOAT, ['clutch'], true);
field(24, FLOAT, ['steer'], true);
field(25, SINT32, ['gear'], true);
field(26, FLOAT, ['rpm'], true);
field(27, FLOAT, ['g_lat'], true);
field(28, FLOAT, ['g_lon'], true);
field(29, FLOAT, ['g_vert'], true);
field(30, FLOATS, ['world_x_m', 'world_y_m', 'world_z_m'], true);
field(31, FLOAT, ['yaw_rad'], true);
field(32, FLOATS, wheels('tyre_surface_temp_c'), true);
field(33, FLOATS, wheels('tyre_inner_temp_c'), true);
field(34, FLOATS, wheels('tyre_pressure_psi'), true);
field(35, FLOATS, wheels('tyre_wear'), true);
field(36, FLOATS, wheels('brake_temp_c'), true);
field(37, FLOAT, ['fuel_kg'], true);
field(40, EXTRAS, ['extras'], true);

const TIME = column('time');
const INGEST_TIME = column('ingest_time');
const SESSION_ID = column('session_id');
const CAR_ID = column('car_id');
const EXTRAS_COLUMN = column('extras');

// Column types as numbers, for the write loop.
const TEXT = 1;
const JSONB = 2;
const REAL = 3;
const DOUBLE_PRECISION = 4;
const SMALLINT = 5;
const INTEGER = 6;
const BIGINT = 7;
const TIMESTAMPTZ = 8;
const BOOLEAN = 9;
const TYPE_CODES: Record<string, number> = {
  text: TEXT,
  jsonb: JSONB,
  real: REAL,
  'double precision': DOUBLE_PRECISION,
  smallint: SMALLINT,
  integer: INTEGER,
  bigint: BIGINT,
  timestamptz: TIMESTAMPTZ,
  boolean: BOOLEAN,
};
const TYPE = Uint8Array.from(FRAME_COLUMNS, (c) => {
  const code = TYPE_CODES[c.type];
  if (!code) throw new Error(`frame-wire: column ${c.name} has type ${c.type}, which this reader does not write`);
  return code;
});
{
  const covered = new Set<number>();
  for (let n = 0; n <= MAX_FIELD; n++) for (let i = 0; i < COLUMNS[n]!; i++) covered.add(FIRST_COLUMN[n]! + i);
  const missed = FRAME_COLUMNS.filter((_, i) => !covered.has(i)).map((c) => c.name);
  if (missed.length) throw new Error(`frame-wire: no wire field for column(s) ${missed.join(', ')}`);
}

// What one frame's columns hold while it is read: reused, one frame at a time.
const PRESENT = new Uint8Array(COLUMN_COUNT);
const NUM = new Float64Array(COLUMN_COUNT);
const START = new Int32Array(COLUMN_COUNT);
const END = new Int32Array(COLUMN_COUNT);
let extrasJson: string | null = null;
const EMPTY = new Uint8Array(0);
let input: Uint8Array = EMPTY;
const EMPTY_VIEW = new DataView(EMPTY.buffer);
let view: DataView = EMPTY_VIEW;
let pos = 0;

/** A varint of up to 8 bytes (< 2^56) at `pos`, advancing it; -1 when longer or cut off. */
function varint(limit: number): number {
  if (pos < limit && input[pos]! < 0x80) return input[pos++]!;
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8 && pos < limit; i++) {
    const b = input[pos++]!;
    value += (b & 0x7f) * scale;
    if (b < 0x80) return value;
    scale *= 128;
  }
  return -1;
}

/** True when `input[start..end)` is valid UTF-8 without NUL (ASCII checked here, the rest natively). */
function plainText(start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = input[i]!;
    if (b === 0) return false;
    if (b >= 0x80) return !input.subarray(i, end).includes(0) && isUtf8(input.subarray(i, end));
  }
  return true;
}

/** A message of float fields 1..count into consecutive columns: when present, its absent fields are 0, not NULL. */
function floats(limit: number, first: number, count: number): boolean {
  for (let c = first; c < first + count; c++) {
    PRESENT[c] = 1;
    NUM[c] = 0;
  }
  let seen = 0;
  while (pos < limit) {
    const tag = input[pos++]!;
    const n = tag >>> 3;
    if ((tag & 7) !== 5 || n < 1 || n > count || seen & (1 << n) || pos + 4 > limit) return false;
    seen |= 1 << n;
    NUM[first + n - 1] = view.getFloat32(pos, true);
    pos += 4;
  }
  return pos === limit;
}

/** Recent keys of extras, by their place in the map: channel names repeat from frame to frame. */
const keyBytes: Uint8Array[] = [];
const keyJson: string[] = [];
const MAX_CACHED_KEYS = 64;

/** The JSON of the key at `input[start..end)`, or undefined if it is not valid UTF-8 without NUL. */
function keyText(index: number, start: number, end: number): string | undefined {
  const cached = keyBytes[index];
  if (cached?.length === end - start) {
    let same = true;
    for (let i = 0; i < cached.length && same; i++) same = cached[i] === input[start + i];
    if (same) return keyJson[index];
  }
  const bytes = input.subarray(start, end);
  // A key with NUL loses it in jsonbText, and may then collide with another: left to the ordinary path.
  if (bytes.includes(0) || !isUtf8(bytes)) return undefined;
  const json = JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  if (index < MAX_CACHED_KEYS) {
    keyBytes[index] = bytes.slice();
    keyJson[index] = json;
  }
  return json;
}

/**
 * One map<string, double> entry as `"key":value`, the JSON that jsonbText makes of it (a
 * non-finite value is null). Entries in wire order: a repeated key is two members, of which
 * jsonb keeps the last, as the map keeps the last value.
 */
function extrasMember(limit: number, index: number): string | undefined {
  let key = '""';
  let value = 0;
  while (pos < limit) {
    const tag = varint(limit);
    if (tag === ((1 << 3) | 2)) {
      const length = varint(limit);
      if (length < 0 || pos + length > limit) return undefined;
      const json = keyText(index, pos, pos + length);
      if (json === undefined) return undefined;
      key = json;
      pos += length;
    } else if (tag === ((2 << 3) | 1) && pos + 8 <= limit) {
      value = view.getFloat64(pos, true);
      pos += 8;
    } else return undefined;
  }
  // protobufjs gives the map an own `__proto__`; leave that to it.
  if (pos !== limit || key === '"__proto__"') return undefined;
  return `${key}:${Number.isFinite(value) ? String(value) : 'null'}`;
}

/**
 * Reads the frame in `input` into the columns; false if it is not of the plain kind. The
 * position is kept in a local (`p`) on the common paths and handed over in `pos` to the helpers.
 */
function read(): boolean {
  const buf = input;
  const dv = view;
  const limit = buf.length;
  let p = 0;
  let seenLow = 0;
  let seenHigh = 0;
  let extras = '';
  let members = 0;
  while (p < limit) {
    let tag = buf[p]!;
    if (tag < 0x80) p++;
    else {
      pos = p;
      tag = varint(limit);
      p = pos;
    }
    if (tag <= 0) return false;
    const n = tag >>> 3;
    const how = n <= MAX_FIELD ? READ[n]! : 0;
    if (how === 0 || (tag & 7) !== WIRE_TYPE[how]) return false;
    const c = FIRST_COLUMN[n]!;
    if (how !== EXTRAS) {
      // Each field once: protobufjs merges or replaces a repeat, which the ordinary path does.
      const bit = 1 << (n & 31);
      if (n < 32 ? seenLow & bit : seenHigh & bit) return false;
      if (n < 32) seenLow |= bit;
      else seenHigh |= bit;
    }
    if (how === FLOAT) {
      if (p + 4 > limit) return false;
      NUM[c] = dv.getFloat32(p, true);
      p += 4;
      PRESENT[c] = 1;
      continue;
    }
    if (how === DOUBLE) {
      if (p + 8 > limit) return false;
      NUM[c] = dv.getFloat64(p, true);
      p += 8;
      PRESENT[c] = 1;
      continue;
    }
    pos = p;
    const v = varint(limit);
    if (v < 0) return false;
    if (how === VARINT) {
      if (v > Number.MAX_SAFE_INTEGER) return false;
      NUM[c] = v;
    }
    // protobufjs reads 32-bit fields from the low 32 bits: larger values are left to it.
    else if (how === SINT32 || how === BOOL) {
      if (v > 0xffffffff) return false;
      NUM[c] = how === BOOL ? (v === 0 ? 0 : 1) : v % 2 === 0 ? v / 2 : -(v + 1) / 2;
    } else {
      // Length-delimited: v is the length.
      if (pos + v > limit) return false;
      if (how === FLOATS) {
        if (!floats(pos + v, c, COLUMNS[n]!)) return false;
      } else if (how === EXTRAS) {
        const member = extrasMember(pos + v, members++);
        if (member === undefined) return false;
        extras = extras ? `${extras},${member}` : member;
      } else {
        if (!plainText(pos, pos + v)) return false;
        START[c] = pos;
        END[c] = pos += v;
        PRESENT[c] = 1;
      }
      p = pos;
      continue;
    }
    p = pos;
    PRESENT[c] = 1;
  }
  extrasJson = members ? `{${extras}}` : null;
  PRESENT[EXTRAS_COLUMN] = extrasJson === null ? 0 : 1;
  // Without them codecs.frame refuses the frame (DecodeError): the ordinary path says so.
  return PRESENT[SESSION_ID] === 1 && END[SESSION_ID]! > START[SESSION_ID]! && PRESENT[CAR_ID] === 1 && END[CAR_ID]! > START[CAR_ID]!;
}

/** Integer columns take only what they can hold; anything else is left to the ordinary path. */
function fitsColumns(): boolean {
  for (let c = 0; c < COLUMN_COUNT; c++) {
    if (!PRESENT[c]) continue;
    const v = NUM[c]!;
    const type = TYPE[c];
    if (type === SMALLINT ? v < -0x8000 || v > 0x7fff : type === INTEGER && v > 0x7fffffff) return false;
  }
  return true;
}

function writeColumns(out: BinaryRowWriter): void {
  for (let c = 0; c < COLUMN_COUNT; c++) {
    const present = PRESENT[c] === 1;
    if (!present && NULLABLE[c]) {
      out.null();
      continue;
    }
    const v = present ? NUM[c]! : 0;
    switch (TYPE[c]) {
      case TEXT:
        if (present) out.bytes(input, START[c]!, END[c]!);
        else out.text('');
        break;
      case JSONB:
        out.jsonb(extrasJson!);
        break;
      case REAL:
        out.float32(v);
        break;
      case DOUBLE_PRECISION:
        out.float64(v);
        break;
      case SMALLINT:
        out.int16(v);
        break;
      case INTEGER:
        out.int32(v);
        break;
      case BIGINT:
        out.int64(v);
        break;
      case TIMESTAMPTZ:
        out.int64(pgTimestampUs(v));
        break;
      case BOOLEAN:
        out.bool(v !== 0);
        break;
    }
  }
}

/**
 * Writes the row of the frame in `wire` to `out`; returns it with the frame's stored time, or
 * undefined (nothing written) when the frame is not of the plain kind read here.
 */
export function frameRowFromWire(wire: Uint8Array, out: BinaryRowWriter): { timeUs: number; row: Buffer } | undefined {
  input = wire;
  view = new DataView(wire.buffer, wire.byteOffset, wire.byteLength);
  PRESENT.fill(0);
  const plain = read() && fitsColumns();
  let result: { timeUs: number; row: Buffer } | undefined;
  if (plain) {
    // `time` is the source time, or the ingest time when the source sent none (frameTimeUs).
    const timeUs = (PRESENT[TIME] && NUM[TIME]) || (PRESENT[INGEST_TIME] && NUM[INGEST_TIME]) || 0;
    PRESENT[TIME] = 1;
    NUM[TIME] = timeUs;
    result = { timeUs, row: out.row(COLUMN_COUNT, writeColumns) };
  }
  // Not kept alive by this module.
  input = EMPTY;
  view = EMPTY_VIEW;
  extrasJson = null;
  return result;
}
