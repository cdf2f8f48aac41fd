import { MAX_CARS, PacketId } from '../formats';
import { array, f32, i8, literal, struct, u16, u8, type ValueOf } from '../layout';

/** Wheel arrays are RL, RR, FL, FR. */
export const carTelemetryLayout = struct({
  /** km/h */
  speed: u16,
  throttle: f32,
  steer: f32,
  brake: f32,
  clutch: u8,
  /** -1 reverse, 0 neutral, 1..8. */
  gear: i8,
  engineRPM: u16,
  drs: u8,
  revLightsPercent: u8,
  revLightsBitValue: u16,
  brakesTemperature: array(u16, 4),
  tyresSurfaceTemperature: array(u8, 4),
  tyresInnerTemperature: array(u8, 4),
  engineTemperature: u16,
  /** PSI */
  tyresPressure: array(f32, 4),
  surfaceType: array(u8, 4),
});
export type CarTelemetryData = ValueOf<typeof carTelemetryLayout>;

/** Car telemetry (6): unchanged from F1 23 to F1 25. */
export const carTelemetryPacketLayout = struct({
  id: literal(PacketId.CarTelemetry),
  carTelemetryData: array(carTelemetryLayout, MAX_CARS),
  /** 255 = MFD closed. */
  mfdPanelIndex: u8,
  mfdPanelIndexSecondaryPlayer: u8,
  /** 0 if none suggested. */
  suggestedGear: i8,
});
export type CarTelemetryPacket = ValueOf<typeof carTelemetryPacketLayout>;
