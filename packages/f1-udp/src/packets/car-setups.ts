import { MAX_CARS, PacketId } from '../formats';
import { array, f32, literal, since, struct, u8, type ValueOf } from '../layout';

export const carSetupLayout = struct({
  frontWing: u8,
  rearWing: u8,
  onThrottle: u8,
  offThrottle: u8,
  frontCamber: f32,
  rearCamber: f32,
  frontToe: f32,
  rearToe: f32,
  frontSuspension: u8,
  rearSuspension: u8,
  frontAntiRollBar: u8,
  rearAntiRollBar: u8,
  frontSuspensionHeight: u8,
  rearSuspensionHeight: u8,
  brakePressure: u8,
  brakeBias: u8,
  engineBraking: since(2024, u8),
  rearLeftTyrePressure: f32,
  rearRightTyrePressure: f32,
  frontLeftTyrePressure: f32,
  frontRightTyrePressure: f32,
  ballast: u8,
  fuelLoad: f32,
});
export type CarSetupData = ValueOf<typeof carSetupLayout>;

/** Car setups (5): F1 24 adds engineBraking and the trailing nextFrontWingValue. */
export const carSetupsLayout = struct({
  id: literal(PacketId.CarSetups),
  carSetups: array(carSetupLayout, MAX_CARS),
  nextFrontWingValue: since(2024, f32),
});
export type CarSetupsPacket = ValueOf<typeof carSetupsLayout>;
