/**
 * Plain-JSON snapshots of analyzer state. State objects hold numbers (NaN meaning "none"),
 * booleans, strings, arrays and records; JSON has no NaN, so it travels as null and comes back
 * as NaN. A restored state is checked against a freshly built one of the same shape, so a
 * corrupt or foreign snapshot fails loudly with the path of the first bad field.
 */

export class SnapshotError extends Error {
  constructor(message: string) {
    super(`invalid race-analysis snapshot: ${message}`);
    this.name = 'SnapshotError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy safe for JSON.stringify (NaN and ±Infinity become null). */
export function encodeState(value: unknown): Json {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(encodeState);
  if (value && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) out[key] = encodeState(item);
    return out;
  }
  throw new SnapshotError(`cannot encode a ${typeof value}`);
}

/**
 * Decode `value` into the shape of `template` (a fresh state): same keys, same kinds, arrays of
 * the same length; null where a number belongs is NaN. An empty-object template (an evidence map)
 * takes any record of numbers.
 */
export function decodeState<T>(template: T, value: unknown, path = 'state'): T {
  if (typeof template === 'number') {
    if (value === null) return Number.NaN as T;
    if (typeof value !== 'number') throw new SnapshotError(`${path} should be a number`);
    return value as T;
  }
  if (typeof template === 'boolean' || typeof template === 'string') {
    if (typeof value !== typeof template) throw new SnapshotError(`${path} should be a ${typeof template}`);
    return value as T;
  }
  if (Array.isArray(template)) {
    if (!Array.isArray(value) || value.length !== template.length) {
      throw new SnapshotError(`${path} should be an array of ${template.length}`);
    }
    return template.map((item: unknown, i) => decodeState(item, value[i], `${path}[${i}]`)) as T;
  }
  if (template && typeof template === 'object') {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SnapshotError(`${path} should be an object`);
    const record = value as Record<string, unknown>;
    const keys = Object.keys(template);
    const out: Record<string, unknown> = {};
    if (keys.length === 0) {
      for (const [key, item] of Object.entries(record)) out[key] = decodeState(0, item, `${path}.${key}`);
      return out as T;
    }
    for (const key of keys) {
      if (!(key in record)) throw new SnapshotError(`${path}.${key} is missing`);
      out[key] = decodeState((template as Record<string, unknown>)[key], record[key], `${path}.${key}`);
    }
    return out as T;
  }
  throw new SnapshotError(`${path} has an unsupported template`);
}
