// Public encode/decode per struct. Decoders never throw: a datagram is accepted only at its
// struct's exact size, so every field read is in bounds.
import { AcEncodeError, type Layout } from './layout';
import {
  AcOperation,
  carInfoLayout,
  handshakeResponseLayout,
  handshakerLayout,
  lapLayout,
  rawFromGear,
  type Handshaker,
  type HandshakeResponse,
  type RTCarInfo,
  type RTLap,
} from './messages';

export type AcDecodeFailureReason = 'unexpected_length' | 'bad_identifier' | 'unknown_operation';
export type AcDecodeFailure = { ok: false; reason: AcDecodeFailureReason; detail: string };
export type AcDecodeResult<T> = { ok: true; value: T } | AcDecodeFailure;

const CAR_INFO_IDENTIFIER = 'a';

function view(datagram: Uint8Array): Buffer {
  return Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
}

function readExact<T>(l: Layout<T>, datagram: Uint8Array): AcDecodeResult<T> {
  if (datagram.length !== l.size) {
    return { ok: false, reason: 'unexpected_length', detail: `${l.name} is ${l.size} bytes, got ${datagram.length}` };
  }
  return { ok: true, value: l.read(view(datagram)) };
}

/** Game side: a client's 12-byte handshaker with a known operation. */
export function decodeHandshaker(datagram: Uint8Array): AcDecodeResult<Handshaker> {
  const result = readExact(handshakerLayout, datagram);
  if (result.ok && !Object.values<number>(AcOperation).includes(result.value.operationId)) {
    return { ok: false, reason: 'unknown_operation', detail: `handshaker operationId ${result.value.operationId} is not 0..3` };
  }
  return result;
}

export const encodeHandshaker = (handshaker: Handshaker): Buffer => handshakerLayout.write(handshaker);

export const decodeHandshakeResponse = (datagram: Uint8Array): AcDecodeResult<HandshakeResponse> =>
  readExact(handshakeResponseLayout, datagram);

/** Throws {@link AcEncodeError} for a name over 50 UTF-16 units or containing '%' or NUL. */
export const encodeHandshakeResponse = (response: HandshakeResponse): Buffer => handshakeResponseLayout.write(response);

export function decodeCarInfo(datagram: Uint8Array): AcDecodeResult<RTCarInfo> {
  const result = readExact(carInfoLayout, datagram);
  if (!result.ok) return result;
  const info = result.value;
  if (info.identifier !== CAR_INFO_IDENTIFIER) {
    return { ok: false, reason: 'bad_identifier', detail: `RTCarInfo identifier is ${JSON.stringify(info.identifier)}, expected 'a'` };
  }
  return { ok: true, value: { ...info, gearRaw: rawFromGear(info.gear) } };
}

/** `gearRaw` may be left out; if given it must agree with `gear`. Padding is written as zero. */
export function encodeCarInfo(info: Omit<RTCarInfo, 'gearRaw'> & { gearRaw?: number }): Buffer {
  if (info.gearRaw !== undefined && info.gearRaw !== rawFromGear(info.gear)) {
    throw new AcEncodeError('gearRaw', `${info.gearRaw} disagrees with gear ${info.gear} (raw = gear + 1)`);
  }
  return carInfoLayout.write(info);
}

export const decodeLap = (datagram: Uint8Array): AcDecodeResult<RTLap> => readExact(lapLayout, datagram);
export const encodeLap = (lap: RTLap): Buffer => lapLayout.write(lap);

export type AcGameDatagram =
  | { ok: true; kind: 'handshakeResponse'; value: HandshakeResponse }
  | { ok: true; kind: 'carInfo'; value: RTCarInfo }
  | { ok: true; kind: 'lap'; value: RTLap }
  | AcDecodeFailure;

/** Client side: tells the game's three replies apart by their sizes (408, 328, 212). Never throws. */
export function classifyDatagram(datagram: Uint8Array): AcGameDatagram {
  switch (datagram.length) {
    case handshakeResponseLayout.size:
      return tag('handshakeResponse', decodeHandshakeResponse(datagram));
    case carInfoLayout.size:
      return tag('carInfo', decodeCarInfo(datagram));
    case lapLayout.size:
      return tag('lap', decodeLap(datagram));
    default:
      return {
        ok: false,
        reason: 'unexpected_length',
        detail: `${datagram.length} bytes is none of handshake response (408), RTCarInfo (328), RTLap (212)`,
      };
  }
}

function tag<K extends string, T>(kind: K, result: AcDecodeResult<T>): { ok: true; kind: K; value: T } | AcDecodeFailure {
  return result.ok ? { ok: true, kind, value: result.value } : result;
}
