/** Result of reading a timestamp: microseconds since the Unix epoch, or why it is not one. */
export type TimeResult = { us: number } | { reason: string };

// Date-only ISO 8601 (`2025-04-04`): midnight UTC of that day.
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const EPOCH_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a logger timestamp into µs since the epoch.
 *
 * ISO 8601 text keeps its sub-millisecond digits (Date.parse would drop them, and two samples
 * 500 µs apart must not share a sequence number): `2025-09-05T00:26:56.939512Z`, a space or `t`
 * instead of `T`, any number of fraction digits, a zone `Z`, `+02:00` or `+0200`, or no zone,
 * which means UTC (loggers export UTC, and the host's zone has nothing to do with when the car
 * sampled). A date alone is midnight UTC.
 * Plain numbers (and numeric text, as CSV cells are) carry no unit, so the unit is read from the
 * magnitude: below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, otherwise
 * nanoseconds (each boundary is decades away from any real date in the neighbouring unit).
 */
export function parseTimestampUs(value: string | number): TimeResult {
  if (typeof value === 'number') return fromNumber(value);
  const fast = sameSecondUs(value);
  if (fast !== undefined) return { us: fast };
  const iso = isoMicros(value);
  if (!Number.isNaN(iso)) {
    const result = checked(iso, value);
    // Remember the whole second of an accepted plain UTC time: the next samples mostly share it.
    if ('us' in result && value.charCodeAt(10) === 84 /* T */ && value.charCodeAt(19) === 46 /* . */ && value.charCodeAt(value.length - 1) === 90 /* Z */) {
      lastSecond = value.slice(0, 19);
      lastSecondMs = Math.floor(iso / 1_000_000) * 1000;
    }
    return result;
  }
  const text = value.trim();
  if (EPOCH_NUMBER.test(text)) return fromNumber(Number(text));
  const date = DATE_ONLY.exec(text);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    if (new Date(ms).toISOString().slice(0, 10) === text) return checked(ms * 1000, value);
  }
  if (text !== value) return parseTimestampUs(text);
  return { reason: `not an ISO 8601 date-time or epoch number: ${JSON.stringify(value)}` };
}

// Loggers write many samples per second, so the whole second of the last accepted UTC timestamp
// (`YYYY-MM-DDTHH:MM:SS`) is kept and the next ones in that second skip the date arithmetic.
let lastSecond = '';
let lastSecondMs = 0;

/**
 * `<last second>.<digits>Z` read digit by digit; undefined sends anything else the full way.
 * Exported for the mapping's per-row path, which skips the result object when this answers.
 */
export function sameSecondUs(text: string): number | undefined {
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

const digit = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * `YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|±HH:MM|±HHMM]` to µs without a regex or Date.parse
 * (this runs for every sample). NaN when the text is not that shape or not a real date-time.
 */
function isoMicros(s: string): number {
  if (s.length < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN;
  const year = two(s, 0) * 100 + two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (!(year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2025-02-30 over into March; a logger that wrote it is wrong, not early.
  if (new Date(ms).getUTCDate() !== day) return NaN;
  let i = 19;
  let fracUs = 0;
  if (s.charCodeAt(i) === 46) {
    const first = ++i;
    let scale = 100_000;
    for (; i < s.length; i++) {
      const d = digit(s, i);
      if (Number.isNaN(d)) break;
      fracUs += d * scale;
      scale /= 10;
    }
    if (i === first) return NaN;
    fracUs = Math.floor(fracUs);
  }
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) i++;
  else if (z === 43 || z === 45) {
    const colon = s.charCodeAt(i + 3) === 58;
    const end = i + (colon ? 6 : 5);
    if (s.length !== end) return NaN;
    const hh = two(s, i + 1);
    const mm = two(s, colon ? i + 4 : i + 3);
    if (!(hh <= 23 && mm <= 59)) return NaN;
    offsetMin = (z === 45 ? -1 : 1) * (hh * 60 + mm);
    i = end;
  }
  if (i !== s.length) return NaN;
  return (ms - offsetMin * 60_000) * 1000 + fracUs;
}

function fromNumber(n: number): TimeResult {
  if (!Number.isFinite(n)) return { reason: `not a finite number: ${n}` };
  const abs = Math.abs(n);
  const us = abs < 1e11 ? n * 1e6 : abs < 1e14 ? n * 1e3 : abs < 1e17 ? n : n / 1e3;
  return checked(Math.round(us), n);
}

function checked(us: number, original: string | number): TimeResult {
  if (us <= 0) return { reason: `not after 1970 (a positive epoch number or a later ISO 8601 date-time): ${JSON.stringify(original)}` };
  if (!Number.isSafeInteger(us)) return { reason: `too far in the future: ${JSON.stringify(original)}` };
  return { us };
}
