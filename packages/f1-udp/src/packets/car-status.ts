import { MAX_CARS, PacketId } from '../formats';
import { array, f32, i8, literal, struct, u16, u8, type ValueOf } from '../layout';

export const carStatusLayout = struct({
  tractionControl: u8,
  antiLockBrakes: u8,
  fuelMix: u8,
  frontBrakeBias: u8,
  pitLimiterStatus: u8,
  fuelInTank: f32,
  fuelCapacity: f32,
  fuelRemainingLaps: f32,
  maxRPM: u16,
  idleRPM: u16,
  maxGears: u8,
  drsAllowed: u8,
  drsActivationDistance: u16,
  actualTyreCompound: u8,
  visualTyreCompound: u8,
  tyresAgeLaps: u8,
  /** -1 invalid/unknown, 0 none, 1 green, 2 blue, 3 yellow. */
  vehicleFiaFlags: i8,
  enginePowerICE: f32,
  enginePowerMGUK: f32,
  ersStoreEnergy: f32,
  ersDeployMode: u8,
  ersHarvestedThisLapMGUK: f32,
  ersHarvestedThisLapMGUH: f32,
  ersDeployedThisLap: f32,
  networkPaused: u8,
});
export type CarStatusData = ValueOf<typeof carStatusLayout>;

/** Car status (7): unchanged from F1 23 to F1 25. */
export const carStatusPacketLayout = struct({
  id: literal(PacketId.CarStatus),
  carStatusData: array(carStatusLayout, MAX_CARS),
});
export type CarStatusPacket = ValueOf<typeof carStatusPacketLayout>;
