export {
  HEADER_SIZE,
  MAX_CARS,
  PACKET_FORMATS,
  PACKET_NAMES,
  PACKET_SIZES,
  PacketId,
  WHEEL_ORDER,
  Wheel,
  formatSupported,
  packetSize,
  type PacketFormat,
} from './formats';
export { SESSION_TYPE_NAMES, isRaceSession, sessionTypeName } from './sessionTypes';
export { isMenuHeader, type PacketHeader } from './header';
export {
  DECODE_FAILURE_REASONS,
  decodePacket,
  type DecodeFailure,
  type DecodeFailureReason,
  type DecodeResult,
  type DecodeSuccess,
  type DecodedHeader,
} from './decode';
export { blankPacket, encodePacket, type HeaderFields } from './encode';
export { bodyCodec, type Packet, type PacketById } from './packets';
export {
  ArrayCodec,
  EncodeError,
  LiteralCodec,
  MinutesMsCodec,
  NumberCodec,
  StructCodec,
  U64Codec,
  Utf8Codec,
  type Codec,
  type NumberType,
  type StructEntry,
} from './layout';
export { EVENT_CODES, EventCodec, type EventCode, type EventPacket } from './packets/event';
export type { CarDamageData, CarDamagePacket } from './packets/car-damage';
export type { CarSetupData, CarSetupsPacket } from './packets/car-setups';
export type { CarStatusData, CarStatusPacket } from './packets/car-status';
export type { CarTelemetryData, CarTelemetryPacket } from './packets/car-telemetry';
export type { FinalClassificationData, FinalClassificationPacket } from './packets/final-classification';
export type { LapData, LapDataPacket } from './packets/lap-data';
export type { LapPositionsPacket } from './packets/lap-positions';
export type { LobbyInfoData, LobbyInfoPacket } from './packets/lobby-info';
export type { CarMotionData, MotionPacket } from './packets/motion';
export type { MotionExPacket } from './packets/motion-ex';
export type { ParticipantData, ParticipantsPacket } from './packets/participants';
export type { SessionPacket, WeatherForecastSample } from './packets/session';
export type { LapHistoryData, SessionHistoryPacket, TyreStintHistoryData } from './packets/session-history';
export type { TimeTrialDataSet, TimeTrialPacket } from './packets/time-trial';
export type { TyreSetData, TyreSetsPacket } from './packets/tyre-sets';
