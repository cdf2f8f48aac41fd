import type { RTCarInfo, Wheels } from '@pitwall/ac-udp';
import { Source, type TelemetryFrame } from '@pitwall/proto';
import type { AcSession } from './session';

/**
 * AC's remote telemetry streams the driver's own car only, so it has one car id per session.
 * (RTLap's carIdentifierNumber numbers every car of the server; the player is recognised there by
 * driver and car name.)
 */
export const AC_PLAYER_CAR_ID = 'player';

/** AC's wheel arrays are front-left, front-right, rear-left, rear-right. */
const WHEEL_SUFFIXES = ['fl', 'fr', 'rl', 'rr'] as const;

/**
 * RTCarInfo's per-wheel arrays, none of which the frame schema models, by extras name prefix.
 * Units are in the name where Kunos' documentation states them.
 */
const WHEEL_EXTRAS: [keyof RTCarInfo & string, string][] = [
  ['wheelAngularSpeed', 'wheel_angular_speed_rad_s'],
  ['slipAngle', 'slip_angle'],
  ['slipAngleContactPatch', 'slip_angle_contact_patch'],
  ['slipRatio', 'slip_ratio'],
  ['tyreSlip', 'tyre_slip'],
  ['ndSlip', 'nd_slip'],
  ['load', 'wheel_load_n'],
  ['dy', 'dy'],
  ['mz', 'mz'],
  ['tyreDirtyLevel', 'tyre_dirty_level'],
  ['camberRad', 'camber_rad'],
  ['tyreRadius', 'tyre_radius_m'],
  ['tyreLoadedRadius', 'tyre_loaded_radius_m'],
  ['suspensionHeight', 'suspension_height'],
];

/** A lap time or count the game sent, or undefined for a negative or non-finite one. */
function nonNegative(n: number): number | undefined {
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

/** A lap time in ms, or undefined for AC's 0 ("no lap yet") and anything not a time. */
export const lapTimeMs = (n: number): number | undefined => (Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined);

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export interface FrameContext {
  session: AcSession;
  sequence: number;
  receivedAtUs: number;
  maxSteerDeg: number;
  /** The latest lap time from RTLap or RTCarInfo, whichever came last. */
  lastLapMs: number | undefined;
  /** Completed laps of the player counted from RTLap spot events this session; undefined without the spot subscription. */
  spotLaps: number | undefined;
}

/** One frame from one RTCarInfo: every field, modelled ones in place and the rest in extras. */
export function carInfoFrame(info: RTCarInfo, ctx: FrameContext): TelemetryFrame {
  const extras: Record<string, number> = {
    abs_enabled: +info.isAbsEnabled,
    abs_in_action: +info.isAbsInAction,
    tc_enabled: +info.isTcEnabled,
    tc_in_action: +info.isTcInAction,
    engine_limiter_on: +info.isEngineLimiterOn,
    best_lap_ms: info.bestLapMs,
    lap_count: info.lapCount,
    steer_deg: info.steer,
    cg_height_m: info.cgHeight,
    car_slope: info.carSlope,
    speed_ms: info.speedMs,
    speed_mph: info.speedMph,
  };
  if (ctx.spotLaps !== undefined) extras.spot_laps = ctx.spotLaps;
  for (const [field, prefix] of WHEEL_EXTRAS) {
    const values = info[field] as Wheels;
    WHEEL_SUFFIXES.forEach((suffix, i) => (extras[`${prefix}_${suffix}`] = values[i]!));
  }
  const [x, y, z] = info.carCoordinates;
  const lapCount = nonNegative(info.lapCount);
  return {
    sessionId: ctx.session.id,
    source: Source.SOURCE_ASSETTO_CORSA,
    carId: AC_PLAYER_CAR_ID,
    driverName: ctx.session.driverName,
    carModel: ctx.session.carModel,
    track: ctx.session.trackConfig ? `${ctx.session.track}/${ctx.session.trackConfig}` : ctx.session.track,
    sequence: ctx.sequence,
    // AC stamps nothing: the sample time is when it arrived.
    sourceTimeUs: ctx.receivedAtUs,
    ingestTimeUs: ctx.receivedAtUs,
    // lapCount is completed laps; the frame counts the lap being driven from 1.
    lap: lapCount === undefined ? 0 : lapCount + 1,
    normalizedPosition: info.carPositionNormalized,
    currentLapTimeMs: nonNegative(info.lapTimeMs),
    lastLapTimeMs: ctx.lastLapMs,
    inPit: info.isInPit,
    speedKmh: info.speedKmh,
    throttle: info.gas,
    brake: info.brake,
    clutch: info.clutch,
    steer: Number.isFinite(info.steer) ? clamp(info.steer / ctx.maxSteerDeg, -1, 1) : undefined,
    gear: info.gear,
    rpm: info.engineRpm,
    gLat: info.accGHorizontal,
    gLon: info.accGFrontal,
    gVert: info.accGVertical,
    worldPositionM: { x, y, z },
    extras,
  };
}
