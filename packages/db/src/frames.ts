import type { TelemetryFrame, WheelSet } from '@pitwall/proto';
import { jsonbText } from './pg-text';
import type { Column, TableSpec } from './table-writer';

/** Frames older than this are taken for a broken clock, not telemetry. */
export const EARLIEST_FRAME_TIME_US = Date.UTC(2000, 0, 1) * 1000;
/** How far ahead of this machine's clock a frame may be (device clocks drift). */
export const MAX_FRAME_CLOCK_AHEAD_US = 24 * 3600 * 1_000_000;

/**
 * The stored time of a frame: its source time, or its ingest time when the source sent none.
 * A function of the frame alone, so a retried or replayed frame lands on the same key.
 */
export function frameTimeUs(frame: TelemetryFrame): number {
  return frame.sourceTimeUs || frame.ingestTimeUs || 0;
}

/** Why a frame cannot be stored for want of its identity, or undefined when it has one. */
export function frameIdentityProblem(frame: TelemetryFrame): string | undefined {
  if (!frame.sessionId) return 'frame has no session_id';
  if (!frame.carId) return 'frame has no car_id';
  return undefined;
}

/** Why a frame cannot be stored at its time (frameTimeUs), or undefined when it can. */
export function frameTimeProblem(time: number, nowUs: number): string | undefined {
  if (!Number.isSafeInteger(time) || time <= 0) return 'frame has neither source_time_us nor ingest_time_us';
  if (time < EARLIEST_FRAME_TIME_US) return `frame time ${time} µs is before 2000-01-01`;
  if (time > nowUs + MAX_FRAME_CLOCK_AHEAD_US) return `frame time ${time} µs is more than a day ahead of now`;
  return undefined;
}

type Wheel = keyof WheelSet & ('rl' | 'rr' | 'fl' | 'fr');
type WheelSetField = 'tyreSurfaceTempC' | 'tyreInnerTempC' | 'tyrePressurePsi' | 'tyreWear' | 'brakeTempC';
// Each set and each wheel read by a function of its own: a property read shared by all 20 wheel
// columns (`f[field]?.[w]`) sees every name and is a slow generic lookup (measured: the costliest
// part of a row).
const WHEELS: [Wheel, (s: WheelSet | null | undefined) => number | null | undefined][] = [
  ['rl', (s) => s?.rl],
  ['rr', (s) => s?.rr],
  ['fl', (s) => s?.fl],
  ['fr', (s) => s?.fr],
];
const WHEEL_SETS: [string, WheelSetField, (f: TelemetryFrame) => WheelSet | null | undefined][] = [
  ['tyre_surface_temp_c', 'tyreSurfaceTempC', (f) => f.tyreSurfaceTempC],
  ['tyre_inner_temp_c', 'tyreInnerTempC', (f) => f.tyreInnerTempC],
  ['tyre_pressure_psi', 'tyrePressurePsi', (f) => f.tyrePressurePsi],
  ['tyre_wear', 'tyreWear', (f) => f.tyreWear],
  ['brake_temp_c', 'brakeTempC', (f) => f.brakeTempC],
];

type F = TelemetryFrame;
type Setter = NonNullable<Column<F>['set']>;
const col = (name: string, type: Column<F>['type'], get: Column<F>['get'], set: Setter): Column<F> => ({ name, type, get, set });
/** Sets a field when the stored value is not NULL: an absent channel stays absent. */
const to =
  <K extends keyof F>(field: K, convert: (v: unknown) => F[K] = (v) => v as F[K]): Setter =>
  (f, v) => {
    if (v !== null && v !== undefined) f[field] = convert(v);
  };
const num = (v: unknown) => Number(v);
const wheelTo =
  (field: WheelSetField, w: Wheel): Setter =>
  (f, v) => {
    if (v !== null && v !== undefined) (f[field] ??= {})[w] = Number(v);
  };
