/** A value as it goes into one column. */
export type CellValue = string | number | boolean | null | undefined;

/** PostgreSQL text cannot hold NUL (U+0000); it is removed from every string the writers store. */
export function withoutNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '' };
const NEEDS_ESCAPE = /[\\\n\r\t\0]/;
const ESCAPE_ALL = /[\\\n\r\t\0]/g;

/**
 * One field in COPY's text format: \N for NULL, t/f for booleans, numbers as JavaScript prints
 * them (PostgreSQL reads NaN, Infinity and -Infinity the same way) but -0 with its sign, and
 * strings with backslash, newline, carriage return and tab (the delimiter) escaped, NUL removed.
 */
export function copyField(value: CellValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // String(-0) is "0": the sign is kept, as the binary fast path keeps it.
  if (typeof value === 'number') return value === 0 && 1 / value < 0 ? '-0' : String(value);
  // Most strings need nothing: test first, replace only when needed (this runs per cell).
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPE_ALL, (c) => ESCAPES[c]!) : value;
}

export function copyLine(values: CellValue[]): string {
  return `${values.map(copyField).join('\t')}\n`;
}

/**
 * A `real` (float4) field. A float32 value with a long binary fraction (every float field of the
 * protobuf schema: 0.1 arrives as 0.10000000149011612) is written with 9 significant digits
 * (0.100000001), which identify any float32 exactly: about half the text of JavaScript's shortest
 * double, and faster to make. Whole numbers and short binary fractions (80, 1.25), which print
 * short anyway, and values that are not float32, are written as copyField writes them.
 */
export function realField(value: CellValue): string {
  return typeof value === 'number' && Number.isFinite(value) && Math.fround(value) === value && !Number.isInteger(value * SHORT_FRACTION_SCALE)
    ? value.toPrecision(9)
    : copyField(value);
}
/** 2^10: a value with at most 10 fraction bits prints in a few digits (0.0009765625 at most). */
const SHORT_FRACTION_SCALE = 1024;

const PAD_MICROS = ['000000', '00000', '0000', '000', '00', '0', ''];
/** The text of the last second rendered: a batch's timestamps mostly share their second. */
let cachedSecond = Number.NaN;
let cachedSecondText = '';

/**
 * A µs instant as timestamptz text in UTC (`2026-03-01T12:00:00.123456Z`): exact to the
 * microsecond, so rows can be COPYed straight into a timestamptz column. A value that is not a
 * whole number of µs is written as it is: PostgreSQL rejects it and the writer isolates that row.
 */
export function timestamptzField(us: CellValue): string {
  if (typeof us !== 'number') return copyField(us);
  if (!Number.isSafeInteger(us)) return String(us);
  const second = Math.floor(us / 1_000_000);
  if (second !== cachedSecond) {
    // toISOString gives `YYYY-MM-DDTHH:MM:SS.mmmZ`; keep up to the dot.
    cachedSecondText = new Date(second * 1000).toISOString().slice(0, -4);
    cachedSecond = second;
  }
  const micros = String(us - second * 1_000_000);
  return `${cachedSecondText}${PAD_MICROS[micros.length]}${micros}Z`;
}

/**
 * JSON for a jsonb column, with NUL removed from keys and strings (jsonb rejects \u0000).
 * Non-finite numbers become null, as JSON.stringify makes them.
 */
export function jsonbText(value: unknown): string {
  const json = JSON.stringify(value);
  // JSON.stringify writes NUL as \u0000; without that sequence there is nothing to clean.
  return json.includes('\\u0000') ? JSON.stringify(withoutNulDeep(value)) : json;
}

function withoutNulDeep(value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (Array.isArray(value)) return value.map(withoutNulDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNulDeep(v)]));
  }
  return value;
}
