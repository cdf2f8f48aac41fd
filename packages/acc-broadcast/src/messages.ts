// Every message of broadcasting protocol v4, field by field in the order Kunos' SDK
// (BroadcastingNetworkProtocol.cs) reads and writes it. Byte 0, the message type, is not part
// of a body: see protocol.ts.
import { bool, f32, i32, list, mapped, optional, optionalTime, str, struct, u16, u8, type Codec } from './codec';

export const BROADCASTING_PROTOCOL_VERSION = 4;

/** The SDK reads `isReadonly = byte == 0`: the byte on the wire says "writable". */
const readonlyFlag: Codec<boolean> = mapped(
  u8,
  (b) => b === 0,
  (readonly) => (readonly ? 0 : 1),
);

/** Gear on the wire is byte − 2 (R = −1, N = 0, 1st = 1); two npm clients get this wrong. */
const gear: Codec<number> = mapped(
  u8,
  (b) => b - 2,
  (g) => g + 2,
);

/** Clouds, rain and wetness travel as tenths in a byte; the SDK divides by 10. */
const tenths: Codec<number> = mapped(
  u8,
  (b) => b / 10,
  (v) => Math.round(v * 10),
);

/** Every lap in the protocol has this shape. Times are ms; `null` is INT32_MAX on the wire. */
export const lapRecord = struct({
  laptimeMs: optionalTime,
  carIndex: u16,
  driverIndex: u16,
  /** As many as the game sent (the SDK pads to 3 with nulls after reading). */
  splitsMs: list(u8, optionalTime),
  isInvalid: bool,
  isValidForBest: bool,
  isOutlap: bool,
  isInlap: bool,
});

const driver = struct({
  firstName: str,
  lastName: str,
  shortName: str,
  /** DriverCategory (enums.ts) */
  category: u8,
  /** Nationality (enums.ts); new in SDK 1.13.11 */
  nationality: u16,
});

/** Game → client. */
export const inboundMessages = {
  REGISTRATION_RESULT: {
    id: 1,
    body: struct({ connectionId: i32, connectionSuccess: bool, isReadonly: readonlyFlag, errorMessage: str }),
  },
  REALTIME_UPDATE: {
    id: 2,
    body: struct({
      eventIndex: u16,
      sessionIndex: u16,
      /** SessionType (enums.ts) */
      sessionType: u8,
      /** SessionPhase (enums.ts) */
      phase: u8,
      sessionTimeMs: f32,
      sessionEndTimeMs: f32,
      focusedCarIndex: i32,
      activeCameraSet: str,
      activeCamera: str,
      currentHudPage: str,
      /** Present only while a replay plays (flag byte, then the two floats). */
      replay: optional(struct({ sessionTime: f32, remainingTime: f32 })),
      timeOfDayMs: f32,
      ambientTempC: u8,
      trackTempC: u8,
      /** 0..1, sent as tenths */
      clouds: tenths,
      rainLevel: tenths,
      wetness: tenths,
      bestSessionLap: lapRecord,
    }),
  },
  REALTIME_CAR_UPDATE: {
    id: 3,
    body: struct({
      carIndex: u16,
      driverIndex: u16,
      driverCount: u8,
      gear,
      worldPosX: f32,
      worldPosY: f32,
      yaw: f32,
      /** CarLocation (enums.ts) */
      carLocation: u8,
      kmh: u16,
      position: u16,
      cupPosition: u16,
      trackPosition: u16,
      /** 0..1 along the lap */
      splinePosition: f32,
      laps: u16,
      /** ms, realtime delta to the best session lap */
      deltaMs: i32,
      bestSessionLap: lapRecord,
      lastLap: lapRecord,
      currentLap: lapRecord,
    }),
  },
  ENTRY_LIST: {
    id: 4,
    body: struct({ connectionId: i32, carIndexes: list(u16, u16) }),
  },
  TRACK_DATA: {
    id: 5,
    body: struct({
      connectionId: i32,
      trackName: str,
      trackId: i32,
      trackMeters: i32,
      cameraSets: list(u8, struct({ name: str, cameras: list(u8, str) })),
      hudPages: list(u8, str),
    }),
  },
  ENTRY_LIST_CAR: {
    id: 6,
    body: struct({
      carIndex: u16,
      carModelType: u8,
      teamName: str,
      raceNumber: i32,
      /** CupCategory (enums.ts) */
      cupCategory: u8,
      currentDriverIndex: u8,
      /** Nationality (enums.ts) */
      nationality: u16,
      drivers: list(u8, driver),
    }),
  },
  BROADCASTING_EVENT: {
    id: 7,
    body: struct({
      /** BroadcastingEventType (enums.ts) */
      eventType: u8,
      message: str,
      timeMs: i32,
      carId: i32,
    }),
  },
} as const;

/** Client → game. */
export const outboundMessages = {
  REGISTER: {
    id: 1,
    body: struct({
      /** {@link BROADCASTING_PROTOCOL_VERSION}; the game answers success = 0 to another. */
      protocolVersion: u8,
      displayName: str,
      connectionPassword: str,
      msRealtimeUpdateInterval: i32,
      commandPassword: str,
    }),
  },
  /** The type byte only, as Kunos' SDK sends it (some clients append the connection id). */
  UNREGISTER: { id: 9, body: struct({}) },
  REQUEST_ENTRY_LIST: { id: 10, body: struct({ connectionId: i32 }) },
  REQUEST_TRACK_DATA: { id: 11, body: struct({ connectionId: i32 }) },
  CHANGE_HUD_PAGE: { id: 49, body: struct({ connectionId: i32, hudPage: str }) },
  CHANGE_FOCUS: {
    id: 50,
    body: struct({
      connectionId: i32,
      /** null: keep the focused car. */
      carIndex: optional(u16),
      /** null: keep the camera. The SDK sends null when either name is empty. */
      camera: optional(struct({ cameraSet: str, camera: str })),
    }),
  },
  INSTANT_REPLAY_REQUEST: {
    id: 51,
    body: struct({
      connectionId: i32,
      startSessionTime: f32,
      durationMs: f32,
      /** −1: keep the focused car */
      initialFocusedCarIndex: i32,
      initialCameraSet: str,
      initialCamera: str,
    }),
  },
} as const;
