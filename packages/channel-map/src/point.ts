import type { Source, TelemetryFrame } from '@pitwall/proto';
import { parseTimestampUs } from './time';

/** One sample as a logger names it: CSV cells (strings) or JSON values. */
export type PointValue = string | number | boolean | null | undefined;
export type PointRecord = Readonly<Record<string, PointValue>>;

/** Scales for channels whose unit has no fixed full range. */
export interface ChannelScales {
  /** Front brake line pressure (`pbrake_f`, bar) that counts as full brake (1.0). */
  brakeFullBar: number;
  /** Steering wheel angle (`Steering_Angle`, degrees) that counts as full lock (±1.0). */
  steeringFullLockDeg: number;
}

export const DEFAULT_SCALES: Readonly<ChannelScales> = {
  // GR86 Cup cars peak around 100–130 bar under threshold braking; 100 bar saturates at the top.
  brakeFullBar: 100,
  // GR86 steering: about 2.5 turns lock to lock, so ±450° at the wheel.
  steeringFullLockDeg: 450,
};

/** What the record does not say itself. */
export interface PointDefaults {
  sessionId: string;
  source: Source;
  /** When the collector received the point (µs since the epoch). */
  ingestTimeUs: number;
  /** Car when the record has no `vehicle_id` / `chassis` / `car_id`. */
  carId?: string;
  /** Source time when the record has no `timestamp` / `meta_time` (µs since the epoch). */
  sourceTimeUs?: number;
  track?: string;
  driverName?: string;
  carModel?: string;
  scales?: Partial<ChannelScales>;
}

/** Why a record is not a frame: the record's field (its own name) and what is wrong with it. */
export interface PointError {
  field: string;
  reason: string;
}

export type PointResult = { frame: TelemetryFrame } | { error: PointError };

/** A record with more unmodelled channels than this is refused rather than carried. */
export const MAX_EXTRAS = 256;

interface Channel {
  /** The record names it may come under, first match wins. */
  names: readonly string[];
  /** Stores the converted value (one store site per field keeps it monomorphic, and fast). */
  set(frame: TelemetryFrame, v: number): void;
  /** The frame value, or a reason the source value is not acceptable. */
  convert(v: number, scales: ChannelScales): number | string;
  /** Also keep the source value in extras, because `convert` applies an assumed scale. */
  keepRaw?: boolean;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);
const nonNegative = (v: number) => (v >= 0 ? v : `negative: ${v}`);

/**
 * GR Cup logger channels (and the names the older JSON ingest used for the same things) mapped
 * onto the frame. Anything else numeric is kept in `extras` under its own name.
 */
const CHANNELS: readonly Channel[] = [
  { names: ['speed', 'speed_kmh'], set: (f, v) => void (f.speedKmh = v), convert: nonNegative },
  { names: ['nmot', 'rpm'], set: (f, v) => void (f.rpm = v), convert: nonNegative },
  // Accelerator pedal position in % (`ath`, the throttle blade, stays an extra).
  { names: ['aps'], set: (f, v) => void (f.throttle = v), convert: (v) => clamp(v / 100, 0, 1) },
  { names: ['pbrake_f'], set: (f, v) => void (f.brake = v), convert: (v, s) => clamp(v / s.brakeFullBar, 0, 1), keepRaw: true },
  { names: ['accx_can'], set: (f, v) => void (f.gLon = v), convert: (v) => v },
  { names: ['accy_can'], set: (f, v) => void (f.gLat = v), convert: (v) => v },
  { names: ['Steering_Angle'], set: (f, v) => void (f.steer = v), convert: (v, s) => clamp(v / s.steeringFullLockDeg, -1, 1), keepRaw: true },
  { names: ['gear'], set: (f, v) => void (f.gear = v), convert: (v) => (Number.isInteger(v) && v >= -1 && v <= 12 ? v : `not a gear (-1..12): ${v}`) },
  { names: ['Laptrigger_lapdist_dls', 'lapdist_m'], set: (f, v) => void (f.lapDistanceM = v), convert: nonNegative },
  { names: ['lap'], set: (f, v) => void (f.lap = v), convert: (v) => (Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : `not a lap number: ${v}`) },
];

