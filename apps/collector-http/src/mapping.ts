import type { SequenceAssigner } from '@pitwall/collector-kit';
import { Source, type TelemetryFrame, type WheelSet } from '@pitwall/proto';
import type { MappingConfig } from './config';

/**
 * One flat telemetry point (a JSON object, a CSV row) → one TelemetryFrame. The only place field
 * names and units are known: HTTP, device WebSocket, UDP text and the partner feed all map here.
 *
 * Accepted names (the README has the table). When a point carries two names for one frame field the
 * later one in the point wins, except times (ranked below) and brake/steer (explicit beats derived).
 * - GR Cup loggers: speed (km/h), nmot (rpm), aps (throttle %), pbrake_f / pbrake_r (bar),
 *   accx_can / accy_can (g), Steering_Angle (degrees at the wheel), gear, Laptrigger_lapdist_dls (m),
 *   lap, vehicle_id, timestamp; VBOX_Lat_Min / VBOX_Long_Minutes and any other numeric column go to
 *   extras under their own name.
 * - The seed realtime server: meta_time, track, chassis, lap, lapdist_m, speed_kmh, rpm, and the
 *   GR Cup names above.
 * - The seed IoT devices (inside their `data`): engineRpm, speed, position {latitude, longitude}.
 * - Ours: the camelCase TelemetryFrame field names (and their snake_case proto names), in the
 *   schema's units.
 *
 * Unit conversions: aps % → throttle 0..1; brake 0..1 = max(pbrake_f, pbrake_r) / brakeFullScaleBar
 * (raw pressures kept in extras); steer -1..1 = Steering_Angle / steerFullScaleDeg (raw kept in
 * extras); accx_can → g_lon, accy_can → g_lat taken as g with the source's sign.
 */

/** A point the mapping refuses: `field` names the input field (null when the item itself is wrong). */
export class PointError extends Error {
  constructor(
    readonly field: string | null,
    readonly reason: string,
  ) {
    super(field === null ? reason : `${field}: ${reason}`);
    this.name = 'PointError';
  }
}

/** Where a point came from: decides the frame's source, derived session ids and default car. */
export interface Origin {
  source: Source;
  /** The token's source name, or the transport's name when ingest is open. */
  sourceName: string;
  /** Car id when the point names none (a device's own id). */
  defaultCarId?: string;
}

/** Working state of one point while its fields are read. */
interface Scratch {
  timeUs: number | undefined;
  timeRank: number;
  brakeBar: number | undefined;
  steerDeg: number | undefined;
  extras: Record<string, number> | undefined;
  extraCount: number;
}

type Handler = (value: unknown, name: string, frame: TelemetryFrame, s: Scratch, m: PointMapper) => void;

const MAX_ID = 128;
const MAX_SESSION = 256;

function num(value: unknown, name: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  throw new PointError(name, `expected a number, got ${JSON.stringify(value)}`);
}

function int(value: unknown, name: string, min: number, max: number): number {
  const n = num(value, name);
  if (!Number.isInteger(n) || n < min || n > max) throw new PointError(name, `expected an integer from ${min} to ${max}, got ${n}`);
  return n;
}

function bool(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1 || value === '0' || value === '1') return value === 1 || value === '1';
  if (value === 'true' || value === 'false') return value === 'true';
  throw new PointError(name, `expected true/false or 0/1, got ${JSON.stringify(value)}`);
}

function id(value: unknown, name: string, max = MAX_ID): string {
  const s = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof s !== 'string' || s === '' || s.length > max) throw new PointError(name, `expected a non-empty string of at most ${max} characters`);
  return s;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

