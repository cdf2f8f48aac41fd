import { MAX_CARS, PacketId } from '../formats';
import { array, literal, struct, u8, type ValueOf } from '../layout';

/** Lap positions (15): F1 25 only. positionForVehicleIdx[lap][vehicle], 0 if no record. */
export const lapPositionsLayout = struct({
  id: literal(PacketId.LapPositions),
  numLaps: u8,
  /** 0-indexed lap where the data starts. */
  lapStart: u8,
  positionForVehicleIdx: array(array(u8, MAX_CARS), 50),
});
export type LapPositionsPacket = ValueOf<typeof lapPositionsLayout>;
