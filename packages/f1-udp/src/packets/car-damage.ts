import { MAX_CARS, PacketId } from '../formats';
import { array, f32, literal, since, struct, u8, type ValueOf } from '../layout';

/** Percentages unless noted; wheel arrays RL, RR, FL, FR. */
export const carDamageLayout = struct({
  tyresWear: array(f32, 4),
  tyresDamage: array(u8, 4),
  brakesDamage: array(u8, 4),
  tyreBlisters: since(2025, array(u8, 4)),
  frontLeftWingDamage: u8,
  frontRightWingDamage: u8,
  rearWingDamage: u8,
  floorDamage: u8,
  diffuserDamage: u8,
  sidepodDamage: u8,
  /** 0 OK, 1 fault. */
  drsFault: u8,
  ersFault: u8,
  gearBoxDamage: u8,
  engineDamage: u8,
  engineMGUHWear: u8,
  engineESWear: u8,
  engineCEWear: u8,
  engineICEWear: u8,
  engineMGUKWear: u8,
  engineTCWear: u8,
  engineBlown: u8,
  engineSeized: u8,
});
export type CarDamageData = ValueOf<typeof carDamageLayout>;

/** Car damage (10): F1 25 inserts tyreBlisters, moving every later field 4 bytes. */
export const carDamagePacketLayout = struct({
  id: literal(PacketId.CarDamage),
  carDamageData: array(carDamageLayout, MAX_CARS),
});
export type CarDamagePacket = ValueOf<typeof carDamagePacketLayout>;
