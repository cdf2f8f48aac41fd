// The four structs of AC remote telemetry, at the offsets in PROTOCOLS.md (checked against
// Kunos' "AC Remote Telemetry Documentation" and vpicon/acudp): 4-byte int/float, 1-byte bool,
// natural alignment, UTF-16LE wchar_t[50] strings, little-endian.
import { boolAt, charAt, f32ArrayAt, f32At, i32At, layout, mapped, wcharStringAt, type Layout } from './layout';

/** The game's telemetry port. */
export const AC_UDP_PORT = 9996;

/** Handshaker operationId. After Dismiss the game forgets the client: handshake again. */
export const AcOperation = { Handshake: 0, SubscribeUpdate: 1, SubscribeSpot: 2, Dismiss: 3 } as const;
export type AcOperationId = (typeof AcOperation)[keyof typeof AcOperation];

/** What the doc tells a client to send as identifier and version (the game ignores both). */
export const AC_CLIENT_IDENTITY = { identifier: 1, version: 1 } as const;

/** Client → game, 12 bytes. */
export const handshakerLayout = layout('handshaker', 12, {
  identifier: i32At(0),
  version: i32At(4),
  operationId: i32At(8),
});

/** Game → client after a Handshake, 408 bytes (the doc says char[50]; the game sends wchar_t[50]). */
export const handshakeResponseLayout = layout('handshake response', 408, {
  carName: wcharStringAt(0),
  driverName: wcharStringAt(100),
  /** 4242 for now, per the doc */
  identifier: i32At(200),
  version: i32At(204),
  trackName: wcharStringAt(208),
  trackConfig: wcharStringAt(308),
});

/** Four values in the game's wheel order. */
export type Wheels = [number, number, number, number];
export type Vec3 = [number, number, number];

/**
 * The game sends gear 0 = R, 1 = N, 2 = first (a real capture and one client; the doc is
 * silent). Decoded as −1 = R, 0 = N, 1 = first; `gearRaw` keeps the wire value.
 */
export const gearFromRaw = (raw: number): number => raw - 1;
export const rawFromGear = (gear: number): number => gear + 1;

/** Game → client per physics step after SubscribeUpdate, 328 bytes. */
export const carInfoLayout = layout('RTCarInfo', 328, {
  /** 'a'; bytes 1..3 are padding the game does not clear */
  identifier: charAt(0),
  size: i32At(4),
  speedKmh: f32At(8),
  speedMph: f32At(12),
  speedMs: f32At(16),
  isAbsEnabled: boolAt(20),
  isAbsInAction: boolAt(21),
  isTcInAction: boolAt(22),
  isTcEnabled: boolAt(23),
  isInPit: boolAt(24),
  isEngineLimiterOn: boolAt(25),
  // 26..27 padding
  accGVertical: f32At(28),
  accGHorizontal: f32At(32),
  accGFrontal: f32At(36),
  lapTimeMs: i32At(40),
  lastLapMs: i32At(44),
  bestLapMs: i32At(48),
  lapCount: i32At(52),
  gas: f32At(56),
  brake: f32At(60),
  clutch: f32At(64),
  engineRpm: f32At(68),
  steer: f32At(72),
  gear: mapped(i32At(76), gearFromRaw, rawFromGear),
  cgHeight: f32At(80),
  wheelAngularSpeed: f32ArrayAt<Wheels>(84, 4),
  slipAngle: f32ArrayAt<Wheels>(100, 4),
  slipAngleContactPatch: f32ArrayAt<Wheels>(116, 4),
  slipRatio: f32ArrayAt<Wheels>(132, 4),
  tyreSlip: f32ArrayAt<Wheels>(148, 4),
  ndSlip: f32ArrayAt<Wheels>(164, 4),
  load: f32ArrayAt<Wheels>(180, 4),
  dy: f32ArrayAt<Wheels>(196, 4),
  mz: f32ArrayAt<Wheels>(212, 4),
  tyreDirtyLevel: f32ArrayAt<Wheels>(228, 4),
  camberRad: f32ArrayAt<Wheels>(244, 4),
  tyreRadius: f32ArrayAt<Wheels>(260, 4),
  tyreLoadedRadius: f32ArrayAt<Wheels>(276, 4),
  suspensionHeight: f32ArrayAt<Wheels>(292, 4),
  carPositionNormalized: f32At(308),
  carSlope: f32At(312),
  carCoordinates: f32ArrayAt<Vec3>(316, 3),
});

/** Game → client on a spot event (end of a lap, any car) after SubscribeSpot, 212 bytes. */
export const lapLayout = layout('RTLap', 212, {
  carIdentifierNumber: i32At(0),
  lap: i32At(4),
  driverName: wcharStringAt(8),
  carName: wcharStringAt(108),
  timeMs: i32At(208),
});

type LayoutOf<L> = L extends Layout<infer T> ? T : never;

export type Handshaker = LayoutOf<typeof handshakerLayout>;
export type HandshakeResponse = LayoutOf<typeof handshakeResponseLayout>;
/** Decoded RTCarInfo: every field, `gear` normalised (−1 = R) and `gearRaw` as sent (0 = R). */
export type RTCarInfo = LayoutOf<typeof carInfoLayout> & { gearRaw: number };
export type RTLap = LayoutOf<typeof lapLayout>;