/** The names a car id may come under, in priority order. */
export const CAR_NAMES: readonly string[] = ['vehicle_id', 'chassis', 'car_id'];
/** The names a sample's time may come under, in priority order. */
export const TIME_NAMES: readonly string[] = ['timestamp', 'meta_time'];
/** Names read as identity or time, never as extras. */
const IDENTITY = new Set([...CAR_NAMES, ...TIME_NAMES, 'session_id', 'track', 'driver_name', 'car_model']);
const CHANNEL_NAMES = new Set(CHANNELS.flatMap((c) => c.names));

/**
 * Where each name sits in one column layout (a CSV header, a JSON object's keys), worked out once
 * per layout so mapping a row is index lookups. Candidates keep the name priority order.
 */
interface Layout {
  names: readonly string[];
  car: number[];
  time: number[];
  session: number[];
  track: number[];
  driver: number[];
  model: number[];
  channels: { channel: Channel; at: number[] }[];
  extras: number[];
}

function compileLayout(names: readonly string[]): Layout {
  // A repeated name: the last column wins, as it would as an object key.
  const index = new Map<string, number>();
  names.forEach((n, i) => index.set(n, i));
  const at = (candidates: readonly string[]) => candidates.filter((n) => index.has(n)).map((n) => index.get(n)!);
  return {
    names,
    car: at(CAR_NAMES),
    time: at(TIME_NAMES),
    session: at(['session_id']),
    track: at(['track']),
    driver: at(['driver_name']),
    model: at(['car_model']),
    channels: CHANNELS.map((channel) => ({ channel, at: at(channel.names) })).filter((c) => c.at.length > 0),
    extras: names.map((n, i) => (IDENTITY.has(n) || CHANNEL_NAMES.has(n) || index.get(n) !== i ? -1 : i)).filter((i) => i >= 0),
  };
}

/**
 * One logger sample → one TelemetryFrame, or the first field that makes it unusable.
 *
 * Empty cells (`''`, null, undefined) are absent channels, which the frame keeps absent (not zero).
 * A modelled channel that is present but not a finite number is an error; an unknown channel that
 * is not a number (a string column such as `meta_event`) is ignored.
 *
 * `sequence` is the source time in µs: a logger's own clock identifies the sample, so reading the
 * same row again (a retry, a re-read file) gives the same (session, car, sequence) and storage
 * keeps one copy. Callers without a trustworthy source clock overwrite it.
 */
export function pointToFrame(record: PointRecord, defaults: PointDefaults): PointResult {
  const names = Object.keys(record);
  const signature = names.join('\u0000');
  let layout = layoutCache.get(signature);
  if (!layout) {
    layout = compileLayout(names);
    if (layoutCache.size >= MAX_CACHED_LAYOUTS) layoutCache.delete(layoutCache.keys().next().value!);
    layoutCache.set(signature, layout);
  }
  return mapCells(layout, Object.values(record), defaults);
}

/** Layouts pointToFrame has seen (senders keep their key order, so a few cover a feed). */
const layoutCache = new Map<string, Layout>();
const MAX_CACHED_LAYOUTS = 64;

/**
 * pointToFrame for rows of one fixed layout (a CSV header): `cells[i]` is the value of
 * `columns[i]`. Same result as pointToFrame on the row as an object, without building one.
 */
export function columnMapper(columns: readonly string[]): (cells: readonly PointValue[], defaults: PointDefaults) => PointResult {
  const layout = compileLayout([...columns]);
  return (cells, defaults) => mapCells(layout, cells, defaults);
}

