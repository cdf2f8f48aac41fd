import { CarLocation, type EntryListCar, type RealtimeCarUpdate, type RealtimeUpdate } from '@pitwall/acc-broadcast';
import { Source, type TelemetryFrame } from '@pitwall/proto';
import type { TrackInfo } from './race-state';

export interface FrameContext {
  sessionId: string;
  sequence: number;
  receivedAtUs: number;
  track: TrackInfo;
  /** The car's entry, undefined while the entry list has not described it. */
  car: EntryListCar | undefined;
  realtime: RealtimeUpdate | null;
}

const IN_PIT: ReadonlySet<number> = new Set([CarLocation.Pitlane, CarLocation.PitEntry, CarLocation.PitExit]);

/** A time or count the game sent, or undefined for a negative or non-finite one. */
const nonNegative = (n: number | null): number | undefined => (n !== null && Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined);

function driverName(car: EntryListCar | undefined, driverIndex: number): string {
  const d = car?.drivers[driverIndex];
  return d ? `${d.firstName} ${d.lastName}`.trim() : '';
}

/**
 * One frame from one REALTIME_CAR_UPDATE, with identity from the entry list and the track from
 * TRACK_DATA. The broadcasting protocol has no throttle, brake, clutch, rpm, steering, g-forces,
 * tyres or fuel (ACC exposes those only through shared memory on the game's PC): they stay absent,
 * not zero.
 */
export function carUpdateFrame(u: RealtimeCarUpdate, ctx: FrameContext): TelemetryFrame {
  const { car, realtime, track } = ctx;
  const extras: Record<string, number> = {
    delta_ms: u.deltaMs,
    cup_position: u.cupPosition,
    track_position: u.trackPosition,
    car_location: u.carLocation,
    driver_index: u.driverIndex,
    driver_count: u.driverCount,
    laps_completed: u.laps,
  };
  if (u.bestSessionLap.laptimeMs !== null) extras.best_lap_ms = u.bestSessionLap.laptimeMs;
  if (car) {
    extras.car_model_type = car.carModelType;
    extras.race_number = car.raceNumber;
    extras.cup_category = car.cupCategory;
  }
  if (realtime) {
    extras.session_index = realtime.sessionIndex;
    extras.session_type = realtime.sessionType;
    extras.session_phase = realtime.phase;
    extras.focused = realtime.focusedCarIndex === u.carIndex ? 1 : 0;
  }
  const spline = Number.isFinite(u.splinePosition) ? u.splinePosition : undefined;
  return {
    sessionId: ctx.sessionId,
    source: Source.SOURCE_ACC,
    carId: String(u.carIndex),
    driverName: driverName(car, u.driverIndex),
    // ACC identifies models by number only (the SDK has no names); the number is the model.
    carModel: car ? String(car.carModelType) : '',
    track: track.name,
    sequence: ctx.sequence,
    sourceTimeUs: ctx.receivedAtUs,
    ingestTimeUs: ctx.receivedAtUs,
    sessionTimeS: realtime && Number.isFinite(realtime.sessionTimeMs) ? realtime.sessionTimeMs / 1000 : undefined,
    // `laps` is completed laps; the frame counts the lap being driven from 1.
    lap: u.laps + 1,
    normalizedPosition: spline,
    lapDistanceM: spline !== undefined && track.meters > 0 ? spline * track.meters : undefined,
    racePosition: u.position > 0 ? u.position : undefined,
    currentLapTimeMs: nonNegative(u.currentLap.laptimeMs),
    lastLapTimeMs: nonNegative(u.lastLap.laptimeMs),
    inPit: IN_PIT.has(u.carLocation),
    lapInvalid: u.currentLap.isInvalid,
    speedKmh: u.kmh,
    gear: u.gear,
    // ACC gives the car's position on the ground plane only; there is no height (z stays 0).
    worldPositionM: { x: u.worldPosX, y: u.worldPosY },
    yawRad: u.yaw,
    extras,
  };
}
