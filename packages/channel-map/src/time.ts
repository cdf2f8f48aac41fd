/** Result of reading a timestamp: microseconds since the Unix epoch, or why it is not one. */
export type TimeResult = { us: number } | { reason: string };

// ISO 8601 date-time as loggers write it: `2025-09-05T00:26:56.939Z`, a space instead of `T`,
// any number of fraction digits, and an optional zone (`Z`, `+02:00`, `+0200`).
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Reads a logger timestamp into µs since the epoch.
 *
 * Strings in ISO 8601 keep their sub-millisecond digits (Date.parse would drop them, and two
 * samples 500 µs apart must not share a sequence number). A date-time without a zone is UTC:
 * loggers export UTC, and the host's zone has nothing to do with when the car sampled.
 * Plain numbers carry no unit, so the unit is read from the magnitude: below 1e11 seconds, below
 * 1e14 milliseconds, below 1e17 microseconds, otherwise nanoseconds (each boundary is decades
 * away from any real date in the neighbouring unit).
 */
export function parseTimestampUs(value: string | number): TimeResult {
  if (typeof value === 'number') return fromNumber(value);
  const text = value.trim();
  const fast = sameSecondUs(text);
  if (fast !== undefined) return { us: fast };
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return fromNumber(Number(text));
  const m = ISO.exec(text);
  if (!m) return { reason: `not an ISO 8601 date-time or epoch number: ${JSON.stringify(value)}` };
  const [, date, time, fraction = '', zone = 'Z'] = m;
  const ms = Date.parse(`${date}T${time}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
  if (Number.isNaN(ms)) return { reason: `not a valid date-time: ${JSON.stringify(value)}` };
  const micros = Number((fraction + '000000').slice(0, 6));
  const result = checked(ms * 1000 + micros, value);
  if ('us' in result && zone === 'Z' && text.charCodeAt(10) === 84 /* T */) {
    lastSecond = text.slice(0, 19);
    lastSecondMs = ms;
  }
  return result;
}

// Loggers write many samples per second, so the whole second of the last accepted UTC timestamp
// (`YYYY-MM-DDTHH:MM:SS`) is kept and the next ones in that second skip the regex and Date.parse.
let lastSecond = '';
let lastSecondMs = 0;

/** `<last second>.<digits>Z` read without a regex; undefined sends anything else the full way. */
function sameSecondUs(text: string): number | undefined {
  const n = text.length;
  if (n < 22 || n > 40 || lastSecond === '' || text.charCodeAt(19) !== 46 /* . */ || text.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (!text.startsWith(lastSecond)) return undefined;
  let micros = 0;
  for (let i = 20; i < n - 1; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    if (i < 26) micros = micros * 10 + d;
  }
  for (let i = n - 1; i < 26; i++) micros *= 10;
  return lastSecondMs * 1000 + micros;
}

function fromNumber(n: number): TimeResult {
  if (!Number.isFinite(n)) return { reason: `not a finite number: ${n}` };
  const abs = Math.abs(n);
  const us = abs < 1e11 ? n * 1e6 : abs < 1e14 ? n * 1e3 : abs < 1e17 ? n : n / 1e3;
  return checked(Math.round(us), n);
}

function checked(us: number, original: string | number): TimeResult {
  if (us <= 0) return { reason: `not after 1970: ${JSON.stringify(original)}` };
  if (!Number.isSafeInteger(us)) return { reason: `too far in the future: ${JSON.stringify(original)}` };
  return { us };
}
