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

type NumericField = 'speedKmh' | 'rpm' | 'throttle' | 'brake' | 'gLon' | 'gLat' | 'steer' | 'gear' | 'lapDistanceM' | 'lap';

interface Channel {
  /** The record names it may come under, first match wins. */
  names: readonly string[];
  field: NumericField;
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
  { names: ['speed', 'speed_kmh'], field: 'speedKmh', convert: nonNegative },
  { names: ['nmot', 'rpm'], field: 'rpm', convert: nonNegative },
  // Accelerator pedal position in % (`ath`, the throttle blade, stays an extra).
  { names: ['aps'], field: 'throttle', convert: (v) => clamp(v / 100, 0, 1) },
  { names: ['pbrake_f'], field: 'brake', convert: (v, s) => clamp(v / s.brakeFullBar, 0, 1), keepRaw: true },
  { names: ['accx_can'], field: 'gLon', convert: (v) => v },
  { names: ['accy_can'], field: 'gLat', convert: (v) => v },
  { names: ['Steering_Angle'], field: 'steer', convert: (v, s) => clamp(v / s.steeringFullLockDeg, -1, 1), keepRaw: true },
  { names: ['gear'], field: 'gear', convert: (v) => (Number.isInteger(v) && v >= -1 && v <= 12 ? v : `not a gear (-1..12): ${v}`) },
  { names: ['Laptrigger_lapdist_dls', 'lapdist_m'], field: 'lapDistanceM', convert: nonNegative },
  { names: ['lap'], field: 'lap', convert: (v) => (Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : `not a lap number: ${v}`) },
];

const CAR_NAMES = ['vehicle_id', 'chassis', 'car_id'];
const TIME_NAMES = ['timestamp', 'meta_time'];
/** Names read as identity or time, never as extras. */
const IDENTITY = new Set([...CAR_NAMES, ...TIME_NAMES, 'session_id', 'track', 'driver_name', 'car_model']);
const CHANNEL_NAMES = new Set(CHANNELS.flatMap((c) => c.names));

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
  const scales: ChannelScales = { ...DEFAULT_SCALES, ...defaults.scales };

  const car = firstPresent(record, CAR_NAMES);
  const carId = car ? String(car.value).trim() : defaults.carId;
  if (!carId) return fail(CAR_NAMES[0]!, 'missing car id');

  const time = firstPresent(record, TIME_NAMES);
  let sourceTimeUs: number;
  if (time) {
    if (typeof time.value === 'boolean') return fail(time.name, `not a timestamp: ${time.value}`);
    const parsed = parseTimestampUs(time.value);
    if ('reason' in parsed) return fail(time.name, parsed.reason);
    sourceTimeUs = parsed.us;
  } else if (defaults.sourceTimeUs !== undefined) {
    sourceTimeUs = defaults.sourceTimeUs;
  } else {
    return fail(TIME_NAMES[0]!, 'missing timestamp');
  }

  const frame: TelemetryFrame = {
    sessionId: text(record.session_id) ?? defaults.sessionId,
    source: defaults.source,
    carId,
    track: text(record.track) ?? defaults.track ?? '',
    driverName: text(record.driver_name) ?? defaults.driverName ?? '',
    carModel: text(record.car_model) ?? defaults.carModel ?? '',
    sequence: sourceTimeUs,
    sourceTimeUs,
    ingestTimeUs: defaults.ingestTimeUs,
    lap: 0,
  };
  const extras: Record<string, number> = {};
  let extraCount = 0;

  for (const channel of CHANNELS) {
    const found = firstPresent(record, channel.names);
    if (!found) continue;
    const v = parseDecimal(found.value);
    if (v === undefined) return fail(found.name, `not a number: ${JSON.stringify(found.value)}`);
    const converted = channel.convert(v, scales);
    if (typeof converted === 'string') return fail(found.name, converted);
    frame[channel.field] = converted;
    if (channel.keepRaw) {
      extras[found.name] = v;
      extraCount++;
    }
  }

  for (const name in record) {
    if (IDENTITY.has(name) || CHANNEL_NAMES.has(name)) continue;
    const v = parseDecimal(record[name]);
    if (v === undefined) continue;
    if (++extraCount > MAX_EXTRAS) return fail(name, `more than ${MAX_EXTRAS} extra channels`);
    extras[name] = v;
  }
  if (extraCount > 0) frame.extras = extras;
  return { frame };
}

function fail(field: string, reason: string): PointResult {
  return { error: { field, reason } };
}

function isEmpty(v: PointValue): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function firstPresent(record: PointRecord, names: readonly string[]): { name: string; value: string | number | boolean } | undefined {
  for (const name of names) {
    const value = record[name];
    if (!isEmpty(value)) return { name, value: value! };
  }
  return undefined;
}

function text(v: PointValue): string | undefined {
  return isEmpty(v) ? undefined : String(v).trim();
}

/** A finite number from a JSON number or a decimal string; undefined otherwise (booleans too). */
export function parseDecimal(v: PointValue): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  // Number('') is 0 and Number('0x1f') is 31: accept plain decimal notation only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}
