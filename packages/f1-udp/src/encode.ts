import { HEADER_SIZE, formatSupported, type PacketFormat, type PacketId } from './formats';
import { headerCodec, type PacketHeader } from './header';
import { EncodeError } from './layout';
import { bodyCodec, type Packet, type PacketById } from './packets';

/** The header fields a sender chooses; packetFormat and packetId follow from the call. */
export type HeaderFields = Omit<PacketHeader, 'packetFormat' | 'packetId'>;

/**
 * Encodes one datagram of `format`: the header, then every field of `packet` at its spec offset.
 * Fields that exist in `format` must be present; fields of other formats are ignored. Throws an
 * EncodeError naming the field path when the packet does not fit the format.
 */
export function encodePacket(format: PacketFormat, header: HeaderFields, packet: Packet): Buffer {
  if (!formatSupported(format)) throw new EncodeError(`packet format ${String(format)} is not supported`);
  const body = bodyCodec(format, packet.id);
  if (!body) throw new EncodeError(`no packet id ${packet.id} in format ${format}`, ['id']);
  const buf = Buffer.alloc(HEADER_SIZE + body.size);
  try {
    headerCodec.write(buf, 0, { ...header, packetFormat: format, packetId: packet.id });
  } catch (err) {
    throw EncodeError.within('header', err);
  }
  body.write(buf, HEADER_SIZE, packet);
  return buf;
}

/**
 * A packet of `format` with every field zero (names empty), for a sender to fill in: the 22-car
 * arrays and the fields of the format are all there. Events have no zero value (their code picks
 * the layout), so they are built directly.
 */
export function blankPacket<I extends Exclude<PacketId, typeof PacketId.Event>>(format: PacketFormat, packetId: I): PacketById<I> {
  const body = bodyCodec(format, packetId);
  if (!body) throw new EncodeError(`no packet id ${packetId} in format ${format}`);
  return body.read(Buffer.alloc(body.size), 0) as PacketById<I>;
}
