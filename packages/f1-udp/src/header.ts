import { f32, struct, u16, u32, u64, u8, type ValueOf } from './layout';

/** `PacketHeader`, 29 bytes, identical in F1 23, 24 and 25. */
export const headerLayout = struct({
  packetFormat: u16,
  gameYear: u8,
  gameMajorVersion: u8,
  gameMinorVersion: u8,
  packetVersion: u8,
  packetId: u8,
  /** Above 2^63 in real sessions, hence BigInt. 0 in menu packets. */
  sessionUID: u64,
  sessionTime: f32,
  frameIdentifier: u32,
  /** Does not go back after flashbacks. */
  overallFrameIdentifier: u32,
  playerCarIndex: u8,
  /** 255 if no second player. */
  secondaryPlayerCarIndex: u8,
});
export const headerCodec = headerLayout.forFormat(2023);

export type PacketHeader = ValueOf<typeof headerLayout>;

/**
 * Packets sent while the player is in the menus carry a zeroed header (session UID 0, in F1 23
 * even game year 0). They decode normally; they just do not belong to a session.
 */
export function isMenuHeader(header: PacketHeader): boolean {
  return header.sessionUID === 0n;
}
