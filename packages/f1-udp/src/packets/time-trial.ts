import { PacketId } from '../formats';
import { literal, struct, u32, u8, type ValueOf } from '../layout';

export const timeTrialDataSetLayout = struct({
  carIdx: u8,
  teamId: u8,
  lapTimeInMS: u32,
  sector1TimeInMS: u32,
  sector2TimeInMS: u32,
  sector3TimeInMS: u32,
  tractionControl: u8,
  gearboxAssist: u8,
  antiLockBrakes: u8,
  equalCarPerformance: u8,
  customSetup: u8,
  valid: u8,
});
export type TimeTrialDataSet = ValueOf<typeof timeTrialDataSetLayout>;

/** Time trial (14): F1 24 and later. */
export const timeTrialLayout = struct({
  id: literal(PacketId.TimeTrial),
  playerSessionBestDataSet: timeTrialDataSetLayout,
  personalBestDataSet: timeTrialDataSetLayout,
  rivalDataSet: timeTrialDataSetLayout,
});
export type TimeTrialPacket = ValueOf<typeof timeTrialLayout>;
