import { PacketId } from '../formats';
import { array, i16, literal, struct, u8, type ValueOf } from '../layout';

export const tyreSetLayout = struct({
  actualTyreCompound: u8,
  visualTyreCompound: u8,
  wear: u8,
  available: u8,
  recommendedSession: u8,
  lifeSpan: u8,
  usableLife: u8,
  /** ms compared to the fitted set; signed. */
  lapDeltaTime: i16,
  fitted: u8,
});
export type TyreSetData = ValueOf<typeof tyreSetLayout>;

/** Tyre sets (12): 13 dry + 7 wet sets of one car. Unchanged from F1 23 to F1 25. */
export const tyreSetsLayout = struct({
  id: literal(PacketId.TyreSets),
  carIdx: u8,
  tyreSetData: array(tyreSetLayout, 20),
  fittedIdx: u8,
});
export type TyreSetsPacket = ValueOf<typeof tyreSetsLayout>;
