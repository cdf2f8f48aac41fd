/** One sample as a source names it: CSV cells (strings) or JSON values (objects for wheel sets). */
export type PointValue = string | number | boolean | null | undefined | object;
export type PointRecord = Readonly<Record<string, PointValue>>;

/** A point the mapping refuses: `field` is the input's own name (null when the item itself is wrong). */
export class PointError extends Error {
  constructor(
    readonly field: string | null,
    readonly reason: string,
  ) {
    super(field === null ? reason : `${field}: ${reason}`);
    this.name = 'PointError';
  }
}

/** Absent: '' (or blank), null, undefined. A CSV's empty cell is a channel not sampled, not 0. */
export function isEmpty(v: PointValue): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'string') return false;
  // Only a string that starts with whitespace (or is '') can be blank: skip trim() for the rest.
  return v.length === 0 || (v.charCodeAt(0) <= 32 && v.trim() === '');
}

/** A finite number from a JSON number or a plain decimal string; undefined otherwise (booleans too). */
export function parseDecimal(v: PointValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  // Number() takes exactly the decimal notation (around optional whitespace) plus three things a
  // logger value is not: blank (as 0), Infinity, and 0x/0o/0b literals. Refusing those is much
  // cheaper than a regex per cell.
  const n = Number(v);
  if (!Number.isFinite(n)) return undefined;
  let i = 0;
  while (i < v.length && v.charCodeAt(i) <= 32) i++;
  if (i === v.length) return undefined;
  if (v.charCodeAt(i) === 48 /* 0 */ && RADIX_PREFIX.has(v[i + 1]!)) return undefined;
  return n;
}

const RADIX_PREFIX = new Set(['x', 'X', 'o', 'O', 'b', 'B']);

/** parseDecimal, or a PointError naming the field. */
export function decimal(v: PointValue, name: string): number {
  const n = parseDecimal(v);
  if (n === undefined) throw new PointError(name, `not a number: ${JSON.stringify(v)}`);
  return n;
}

/** An integer in [min, max]; `what` names it in the refusal (`not a gear (an integer from -1 to 20): 2.5`). */
export function integer(v: PointValue, name: string, min: number, max: number, what?: string): number {
  const n = decimal(v, name);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new PointError(name, what ? `${what} (an integer from ${min} to ${max}): ${n}` : `expected an integer from ${min} to ${max}, got ${n}`);
  }
  return n;
}

export function nonNegative(v: PointValue, name: string): number {
  const n = decimal(v, name);
  if (n < 0) throw new PointError(name, `negative: ${n}`);
  return n;
}

export function boolean(v: PointValue, name: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === '1' || v === 'true') return true;
  if (v === 0 || v === '0' || v === 'false') return false;
  throw new PointError(name, `expected true/false or 0/1, got ${JSON.stringify(v)}`);
}

/** Text of at most `max` characters (numbers as their decimal text), trimmed. */
export function identifier(v: PointValue, name: string, max: number): string {
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
  if (s === undefined || s === '' || s.length > max) throw new PointError(name, `expected a non-empty string of at most ${max} characters`);
  return s;
}

export function object(v: PointValue, name: string, shape: string): Record<string, PointValue> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PointError(name, `expected an object ${shape}`);
  return v as Record<string, PointValue>;
}

export const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
