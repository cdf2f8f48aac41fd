import { MAX_CARS, PacketId } from '../formats';
import { array, byFormat, f32, literal, minutesMs, sinceAll, struct, u16, u32, u8, type ValueOf } from '../layout';

/** F1 23 sends the deltas as plain uint16 ms; F1 24 adds a minutes byte after each. */
const delta = byFormat((format) => (format >= 2024 ? minutesMs : u16));

export const lapDataLayout = struct({
  lastLapTimeInMS: u32,
  currentLapTimeInMS: u32,
  /** Whole sector time in ms (minutes part × 60000 + ms part). */
  sector1TimeMS: minutesMs,
  sector2TimeMS: minutesMs,
  deltaToCarInFrontMS: delta,
  deltaToRaceLeaderMS: delta,
  /** Metres; negative before the line is first crossed. */
  lapDistance: f32,
  totalDistance: f32,
  safetyCarDelta: f32,
  carPosition: u8,
  currentLapNum: u8,
  pitStatus: u8,
  numPitStops: u8,
  sector: u8,
  currentLapInvalid: u8,
  penalties: u8,
  totalWarnings: u8,
  cornerCuttingWarnings: u8,
  numUnservedDriveThroughPens: u8,
  numUnservedStopGoPens: u8,
  gridPosition: u8,
  driverStatus: u8,
  resultStatus: u8,
  pitLaneTimerActive: u8,
  pitLaneTimeInLaneInMS: u16,
  pitStopTimerInMS: u16,
  pitStopShouldServePen: u8,
  ...sinceAll(2024, {
    speedTrapFastestSpeed: f32,
    /** 255 = not set. */
    speedTrapFastestLap: u8,
  }),
});
export type LapData = ValueOf<typeof lapDataLayout>;

/** Lap data (2): 50 bytes a car in F1 23, 57 from F1 24. */
export const lapDataPacketLayout = struct({
  id: literal(PacketId.LapData),
  lapData: array(lapDataLayout, MAX_CARS),
  timeTrialPBCarIdx: u8,
  timeTrialRivalCarIdx: u8,
});
export type LapDataPacket = ValueOf<typeof lapDataPacketLayout>;
