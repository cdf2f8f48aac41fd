import { MAX_CARS, PacketId } from '../formats';
import { array, byFormat, literal, sinceAll, struct, u16, u8, utf8, type ValueOf } from '../layout';

export const lobbyInfoLayout = struct({
  aiControlled: u8,
  /** 255 if no team selected. */
  teamId: u8,
  nationality: u8,
  platform: u8,
  name: byFormat((format) => utf8(format >= 2025 ? 32 : 48)),
  carNumber: u8,
  ...sinceAll(2024, {
    yourTelemetry: u8,
    showOnlineNames: u8,
    techLevel: u16,
  }),
  /** 0 not ready, 1 ready, 2 spectating. */
  readyStatus: u8,
});
export type LobbyInfoData = ValueOf<typeof lobbyInfoLayout>;

/** Lobby info (9): F1 24 adds three fields, F1 25 shrinks the name to 32 bytes. */
export const lobbyInfoPacketLayout = struct({
  id: literal(PacketId.LobbyInfo),
  numPlayers: u8,
  lobbyPlayers: array(lobbyInfoLayout, MAX_CARS),
});
export type LobbyInfoPacket = ValueOf<typeof lobbyInfoPacketLayout>;
