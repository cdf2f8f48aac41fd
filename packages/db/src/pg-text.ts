/** A value as it goes into one column. */
export type CellValue = string | number | boolean | null | undefined;

/** PostgreSQL text cannot hold NUL (U+0000); it is removed from every string the writers store. */
export function withoutNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One field in COPY's text format: \N for NULL, t/f for booleans, numbers as JavaScript prints
 * them (PostgreSQL reads NaN, Infinity and -Infinity the same way), and strings with backslash,
 * newline, carriage return and tab (the delimiter) escaped, NUL removed.
 */
export function copyField(value: CellValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return withoutNul(value).replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!);
}

export function copyLine(values: CellValue[]): string {
  return `${values.map(copyField).join('\t')}\n`;
}

/**
 * JSON for a jsonb column, with NUL removed from keys and strings (jsonb rejects \u0000).
 * Non-finite numbers become null, as JSON.stringify makes them.
 */
export function jsonbText(value: unknown): string {
  return JSON.stringify(withoutNulDeep(value));
}

function withoutNulDeep(value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (Array.isArray(value)) return value.map(withoutNulDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutNul(k), withoutNulDeep(v)]));
  }
  return value;
}
