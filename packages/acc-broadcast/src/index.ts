export { MAX_DATAGRAM_BYTES, EncodeError, Reader, Writer, type ReadFailure } from './binary';
export { INT32_MAX } from './codec';
export {
  BroadcastingEventType,
  CarLocation,
  CupCategory,
  DriverCategory,
  Nationality,
  SessionPhase,
  SessionType,
  enumName,
} from './enums';
export { BROADCASTING_PROTOCOL_VERSION, inboundMessages, outboundMessages } from './messages';
export {
  decodeInbound,
  decodeOutbound,
  encodeInbound,
  encodeOutbound,
  inbound,
  outbound,
  type DecodeFailureReason,
  type DecodeResult,
  type Direction,
  type Inbound,
  type InboundMessage,
  type InboundType,
  type Outbound,
  type OutboundMessage,
  type OutboundType,
} from './protocol';

import type { CodecValue } from './codec';
import type { lapRecord } from './messages';
import type { Inbound, Outbound } from './protocol';

export type LapRecord = CodecValue<typeof lapRecord>;
export type RegistrationResult = Inbound<'REGISTRATION_RESULT'>;
export type RealtimeUpdate = Inbound<'REALTIME_UPDATE'>;
export type RealtimeCarUpdate = Inbound<'REALTIME_CAR_UPDATE'>;
export type EntryList = Inbound<'ENTRY_LIST'>;
export type TrackData = Inbound<'TRACK_DATA'>;
export type EntryListCar = Inbound<'ENTRY_LIST_CAR'>;
export type BroadcastingEvent = Inbound<'BROADCASTING_EVENT'>;
export type RegisterRequest = Outbound<'REGISTER'>;
export type ChangeFocusRequest = Outbound<'CHANGE_FOCUS'>;
export type InstantReplayRequest = Outbound<'INSTANT_REPLAY_REQUEST'>;
