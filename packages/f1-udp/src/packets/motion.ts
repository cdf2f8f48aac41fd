import { PacketId, MAX_CARS } from '../formats';
import { array, f32, i16, literal, struct, type ValueOf } from '../layout';

export const carMotionLayout = struct({
  worldPositionX: f32,
  worldPositionY: f32,
  worldPositionZ: f32,
  worldVelocityX: f32,
  worldVelocityY: f32,
  worldVelocityZ: f32,
  /** Normalised direction vectors as int16: divide by 32767 for -1..1. */
  worldForwardDirX: i16,
  worldForwardDirY: i16,
  worldForwardDirZ: i16,
  worldRightDirX: i16,
  worldRightDirY: i16,
  worldRightDirZ: i16,
  gForceLateral: f32,
  gForceLongitudinal: f32,
  gForceVertical: f32,
  yaw: f32,
  pitch: f32,
  roll: f32,
});
export type CarMotionData = ValueOf<typeof carMotionLayout>;

/** Motion (0): unchanged from F1 23 to F1 25. */
export const motionLayout = struct({
  id: literal(PacketId.Motion),
  carMotionData: array(carMotionLayout, MAX_CARS),
});
export type MotionPacket = ValueOf<typeof motionLayout>;
