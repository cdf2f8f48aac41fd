import { MAX_CARS, PacketId } from '../formats';
import { array, f64, literal, since, struct, u32, u8, type ValueOf } from '../layout';

const stints = array(u8, 8);

export const finalClassificationLayout = struct({
  position: u8,
  numLaps: u8,
  gridPosition: u8,
  points: u8,
  numPitStops: u8,
  resultStatus: u8,
  resultReason: since(2025, u8),
  bestLapTimeInMS: u32,
  /** Seconds, without penalties; a double. */
  totalRaceTime: f64,
  penaltiesTime: u8,
  numPenalties: u8,
  numTyreStints: u8,
  tyreStintsActual: stints,
  tyreStintsVisual: stints,
  tyreStintsEndLaps: stints,
});
export type FinalClassificationData = ValueOf<typeof finalClassificationLayout>;

/** Final classification (8): F1 25 adds resultReason. */
export const finalClassificationPacketLayout = struct({
  id: literal(PacketId.FinalClassification),
  numCars: u8,
  classificationData: array(finalClassificationLayout, MAX_CARS),
});
export type FinalClassificationPacket = ValueOf<typeof finalClassificationPacketLayout>;
