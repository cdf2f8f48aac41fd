import type { TelemetryFrame, WheelSet } from '@pitwall/proto';
import type { MappingConfig } from './config';
import { parseTimestampUs, sameSecondUs } from './time';
import { boolean, clamp, decimal, identifier, integer, isEmpty, nonNegative, object, parseDecimal, PointError, type PointValue } from './values';

/**
 * Every name a source may give a frame field, and how its value becomes the frame's. This table
 * is the mapping's documentation (packages/channel-map/README.md lists it for users).
 */

/** Working state of one point while its fields are read. */
export interface Scratch {
  config: MappingConfig;
  timeUs: number | undefined;
  brakeBar: number | undefined;
  steerDeg: number | undefined;
  extras: Record<string, number> | undefined;
  extraCount: number;
  /** An extra under a made-up name was added: later names may repeat one (see addExtra). */
  mayRepeat: boolean;
}

/** Stores one present (non-empty) value into the frame or the scratch; throws PointError naming `name`. */
type Read = (v: PointValue, name: string, f: TelemetryFrame, s: Scratch) => void;

export interface Field {
  /** The names it may come under, in priority order: the first one present in a point is read. */
  names: readonly string[];
  read: Read;
  /** Read every present name instead of the first (brake pressures: the highest one counts). */
  every?: boolean;
}

const MAX_ID = 128;
const MAX_SESSION = 256;
const UINT32 = 0xffffffff;

/** The names a car id may come under, in priority order. */
export const CAR_NAMES: readonly string[] = ['vehicle_id', 'chassis', 'car_id', 'carId', 'imei', 'device_id', 'deviceId'];
/** The names a sample's time may come under, in priority order (our explicit µs first). */
export const TIME_NAMES: readonly string[] = ['source_time_us', 'sourceTimeUs', 'timestamp', 'meta_time'];

/**
 * Adds an extra, counting it against the limit once per name. A point's own names are unique;
 * only names made up here (`name.member`, the members of `extras`) can repeat one, so the check
 * for a repeat is skipped until one of those has been added.
 */
export function addExtra(s: Scratch, name: string, value: number, madeUp = false): void {
  const extras = (s.extras ??= {});
  if (!s.mayRepeat || !(name in extras)) {
    if (s.extraCount >= s.config.maxExtras) throw new PointError(name, `more than ${s.config.maxExtras} extra channels`);
    s.extraCount++;
  }
  extras[name] = value;
  if (madeUp) s.mayRepeat = true;
}

const readTime: Read = (v, name, _f, s) => {
  if (typeof v === 'string') {
    const us = sameSecondUs(v);
    if (us !== undefined) {
      s.timeUs = us;
      return;
    }
  } else if (typeof v !== 'number') throw new PointError(name, `not a timestamp: ${JSON.stringify(v)}`);
  const t = parseTimestampUs(v);
  if ('reason' in t) throw new PointError(name, t.reason);
  s.timeUs = t.us;
};

function wheelSet(set: (f: TelemetryFrame, w: WheelSet) => void): Read {
  return (v, name, f) => {
    const src = object(v, name, '{rl, rr, fl, fr}');
    const out: WheelSet = {};
    for (const w of ['rl', 'rr', 'fl', 'fr'] as const) if (!isEmpty(src[w])) out[w] = decimal(src[w], `${name}.${w}`);
    set(f, out);
  };
}