const worldTo =
  (axis: 'x' | 'y' | 'z'): Setter =>
  (f, v) => {
    if (v !== null && v !== undefined) (f.worldPositionM ??= {})[axis] = Number(v);
  };

/** Every column of `frames`, in table order (a test checks this against the migrated table), both ways. */
export const FRAME_COLUMNS: Column<F>[] = [
  col('session_id', 'text', (f) => f.sessionId ?? '', to('sessionId')),
  col('car_id', 'text', (f) => f.carId ?? '', to('carId')),
  col('sequence', 'bigint', (f) => f.sequence ?? 0, to('sequence', num)),
  // `time` is derived from the frame (frameTimeUs): reading it back gives the source time.
  col('time', 'timestamptz', frameTimeUs, to('sourceTimeUs', num)),
  col('ingest_time', 'timestamptz', (f) => f.ingestTimeUs ?? 0, to('ingestTimeUs', num)),
  col('source', 'smallint', (f) => f.source ?? 0, to('source', num)),
  col('driver_name', 'text', (f) => f.driverName ?? '', to('driverName')),
  col('car_model', 'text', (f) => f.carModel ?? '', to('carModel')),
  col('track', 'text', (f) => f.track ?? '', to('track')),
  col('session_time_s', 'double precision', (f) => f.sessionTimeS, to('sessionTimeS', num)),
  col('lap', 'integer', (f) => f.lap ?? 0, to('lap', num)),
  col('lap_distance_m', 'real', (f) => f.lapDistanceM, to('lapDistanceM', num)),
  col('normalized_position', 'real', (f) => f.normalizedPosition, to('normalizedPosition', num)),
  col('sector', 'integer', (f) => f.sector, to('sector', num)),
  col('race_position', 'integer', (f) => f.racePosition, to('racePosition', num)),
  col('current_lap_time_ms', 'integer', (f) => f.currentLapTimeMs, to('currentLapTimeMs', num)),
  col('last_lap_time_ms', 'integer', (f) => f.lastLapTimeMs, to('lastLapTimeMs', num)),
  col('in_pit', 'boolean', (f) => f.inPit, to('inPit')),
  col('lap_invalid', 'boolean', (f) => f.lapInvalid, to('lapInvalid')),
  col('speed_kmh', 'real', (f) => f.speedKmh, to('speedKmh', num)),
  col('throttle', 'real', (f) => f.throttle, to('throttle', num)),
  col('brake', 'real', (f) => f.brake, to('brake', num)),
  col('clutch', 'real', (f) => f.clutch, to('clutch', num)),
  col('steer', 'real', (f) => f.steer, to('steer', num)),
  col('gear', 'smallint', (f) => f.gear, to('gear', num)),
  col('rpm', 'real', (f) => f.rpm, to('rpm', num)),
  col('g_lat', 'real', (f) => f.gLat, to('gLat', num)),
  col('g_lon', 'real', (f) => f.gLon, to('gLon', num)),
  col('g_vert', 'real', (f) => f.gVert, to('gVert', num)),
  col('world_x_m', 'real', (f) => f.worldPositionM?.x, worldTo('x')),
  col('world_y_m', 'real', (f) => f.worldPositionM?.y, worldTo('y')),
  col('world_z_m', 'real', (f) => f.worldPositionM?.z, worldTo('z')),
  col('yaw_rad', 'real', (f) => f.yawRad, to('yawRad', num)),
  ...WHEEL_SETS.flatMap(([prefix, field, set]) => WHEELS.map(([w, wheel]) => col(`${prefix}_${w}`, 'real', (f) => wheel(set(f)), wheelTo(field, w)))),
  col('fuel_kg', 'real', (f) => f.fuelKg, to('fuelKg', num)),
  col('extras', 'jsonb', (f) => (f.extras && Object.keys(f.extras).length ? jsonbText(f.extras) : null), to('extras', (v) => v as Record<string, number>)),
];

export const FRAMES_TABLE: TableSpec<F> = { table: 'frames', columns: FRAME_COLUMNS, conflict: { kind: 'ignore' } };
