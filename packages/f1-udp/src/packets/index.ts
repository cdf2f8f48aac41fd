import { HEADER_SIZE, PACKET_FORMATS, PACKET_NAMES, packetSize, type PacketFormat, type PacketId } from '../formats';
import { since, type Codec, type Layout } from '../layout';
import { carDamagePacketLayout, type CarDamagePacket } from './car-damage';
import { carSetupsLayout, type CarSetupsPacket } from './car-setups';
import { carStatusPacketLayout, type CarStatusPacket } from './car-status';
import { carTelemetryPacketLayout, type CarTelemetryPacket } from './car-telemetry';
import { eventLayout, type EventPacket } from './event';
import { finalClassificationPacketLayout, type FinalClassificationPacket } from './final-classification';
import { lapDataPacketLayout, type LapDataPacket } from './lap-data';
import { lapPositionsLayout, type LapPositionsPacket } from './lap-positions';
import { lobbyInfoPacketLayout, type LobbyInfoPacket } from './lobby-info';
import { motionLayout, type MotionPacket } from './motion';
import { motionExLayout, type MotionExPacket } from './motion-ex';
import { participantsLayout, type ParticipantsPacket } from './participants';
import { sessionLayout, type SessionPacket } from './session';
import { sessionHistoryLayout, type SessionHistoryPacket } from './session-history';
import { timeTrialLayout, type TimeTrialPacket } from './time-trial';
import { tyreSetsLayout, type TyreSetsPacket } from './tyre-sets';

/** A decoded packet body, discriminated by `id` (the header's packetId). */
export type Packet =
  | MotionPacket
  | SessionPacket
  | LapDataPacket
  | EventPacket
  | ParticipantsPacket
  | CarSetupsPacket
  | CarTelemetryPacket
  | CarStatusPacket
  | FinalClassificationPacket
  | LobbyInfoPacket
  | CarDamagePacket
  | SessionHistoryPacket
  | TyreSetsPacket
  | MotionExPacket
  | TimeTrialPacket
  | LapPositionsPacket;

export type PacketById<I extends PacketId> = Extract<Packet, { id: I }>;

/** Packet bodies (after the header) by id; a packet a format lacks resolves to no codec. */
const PACKET_LAYOUTS: { readonly [I in PacketId]: Layout<PacketById<I>> } = {
  0: motionLayout,
  1: sessionLayout,
  2: lapDataPacketLayout,
  3: eventLayout,
  4: participantsLayout,
  5: carSetupsLayout,
  6: carTelemetryPacketLayout,
  7: carStatusPacketLayout,
  8: finalClassificationPacketLayout,
  9: lobbyInfoPacketLayout,
  10: carDamagePacketLayout,
  11: sessionHistoryLayout,
  12: tyreSetsLayout,
  13: motionExLayout,
  14: since(2024, timeTrialLayout),
  15: since(2025, lapPositionsLayout),
};

/**
 * Body codecs by format and packet id, resolved once. Each layout is checked against the spec's
 * size table here, so a transcription slip fails at import instead of misreading live data.
 */
const BODY_CODECS: ReadonlyMap<PacketFormat, readonly (Codec<Packet> | undefined)[]> = new Map(
  PACKET_FORMATS.map((format) => {
    const codecs: (Codec<Packet> | undefined)[] = [];
    for (const [key, layout] of Object.entries(PACKET_LAYOUTS)) {
      const id = Number(key) as PacketId;
      const codec = (layout as Layout<Packet>).forFormat(format);
      const expected = packetSize(format, id);
      const actual = codec && codec.size + HEADER_SIZE;
      if (actual !== expected) {
        throw new Error(`f1-udp: ${PACKET_NAMES[id]} layout is ${actual ?? 'absent'} for format ${format}, the spec says ${expected ?? 'absent'}`);
      }
      codecs[id] = codec;
    }
    return [format, codecs] as const;
  }),
);

/** The body codec (everything after the 29-byte header) of `packetId` in `format`, if it exists. */
export function bodyCodec(format: PacketFormat, packetId: number): Codec<Packet> | undefined {
  return BODY_CODECS.get(format)![packetId];
}
