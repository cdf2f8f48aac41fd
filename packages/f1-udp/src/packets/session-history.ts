import { PacketId } from '../formats';
import { array, literal, minutesMs, struct, u32, u8, type ValueOf } from '../layout';

export const lapHistoryLayout = struct({
  lapTimeInMS: u32,
  /** Whole sector times in ms (minutes part × 60000 + ms part). */
  sector1TimeMS: minutesMs,
  sector2TimeMS: minutesMs,
  sector3TimeMS: minutesMs,
  /** 0x01 lap valid, 0x02 sector 1, 0x04 sector 2, 0x08 sector 3. */
  lapValidBitFlags: u8,
});
export type LapHistoryData = ValueOf<typeof lapHistoryLayout>;

export const tyreStintHistoryLayout = struct({
  /** 255 for the current tyre. */
  endLap: u8,
  tyreActualCompound: u8,
  tyreVisualCompound: u8,
});
export type TyreStintHistoryData = ValueOf<typeof tyreStintHistoryLayout>;

/** Session history (11): one car per packet, cycling. Unchanged from F1 23 to F1 25. */
export const sessionHistoryLayout = struct({
  id: literal(PacketId.SessionHistory),
  carIdx: u8,
  numLaps: u8,
  numTyreStints: u8,
  bestLapTimeLapNum: u8,
  bestSector1LapNum: u8,
  bestSector2LapNum: u8,
  bestSector3LapNum: u8,
  lapHistoryData: array(lapHistoryLayout, 100),
  tyreStintsHistoryData: array(tyreStintHistoryLayout, 8),
});
export type SessionHistoryPacket = ValueOf<typeof sessionHistoryLayout>;