function mapCells(layout: Layout, cells: readonly PointValue[], defaults: PointDefaults): PointResult {
  const scales: ChannelScales = defaults.scales ? { ...DEFAULT_SCALES, ...defaults.scales } : DEFAULT_SCALES;
  const { names } = layout;

  const carAt = firstPresent(cells, layout.car);
  const carId = carAt >= 0 ? String(cells[carAt]).trim() : defaults.carId;
  if (!carId) return fail(CAR_NAMES[0]!, 'missing car id');

  const timeAt = firstPresent(cells, layout.time);
  let sourceTimeUs: number;
  if (timeAt >= 0) {
    const time = cells[timeAt] as string | number | boolean;
    if (typeof time === 'boolean') return fail(names[timeAt]!, `not a timestamp: ${time}`);
    const parsed = parseTimestampUs(time);
    if ('reason' in parsed) return fail(names[timeAt]!, parsed.reason);
    sourceTimeUs = parsed.us;
  } else if (defaults.sourceTimeUs !== undefined) {
    sourceTimeUs = defaults.sourceTimeUs;
  } else {
    return fail(TIME_NAMES[0]!, 'missing timestamp');
  }

  const frame: TelemetryFrame = {
    sessionId: text(cells, layout.session) ?? defaults.sessionId,
    source: defaults.source,
    carId,
    track: text(cells, layout.track) ?? defaults.track ?? '',
    driverName: text(cells, layout.driver) ?? defaults.driverName ?? '',
    carModel: text(cells, layout.model) ?? defaults.carModel ?? '',
    sequence: sourceTimeUs,
    sourceTimeUs,
    ingestTimeUs: defaults.ingestTimeUs,
    lap: 0,
    // Every channel field exists from the start (absent = undefined, which encodes as absent), so
    // all frames share one object shape and the assignments below stay fast.
    speedKmh: undefined,
    rpm: undefined,
    throttle: undefined,
    brake: undefined,
    gLon: undefined,
    gLat: undefined,
    steer: undefined,
    gear: undefined,
    lapDistanceM: undefined,
    extras: undefined,
  };
  let extras: Record<string, number> | undefined;
  let extraCount = 0;

  for (let c = 0; c < layout.channels.length; c++) {
    const { channel, at } = layout.channels[c]!;
    const i = firstPresent(cells, at);
    if (i < 0) continue;
    const v = parseDecimal(cells[i]);
    if (v === undefined) return fail(names[i]!, `not a number: ${JSON.stringify(cells[i])}`);
    const converted = channel.convert(v, scales);
    if (typeof converted === 'string') return fail(names[i]!, converted);
    channel.set(frame, converted);
    if (channel.keepRaw) {
      (extras ??= {})[names[i]!] = v;
      extraCount++;
    }
  }

  for (let e = 0; e < layout.extras.length; e++) {
    const i = layout.extras[e]!;
    const v = parseDecimal(cells[i]);
    if (v === undefined) continue;
    if (++extraCount > MAX_EXTRAS) return fail(names[i]!, `more than ${MAX_EXTRAS} extra channels`);
    (extras ??= {})[names[i]!] = v;
  }
  if (extras) frame.extras = extras;
  return { frame };
}

function fail(field: string, reason: string): PointResult {
  return { error: { field, reason } };
}

function isEmpty(v: PointValue): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'string') return false;
  // Only a string that starts with whitespace (or is '') can be blank: skip trim() for the rest.
  return v.length === 0 || (v.charCodeAt(0) <= 32 && v.trim() === '');
}

/** The first of the candidate columns with a non-empty value, or -1. */
function firstPresent(cells: readonly PointValue[], candidates: readonly number[]): number {
  for (let c = 0; c < candidates.length; c++) if (!isEmpty(cells[candidates[c]!])) return candidates[c]!;
  return -1;
}

function text(cells: readonly PointValue[], candidates: readonly number[]): string | undefined {
  const i = firstPresent(cells, candidates);
  return i < 0 ? undefined : String(cells[i]).trim();
}

/** A finite number from a JSON number or a decimal string; undefined otherwise (booleans too). */
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
