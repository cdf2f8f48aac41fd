import { PacketId } from '../formats';
import { array, f32, literal, sinceAll, struct, type ValueOf } from '../layout';

const wheels = array(f32, 4);

/** Motion ex (13): player car only; grows in F1 24 and again in F1 25. Wheel order RL RR FL FR. */
export const motionExLayout = struct({
  id: literal(PacketId.MotionEx),
  suspensionPosition: wheels,
  suspensionVelocity: wheels,
  suspensionAcceleration: wheels,
  wheelSpeed: wheels,
  wheelSlipRatio: wheels,
  wheelSlipAngle: wheels,
  wheelLatForce: wheels,
  wheelLongForce: wheels,
  heightOfCOGAboveGround: f32,
  localVelocityX: f32,
  localVelocityY: f32,
  localVelocityZ: f32,
  angularVelocityX: f32,
  angularVelocityY: f32,
  angularVelocityZ: f32,
  angularAccelerationX: f32,
  angularAccelerationY: f32,
  angularAccelerationZ: f32,
  frontWheelsAngle: f32,
  wheelVertForce: wheels,
  ...sinceAll(2024, {
    frontAeroHeight: f32,
    rearAeroHeight: f32,
    frontRollAngle: f32,
    rearRollAngle: f32,
    chassisYaw: f32,
  }),
  ...sinceAll(2025, {
    chassisPitch: f32,
    wheelCamber: wheels,
    wheelCamberGain: wheels,
  }),
});
export type MotionExPacket = ValueOf<typeof motionExLayout>;
