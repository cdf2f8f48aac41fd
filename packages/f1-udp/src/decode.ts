import { HEADER_SIZE, PACKET_NAMES, formatSupported, type PacketFormat, type PacketId } from './formats';
import { headerCodec, type PacketHeader } from './header';
import { bodyCodec, type Packet } from './packets';
import { EventCodec } from './packets/event';

export type DecodeFailureReason =
  /** Shorter than the 29-byte header. */
  | 'too_short'
  /** packetFormat is not 2023, 2024 or 2025. */
  | 'unknown_format'
  /** No packet with this id in this format. */
  | 'unknown_packet_id'
  /** The datagram is not exactly the spec's size for its format and id. */
  | 'length_mismatch'
  /** An event packet whose 4-letter code this format does not define. */
  | 'unknown_event_code';

export const DECODE_FAILURE_REASONS: readonly DecodeFailureReason[] = [
  'too_short',
  'unknown_format',
  'unknown_packet_id',
  'length_mismatch',
  'unknown_event_code',
];

export interface DecodedHeader extends PacketHeader {
  packetFormat: PacketFormat;
}

export interface DecodeSuccess {
  ok: true;
  header: DecodedHeader;
  packet: Packet;
}

export interface DecodeFailure {
  ok: false;
  reason: DecodeFailureReason;
  /** For people: what was expected and what arrived. */
  detail: string;
  packetFormat?: number;
  packetId?: number;
}

export type DecodeResult = DecodeSuccess | DecodeFailure;

function failure(reason: DecodeFailureReason, detail: string, packetFormat?: number, packetId?: number): DecodeFailure {
  return { ok: false, reason, detail, packetFormat, packetId };
}

/**
 * Decodes one datagram. Never throws: every malformed input maps to a failure reason. The exact
 * length check against the spec's table is what makes every later read in bounds.
 */
export function decodePacket(buf: Buffer): DecodeResult {
  if (buf.length < HEADER_SIZE) {
    return failure('too_short', `${buf.length} bytes, the header alone is ${HEADER_SIZE}`);
  }
  const packetFormat = buf.readUInt16LE(0);
  const packetId = buf.readUInt8(6);
  if (!formatSupported(packetFormat)) {
    return failure('unknown_format', `packetFormat ${packetFormat} is not 2023, 2024 or 2025`, packetFormat, packetId);
  }
  const body = bodyCodec(packetFormat, packetId);
  if (!body) {
    return failure('unknown_packet_id', `no packet id ${packetId} in format ${packetFormat}`, packetFormat, packetId);
  }
  const expected = HEADER_SIZE + body.size;
  if (buf.length !== expected) {
    const name = PACKET_NAMES[packetId as PacketId];
    return failure('length_mismatch', `${name} (id ${packetId}) in format ${packetFormat} is ${expected} bytes, got ${buf.length}`, packetFormat, packetId);
  }
  if (body instanceof EventCodec && !body.knows(EventCodec.codeAt(buf, HEADER_SIZE))) {
    const code = JSON.stringify(EventCodec.codeAt(buf, HEADER_SIZE));
    return failure('unknown_event_code', `event code ${code} does not exist in format ${packetFormat}`, packetFormat, packetId);
  }
  return { ok: true, header: headerCodec.read(buf, 0) as DecodedHeader, packet: body.read(buf, HEADER_SIZE) };
}
