// Datagram = message type byte + body. One generic encoder/decoder per direction, driven by the
// tables in messages.ts.
import { EncodeError, Reader, Writer, MAX_DATAGRAM_BYTES } from './binary';
import type { Codec, CodecValue } from './codec';
import { inboundMessages, outboundMessages } from './messages';

type MessageTable = Record<string, { readonly id: number; readonly body: Codec<unknown> }>;

/** The union of `{ type: name } & body` over a table. */
export type MessageOf<T extends MessageTable> = {
  [K in keyof T & string]: { type: K } & CodecValue<T[K]['body']>;
}[keyof T & string];

export type DecodeFailureReason = 'empty' | 'unknown_type' | 'truncated';

export type DecodeResult<M> =
  | {
      ok: true;
      message: M;
      /** Bytes after the message; the SDK ignores them (a newer game may append fields). */
      trailingBytes: number;
    }
  | { ok: false; reason: DecodeFailureReason; detail: string };

export interface Direction<M extends { type: string }> {
  /** Never throws: a datagram that is not a whole known message gives `ok: false`. */
  decode(datagram: Uint8Array): DecodeResult<M>;
  /** Throws {@link EncodeError} for a value the wire cannot carry (out of range, too long). */
  encode(message: M): Buffer;
  /** Message type byte → name. */
  readonly names: ReadonlyMap<number, M['type']>;
}

function direction<T extends MessageTable>(label: string, table: T): Direction<MessageOf<T>> {
  type M = MessageOf<T>;
  const byId = new Map(Object.entries(table).map(([name, d]) => [d.id, name as M['type']]));
  const bodyOf = (name: string): Codec<unknown> | undefined =>
    Object.hasOwn(table, name) ? (table[name]!.body as Codec<unknown>) : undefined;

  return {
    names: byId,
    decode(datagram) {
      if (datagram.length === 0) return { ok: false, reason: 'empty', detail: `${label}: empty datagram` };
      const buf = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
      const type = byId.get(buf[0]!);
      if (type === undefined) {
        return { ok: false, reason: 'unknown_type', detail: `${label}: unknown message type ${buf[0]}` };
      }
      const reader = new Reader(buf.subarray(1));
      const body = bodyOf(type)!.read(reader) as object;
      const failure = reader.failure;
      if (failure) {
        return {
          ok: false,
          reason: 'truncated',
          detail:
            `${label} ${type} (${buf.length} bytes): ${failure.field} needs ${failure.wanted} bytes ` +
            `at offset ${failure.offset + 1}, ${failure.available} left`,
        };
      }
      return { ok: true, message: { type, ...body } as M, trailingBytes: reader.remaining };
    },
    encode(message) {
      const type = (message as { type?: unknown }).type;
      const body = typeof type === 'string' ? bodyOf(type) : undefined;
      if (!body) throw new EncodeError('type', `${label}: unknown message type ${String(type)}`);
      const writer = new Writer(MAX_DATAGRAM_BYTES);
      writer.u8(table[type as string]!.id, 'type');
      body.write(writer, message, '');
      return writer.finish();
    },
  };
}

export type InboundMessage = MessageOf<typeof inboundMessages>;
export type OutboundMessage = MessageOf<typeof outboundMessages>;
export type InboundType = InboundMessage['type'];
export type OutboundType = OutboundMessage['type'];
export type Inbound<K extends InboundType> = Extract<InboundMessage, { type: K }>;
export type Outbound<K extends OutboundType> = Extract<OutboundMessage, { type: K }>;

/** Game → client messages (the collector decodes, the simulator encodes). */
export const inbound: Direction<InboundMessage> = direction('inbound', inboundMessages);
/** Client → game messages (the collector encodes, the simulator decodes). */
export const outbound: Direction<OutboundMessage> = direction('outbound', outboundMessages);

export const decodeInbound = (datagram: Uint8Array): DecodeResult<InboundMessage> => inbound.decode(datagram);
export const encodeInbound = (message: InboundMessage): Buffer => inbound.encode(message);
export const decodeOutbound = (datagram: Uint8Array): DecodeResult<OutboundMessage> => outbound.decode(datagram);
export const encodeOutbound = (message: OutboundMessage): Buffer => outbound.encode(message);