const digit = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};
const two = (s: string, i: number) => digit(s, i) * 10 + digit(s, i + 1);

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` to µs, keeping sub-millisecond digits that Date.parse
 * drops, and several times faster than it (this runs for every point). NaN when not that shape.
 */
function isoMicros(s: string): number {
  if (s.length < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN;
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  // Date.UTC would roll 2025-13-01 over into 2026; Date.parse refuses it, and so do we.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  const ms = Date.UTC(two(s, 0) * 100 + two(s, 2), month - 1, day, hour, minute, second);
  let i = 19;
  let fracUs = 0;
  if (s.charCodeAt(i) === 46) {
    let scale = 100_000;
    for (i++; i < s.length; i++) {
      const d = digit(s, i);
      if (Number.isNaN(d)) break;
      fracUs += d * scale;
      scale /= 10;
    }
    fracUs = Math.floor(fracUs);
  }
  let offsetMin = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) i++;
  else if ((z === 43 || z === 45) && s.length === i + 6 && s.charCodeAt(i + 3) === 58) {
    offsetMin = (z === 45 ? -1 : 1) * (two(s, i + 1) * 60 + two(s, i + 4));
    i += 6;
  } else return NaN;
  if (i !== s.length) return NaN;
  return (ms - offsetMin * 60_000) * 1000 + fracUs;
}

/** A time as µs since the epoch: ISO 8601 text, or a number read by magnitude (s, ms or µs). */
export function timeToMicros(value: unknown, name: string): number {
  if (typeof value === 'string') {
    const fast = isoMicros(value);
    if (!Number.isNaN(fast)) return fast;
    const trimmed = value.trim();
    // Numeric text (CSV columns) is read like a number; anything else must be a date.
    if (trimmed !== '' && !Number.isNaN(Number(trimmed))) return timeToMicros(Number(trimmed), name);
    const ms = Date.parse(trimmed);
    if (Number.isNaN(ms)) throw new PointError(name, `expected an ISO 8601 time or epoch number, got ${JSON.stringify(value)}`);
    return ms * 1000;
  }
  if (typeof value !== 'number' || !(value > 0)) throw new PointError(name, `expected an ISO 8601 time or a positive epoch number, got ${JSON.stringify(value)}`);
  // Below 1e11 a number can only be seconds (1e11 ms is 1973, 1e11 s is year 5138); below 1e14 ms.
  if (value < 1e11) return Math.round(value * 1e6);
  if (value < 1e14) return Math.round(value * 1e3);
  return Math.round(value);
}

function setTime(rank: number): Handler {
  return (v, name, _f, s) => {
    if (rank < s.timeRank) return;
    s.timeUs = timeToMicros(v, name);
    s.timeRank = rank;
  };
}

function numberField(field: keyof TelemetryFrame, scale = 1, lo = -Infinity, hi = Infinity): Handler {
  return (v, name, f) => {
    (f as Record<string, unknown>)[field] = clamp(num(v, name) * scale, lo, hi);
  };
}

function intField(field: keyof TelemetryFrame, min: number, max: number): Handler {
  return (v, name, f) => {
    (f as Record<string, unknown>)[field] = int(v, name, min, max);
  };
}

function boolField(field: keyof TelemetryFrame): Handler {
  return (v, name, f) => {
    (f as Record<string, unknown>)[field] = bool(v, name);
  };
}

function stringField(field: keyof TelemetryFrame, max = MAX_ID): Handler {
  return (v, name, f) => {
    (f as Record<string, unknown>)[field] = id(v, name, max);
  };
}

function wheelSet(field: keyof TelemetryFrame): Handler {
  return (v, name, f) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PointError(name, 'expected an object {rl, rr, fl, fr}');
    const src = v as Record<string, unknown>;
    const out: WheelSet = {};
    for (const w of ['rl', 'rr', 'fl', 'fr'] as const) if (src[w] !== undefined) out[w] = num(src[w], `${name}.${w}`);
    (f as Record<string, unknown>)[field] = out;
  };
}

function addExtra(s: Scratch, m: PointMapper, name: string, value: number): void {
  if (!s.extras) s.extras = {};
  if (!(name in s.extras)) {
    if (s.extraCount >= m.config.maxExtras) throw new PointError(name, `more than ${m.config.maxExtras} extra channels in one point`);
    s.extraCount++;
  }
  s.extras[name] = value;
}

/** Also keep the raw value in extras (for channels whose frame field is a conversion). */
const alsoExtra =
  (inner: Handler): Handler =>
  (v, name, f, s, m) => {
    inner(v, name, f, s, m);
    addExtra(s, m, name, num(v, name));
  };

const brakePressure: Handler = alsoExtra((v, name, _f, s) => {
  const bar = num(v, name);
  if (s.brakeBar === undefined || bar > s.brakeBar) s.brakeBar = bar;
});

const steeringAngle: Handler = alsoExtra((v, name, _f, s) => {
  s.steerDeg = num(v, name);
});

const extrasObject: Handler = (v, name, _f, s, m) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PointError(name, 'expected an object of named numbers');
  for (const k in v as Record<string, unknown>) addExtra(s, m, k, num((v as Record<string, unknown>)[k], `${name}.${k}`));
};

const ignore: Handler = () => {};

/** Field name → handler. Several names may share one frame field; the table is the documentation. */
function buildTable(): Map<string, Handler> {
  const t = new Map<string, Handler>();
  const add = (names: string[], h: Handler) => names.forEach((n) => t.set(n, h));
  // Identity.
  add(['session_id', 'sessionId'], stringField('sessionId', MAX_SESSION));
  add(['vehicle_id', 'chassis', 'car_id', 'carId', 'imei', 'device_id', 'deviceId'], stringField('carId'));
  add(['driver', 'driver_name', 'driverName'], stringField('driverName'));
  add(['car_model', 'carModel'], stringField('carModel'));
  add(['track'], stringField('track'));
  add(['sequence'], intField('sequence', 0, Number.MAX_SAFE_INTEGER));
  // Time: our explicit µs beats a logger timestamp, which beats the seed's receive time.
  add(['source_time_us', 'sourceTimeUs'], setTime(3));
  add(['timestamp'], setTime(2));
  add(['meta_time'], setTime(1));
  add(['session_time_s', 'sessionTimeS'], numberField('sessionTimeS'));
  // Position on track.
  add(['lap'], intField('lap', 0, 0xffffffff));
  add(['lap_distance_m', 'lapDistanceM', 'lapdist_m', 'Laptrigger_lapdist_dls'], numberField('lapDistanceM'));
  add(['normalized_position', 'normalizedPosition'], numberField('normalizedPosition', 1, 0, 1));
  add(['sector'], intField('sector', 0, 255));
  add(['race_position', 'racePosition'], intField('racePosition', 0, 0xffffffff));
  add(['current_lap_time_ms', 'currentLapTimeMs'], intField('currentLapTimeMs', 0, 0xffffffff));
  add(['last_lap_time_ms', 'lastLapTimeMs'], intField('lastLapTimeMs', 0, 0xffffffff));
  add(['in_pit', 'inPit'], boolField('inPit'));
  add(['lap_invalid', 'lapInvalid'], boolField('lapInvalid'));
  // Inputs and motion.
  add(['speed_kmh', 'speedKmh', 'speed'], numberField('speedKmh'));
  add(['rpm', 'nmot', 'engineRpm', 'engine_rpm'], numberField('rpm'));
  add(['throttle'], numberField('throttle', 1, 0, 1));
  add(['aps'], numberField('throttle', 0.01, 0, 1));
  add(['brake'], numberField('brake', 1, 0, 1));
  add(['pbrake_f', 'pbrake_r'], brakePressure);
  add(['clutch'], numberField('clutch', 1, 0, 1));
  add(['steer'], numberField('steer', 1, -1, 1));
  add(['Steering_Angle'], steeringAngle);
  add(['gear'], intField('gear', -1, 20));
  add(['g_lat', 'gLat', 'accy_can'], numberField('gLat'));
  add(['g_lon', 'gLon', 'accx_can'], numberField('gLon'));
  add(['g_vert', 'gVert'], numberField('gVert'));
  add(['yaw_rad', 'yawRad'], numberField('yawRad'));
  add(['fuel_kg', 'fuelKg'], numberField('fuelKg'));
  add(['world_position_m', 'worldPositionM'], (v, name, f) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new PointError(name, 'expected an object {x, y, z}');
    const src = v as Record<string, unknown>;
    f.worldPositionM = { x: num(src.x ?? 0, `${name}.x`), y: num(src.y ?? 0, `${name}.y`), z: num(src.z ?? 0, `${name}.z`) };
  });
  add(['tyre_surface_temp_c', 'tyreSurfaceTempC'], wheelSet('tyreSurfaceTempC'));
  add(['tyre_inner_temp_c', 'tyreInnerTempC'], wheelSet('tyreInnerTempC'));
  add(['tyre_pressure_psi', 'tyrePressurePsi'], wheelSet('tyrePressurePsi'));
  add(['tyre_wear', 'tyreWear'], wheelSet('tyreWear'));
  add(['brake_temp_c', 'brakeTempC'], wheelSet('brakeTempC'));
  add(['extras'], extrasObject);
  // Set by the collector, or envelope fields that carry no channel.
  add(['source', 'ingest_time_us', 'ingestTimeUs', 'raw_source', 'type', 'id', 'msgId', 'msg_id'], ignore);
  return t;
}

const table = buildTable();

/** Whether a column name is one the mapping knows (tests and docs list them). */
export function isKnownField(name: string): boolean {
  return table.has(name);
}

export class PointMapper {
  private readonly days = new Map<number, string>();
  private lastSession = { day: NaN, sourceName: '', track: '', id: '' };

  constructor(
    readonly config: MappingConfig,
    private readonly sequences: SequenceAssigner,
  ) {}

  /** Maps one point; throws PointError naming the field that is wrong. */
  map(point: unknown, origin: Origin, nowUs: number): TelemetryFrame {
    if (typeof point !== 'object' || point === null || Array.isArray(point)) throw new PointError(null, 'expected a JSON object (one point)');
    const frame: TelemetryFrame = {};
    const s: Scratch = { timeUs: undefined, timeRank: 0, brakeBar: undefined, steerDeg: undefined, extras: undefined, extraCount: 0 };
    const src = point as Record<string, unknown>;
    for (const name in src) {
      const value = src[name];
      if (value === null || value === undefined) continue;
      const handler = table.get(name);
      if (handler) handler(value, name, frame, s, this);
      else this.unknown(value, name, s);
    }
    if (frame.brake === undefined && s.brakeBar !== undefined) frame.brake = clamp(s.brakeBar / this.config.brakeFullScaleBar, 0, 1);
    if (frame.steer === undefined && s.steerDeg !== undefined) frame.steer = clamp(s.steerDeg / this.config.steerFullScaleDeg, -1, 1);
    if (s.extras) frame.extras = s.extras;
    if (s.timeUs !== undefined) frame.sourceTimeUs = s.timeUs;
    if (!frame.carId) {
      if (!origin.defaultCarId) throw new PointError('vehicle_id', 'missing car id: set one of vehicle_id, chassis, car_id, carId, imei');
      frame.carId = origin.defaultCarId;
    }
    return this.complete(frame, origin, nowUs);
  }

  /**
   * Fills what the collector owns: source, ingest time, session id (derived when absent) and
   * sequence (the sample's own µs time when it has one, so a retried point keeps its number).
   */
  complete(frame: TelemetryFrame, origin: Origin, nowUs: number): TelemetryFrame {
    if (!frame.source) frame.source = origin.source;
    frame.ingestTimeUs = nowUs;
    if (!frame.sessionId) frame.sessionId = this.sessionFor(origin.sourceName, frame.track, frame.sourceTimeUs || nowUs);
    if (!frame.sequence) frame.sequence = frame.sourceTimeUs ? frame.sourceTimeUs : this.sequences.assign(frame.sessionId, frame.carId!);
    return frame;
  }

  /** `<source>:<track>:<UTC date of the sample>`, or `<source>:<UTC date>` without a track. */
  sessionFor(sourceName: string, track: string | null | undefined, timeUs: number): string {
    const day = Math.floor(timeUs / 86_400_000_000);
    const last = this.lastSession;
    // Points of a batch share their session: reuse the string (one flat string, not a new
    // concatenation the bus key hash and the encoder would each have to flatten).
    if (last.day === day && last.sourceName === sourceName && last.track === (track ?? '')) return last.id;
    let date = this.days.get(day);
    if (date === undefined) {
      if (this.days.size >= 64) this.days.clear();
      date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      this.days.set(day, date);
    }
    const id = track ? `${sourceName}:${track}:${date}` : `${sourceName}:${date}`;
    this.lastSession = { day, sourceName, track: track ?? '', id };
    return id;
  }

  /** Unknown numeric channels go to extras; an object's numeric members as `name.member`. */
  private unknown(value: unknown, name: string, s: Scratch): void {
    if (typeof value === 'number') return addExtra(s, this, name, value);
    if (typeof value === 'string') {
      if (value.trim() === '') return;
      const n = Number(value);
      if (Number.isFinite(n)) addExtra(s, this, name, n);
      return;
    }
    if (typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      for (const k in obj) if (typeof obj[k] === 'number') addExtra(s, this, `${name}.${k}`, obj[k] as number);
    }
  }
}

/** Default Source per transport, so frames say how they arrived. */
export const transportSource = {
  http: Source.SOURCE_HTTP,
  device: Source.SOURCE_DEVICE_WS,
  udp: Source.SOURCE_UDP_TEXT,
  partner: Source.SOURCE_PARTNER_WS,
} as const;
