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

/** Why a frame cannot be stored, or undefined when it can. */
export function frameProblem(frame: TelemetryFrame, nowUs: number): string | undefined {
  if (!frame.sessionId) return 'frame has no session_id';
  if (!frame.carId) return 'frame has no car_id';
  const time = frameTimeUs(frame);
  if (!Number.isSafeInteger(time) || time <= 0) return 'frame has neither source_time_us nor ingest_time_us';
  if (time < EARLIEST_FRAME_TIME_US) return `frame time ${time} µs is before 2000-01-01`;
  if (time > nowUs + MAX_FRAME_CLOCK_AHEAD_US) return `frame time ${time} µs is more than a day ahead of now`;
  return undefined;
}

type Wheel = keyof WheelSet & ('rl' | 'rr' | 'fl' | 'fr');
const WHEELS: Wheel[] = ['rl', 'rr', 'fl', 'fr'];
const WHEEL_SETS = [
  ['tyre_surface_temp_c', 'tyreSurfaceTempC'],
  ['tyre_inner_temp_c', 'tyreInnerTempC'],
  ['tyre_pressure_psi', 'tyrePressurePsi'],
  ['tyre_wear', 'tyreWear'],
  ['brake_temp_c', 'brakeTempC'],
] as const;

type F = TelemetryFrame;
const col = (name: string, type: Column<F>['type'], get: Column<F>['get']): Column<F> => ({ name, type, get });

/** Every column of `frames`, in table order (a test checks this against the migrated table). */
export const FRAME_COLUMNS: Column<F>[] = [
  col('session_id', 'text', (f) => f.sessionId ?? ''),
  col('car_id', 'text', (f) => f.carId ?? ''),
  col('sequence', 'bigint', (f) => f.sequence ?? 0),
  col('time', 'timestamptz', frameTimeUs),
  col('ingest_time', 'timestamptz', (f) => f.ingestTimeUs ?? 0),
  col('source', 'smallint', (f) => f.source ?? 0),
  col('driver_name', 'text', (f) => f.driverName ?? ''),
  col('car_model', 'text', (f) => f.carModel ?? ''),
  col('track', 'text', (f) => f.track ?? ''),
  col('session_time_s', 'double precision', (f) => f.sessionTimeS),
  col('lap', 'integer', (f) => f.lap ?? 0),
  col('lap_distance_m', 'real', (f) => f.lapDistanceM),
  col('normalized_position', 'real', (f) => f.normalizedPosition),
  col('sector', 'integer', (f) => f.sector),
  col('race_position', 'integer', (f) => f.racePosition),
  col('current_lap_time_ms', 'integer', (f) => f.currentLapTimeMs),
  col('last_lap_time_ms', 'integer', (f) => f.lastLapTimeMs),
  col('in_pit', 'boolean', (f) => f.inPit),
  col('lap_invalid', 'boolean', (f) => f.lapInvalid),
  col('speed_kmh', 'real', (f) => f.speedKmh),
  col('throttle', 'real', (f) => f.throttle),
  col('brake', 'real', (f) => f.brake),
  col('clutch', 'real', (f) => f.clutch),
  col('steer', 'real', (f) => f.steer),
  col('gear', 'smallint', (f) => f.gear),
  col('rpm', 'real', (f) => f.rpm),
  col('g_lat', 'real', (f) => f.gLat),
  col('g_lon', 'real', (f) => f.gLon),
  col('g_vert', 'real', (f) => f.gVert),
  col('world_x_m', 'real', (f) => f.worldPositionM?.x),
  col('world_y_m', 'real', (f) => f.worldPositionM?.y),
  col('world_z_m', 'real', (f) => f.worldPositionM?.z),
  col('yaw_rad', 'real', (f) => f.yawRad),
  ...WHEEL_SETS.flatMap(([prefix, field]) => WHEELS.map((w) => col(`${prefix}_${w}`, 'real', (f) => f[field]?.[w]))),
  col('fuel_kg', 'real', (f) => f.fuelKg),
  col('extras', 'jsonb', (f) => (f.extras && Object.keys(f.extras).length ? jsonbText(f.extras) : null)),
];

export const FRAMES_TABLE: TableSpec<F> = { table: 'frames', columns: FRAME_COLUMNS, conflict: { kind: 'ignore' } };
