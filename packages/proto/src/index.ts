import './runtime';
import { pitwall } from './generated/telemetry';

const v1 = pitwall.v1;

export const Source = v1.Source;
export type Source = pitwall.v1.Source;
export const AlertSeverity = v1.AlertSeverity;
export type AlertSeverity = pitwall.v1.AlertSeverity;

export type TelemetryFrame = pitwall.v1.ITelemetryFrame;
export type WheelSet = pitwall.v1.IWheelSet;
export type Vec3 = pitwall.v1.IVec3;
export type SessionInfo = pitwall.v1.ISessionInfo;
export type CarInfo = pitwall.v1.ICarInfo;
export type LapSummary = pitwall.v1.ILapSummary;
export type Insight = pitwall.v1.IInsight;
export type Factor = pitwall.v1.IFactor;
export type Alert = pitwall.v1.IAlert;
export type Command = pitwall.v1.ICommand;
export type LiveUpdate = pitwall.v1.ILiveUpdate;

/** A message that arrived as bytes but is not a valid message of the expected type. */
export class DecodeError extends Error {
  constructor(
    readonly messageType: string,
    readonly reason: string,
  ) {
    super(`cannot decode ${messageType}: ${reason}`);
    this.name = 'DecodeError';
  }
}

interface GeneratedType<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
  toObject(message: never, options?: object): Record<string, unknown>;
  fromObject(object: Record<string, unknown>): T;
}

export interface Codec<T> {
  readonly typeName: string;
  encode(message: T): Uint8Array;
  /** Throws DecodeError for malformed bytes or a message missing its identity fields. */
  decode(bytes: Uint8Array): T;
  /** Plain JSON-safe object with enums as names and defaults included. */
  toJSON(message: T): Record<string, unknown>;
}

function codec<T>(typeName: string, type: GeneratedType<T>, requiredStrings: (keyof T & string)[]): Codec<T> {
  return {
    typeName,
    encode: (message) => type.encode(message).finish(),
    decode(bytes) {
      let message: T;
      try {
        message = type.decode(bytes);
      } catch (err) {
        throw new DecodeError(typeName, (err as Error).message);
      }
      for (const field of requiredStrings) {
        if (!message[field]) throw new DecodeError(typeName, `missing ${field}`);
      }
      return message;
    },
    toJSON: (message) =>
      type.toObject(type.fromObject(message as Record<string, unknown>) as never, {
        enums: String,
        defaults: true,
        longs: Number,
      }),
  };
}

export const codecs = {
  frame: codec<TelemetryFrame>('pitwall.v1.TelemetryFrame', v1.TelemetryFrame, ['sessionId', 'carId']),
  session: codec<SessionInfo>('pitwall.v1.SessionInfo', v1.SessionInfo, ['sessionId']),
  lap: codec<LapSummary>('pitwall.v1.LapSummary', v1.LapSummary, ['sessionId', 'carId']),
  insight: codec<Insight>('pitwall.v1.Insight', v1.Insight, ['sessionId', 'carId']),
  alert: codec<Alert>('pitwall.v1.Alert', v1.Alert, ['alertId', 'sessionId']),
  command: codec<Command>('pitwall.v1.Command', v1.Command, ['commandId']),
  liveUpdate: codec<LiveUpdate>('pitwall.v1.LiveUpdate', v1.LiveUpdate, ['type']),
};

export const encodeFrame = codecs.frame.encode;
export const decodeFrame = codecs.frame.decode;

/** Microseconds since the Unix epoch, the unit of every timestamp in the schema. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}
