import { MAX_CARS, PacketId } from '../formats';
import { array, byFormat, literal, since, sinceAll, struct, u16, u8, utf8, type ValueOf } from '../layout';

export const liveryColourLayout = struct({ red: u8, green: u8, blue: u8 });

/** F1 24 inserts techLevel; F1 25 shrinks the name from 48 to 32 bytes and appends livery colours. */
export const participantLayout = struct({
  aiControlled: u8,
  /** 255 if network human. */
  driverId: u8,
  networkId: u8,
  teamId: u8,
  myTeam: u8,
  raceNumber: u8,
  nationality: u8,
  /** UTF-8, NUL-terminated in the datagram. */
  name: byFormat((format) => utf8(format >= 2025 ? 32 : 48)),
  yourTelemetry: u8,
  showOnlineNames: u8,
  /** F1 World tech level, little-endian like everything else. */
  techLevel: since(2024, u16),
  platform: u8,
  ...sinceAll(2025, {
    numColours: u8,
    liveryColours: array(liveryColourLayout, 4),
  }),
});
export type ParticipantData = ValueOf<typeof participantLayout>;

/** Participants (4). */
export const participantsLayout = struct({
  id: literal(PacketId.Participants),
  numActiveCars: u8,
  participants: array(participantLayout, MAX_CARS),
});
export type ParticipantsPacket = ValueOf<typeof participantsLayout>;