/** Modelled fields. One store site per field keeps the stores monomorphic, and fast. */
export const FIELDS: readonly Field[] = [
  // Identity.
  { names: CAR_NAMES, read: (v, n, f) => void (f.carId = identifier(v, n, MAX_ID)) },
  { names: TIME_NAMES, read: readTime },
  { names: ['session_id', 'sessionId'], read: (v, n, f) => void (f.sessionId = identifier(v, n, MAX_SESSION)) },
  { names: ['track'], read: (v, n, f) => void (f.track = identifier(v, n, MAX_ID)) },
  { names: ['driver_name', 'driverName', 'driver'], read: (v, n, f) => void (f.driverName = identifier(v, n, MAX_ID)) },
  { names: ['car_model', 'carModel'], read: (v, n, f) => void (f.carModel = identifier(v, n, MAX_ID)) },
  { names: ['sequence'], read: (v, n, f) => void (f.sequence = integer(v, n, 0, Number.MAX_SAFE_INTEGER)) },
  { names: ['session_time_s', 'sessionTimeS'], read: (v, n, f) => void (f.sessionTimeS = decimal(v, n)) },
  // Position on track.
  { names: ['lap'], read: (v, n, f) => void (f.lap = integer(v, n, 0, UINT32, 'not a lap number')) },
  { names: ['lap_distance_m', 'lapDistanceM', 'Laptrigger_lapdist_dls', 'lapdist_m'], read: (v, n, f) => void (f.lapDistanceM = nonNegative(v, n)) },
  { names: ['normalized_position', 'normalizedPosition'], read: (v, n, f) => void (f.normalizedPosition = clamp(decimal(v, n), 0, 1)) },
  { names: ['sector'], read: (v, n, f) => void (f.sector = integer(v, n, 0, 255)) },
  { names: ['race_position', 'racePosition'], read: (v, n, f) => void (f.racePosition = integer(v, n, 0, UINT32)) },
  { names: ['current_lap_time_ms', 'currentLapTimeMs'], read: (v, n, f) => void (f.currentLapTimeMs = integer(v, n, 0, UINT32)) },
  { names: ['last_lap_time_ms', 'lastLapTimeMs'], read: (v, n, f) => void (f.lastLapTimeMs = integer(v, n, 0, UINT32)) },
  { names: ['in_pit', 'inPit'], read: (v, n, f) => void (f.inPit = boolean(v, n)) },
  { names: ['lap_invalid', 'lapInvalid'], read: (v, n, f) => void (f.lapInvalid = boolean(v, n)) },
  // Inputs and motion. Our schema names (schema units) come first, then the loggers' names.
  { names: ['speed_kmh', 'speedKmh', 'speed'], read: (v, n, f) => void (f.speedKmh = nonNegative(v, n)) },
  { names: ['rpm', 'engine_rpm', 'engineRpm', 'nmot'], read: (v, n, f) => void (f.rpm = nonNegative(v, n)) },
  // `aps` is the accelerator pedal in % (`ath`, the throttle blade, stays an extra).
  { names: ['throttle', 'aps'], read: (v, n, f) => void (f.throttle = clamp(n === 'aps' ? decimal(v, n) / 100 : decimal(v, n), 0, 1)) },
  // An explicit brake beats the one derived from pressures (after all fields are read).
  { names: ['brake'], read: (v, n, f) => void (f.brake = clamp(decimal(v, n), 0, 1)) },
  {
    names: ['pbrake_f', 'pbrake_r'],
    every: true,
    read: (v, n, _f, s) => {
      const bar = decimal(v, n);
      addExtra(s, n, bar);
      if (s.brakeBar === undefined || bar > s.brakeBar) s.brakeBar = bar;
    },
  },
  { names: ['clutch'], read: (v, n, f) => void (f.clutch = clamp(decimal(v, n), 0, 1)) },
  { names: ['steer'], read: (v, n, f) => void (f.steer = clamp(decimal(v, n), -1, 1)) },
  {
    names: ['Steering_Angle'],
    read: (v, n, _f, s) => {
      s.steerDeg = decimal(v, n);
      addExtra(s, n, s.steerDeg);
    },
  },
  { names: ['gear'], read: (v, n, f) => void (f.gear = integer(v, n, -1, 20, 'not a gear')) },
  { names: ['g_lat', 'gLat', 'accy_can'], read: (v, n, f) => void (f.gLat = decimal(v, n)) },
  { names: ['g_lon', 'gLon', 'accx_can'], read: (v, n, f) => void (f.gLon = decimal(v, n)) },
  { names: ['g_vert', 'gVert'], read: (v, n, f) => void (f.gVert = decimal(v, n)) },
  { names: ['yaw_rad', 'yawRad'], read: (v, n, f) => void (f.yawRad = decimal(v, n)) },
  { names: ['fuel_kg', 'fuelKg'], read: (v, n, f) => void (f.fuelKg = decimal(v, n)) },
  {
    names: ['world_position_m', 'worldPositionM'],
    read: (v, n, f) => {
      const p = object(v, n, '{x, y, z}');
      f.worldPositionM = { x: decimal(p.x ?? 0, `${n}.x`), y: decimal(p.y ?? 0, `${n}.y`), z: decimal(p.z ?? 0, `${n}.z`) };
    },
  },
  { names: ['tyre_surface_temp_c', 'tyreSurfaceTempC'], read: wheelSet((f, w) => void (f.tyreSurfaceTempC = w)) },
  { names: ['tyre_inner_temp_c', 'tyreInnerTempC'], read: wheelSet((f, w) => void (f.tyreInnerTempC = w)) },
  { names: ['tyre_pressure_psi', 'tyrePressurePsi'], read: wheelSet((f, w) => void (f.tyrePressurePsi = w)) },
  { names: ['tyre_wear', 'tyreWear'], read: wheelSet((f, w) => void (f.tyreWear = w)) },
  { names: ['brake_temp_c', 'brakeTempC'], read: wheelSet((f, w) => void (f.brakeTempC = w)) },
  {
    names: ['extras'],
    read: (v, n, _f, s) => {
      const src = object(v, n, 'of named numbers');
      for (const k in src) addExtra(s, k, decimal(src[k], `${n}.${k}`), true);
    },
  },
];

/** Set by the collector, or envelope fields that carry no channel: never extras. */
export const IGNORED: ReadonlySet<string> = new Set(['source', 'ingest_time_us', 'ingestTimeUs', 'raw_source', 'type', 'id', 'msgId', 'msg_id']);

const FIELD_NAMES: ReadonlySet<string> = new Set(FIELDS.flatMap((f) => f.names));

/** Whether a name is one the mapping models or ignores (anything else numeric is an extra). */
export function isKnownField(name: string): boolean {
  return FIELD_NAMES.has(name) || IGNORED.has(name);
}

/**
 * An unmodelled value: numbers and decimal text go to extras under their own name, a nested
 * object's numeric members as `name.member` (the seed devices' `position.latitude`); other text,
 * booleans and arrays are ignored.
 */
export function readUnknown(v: PointValue, name: string, s: Scratch): void {
  if (typeof v === 'number') {
    if (Number.isFinite(v)) addExtra(s, name, v);
    return;
  }
  if (typeof v === 'string') {
    const n = parseDecimal(v);
    if (n !== undefined) addExtra(s, name, n);
    return;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const obj = v as Record<string, PointValue>;
    for (const k in obj) {
      const m = obj[k];
      if (typeof m === 'number' && Number.isFinite(m)) addExtra(s, `${name}.${k}`, m, true);
    }
  }
}
