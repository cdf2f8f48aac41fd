import { PacketId, type PacketFormat } from '../formats';
import {
  EncodeError,
  f32,
  since,
  struct,
  u32,
  u8,
  type Codec,
  type Layout,
  type ValueOf,
} from '../layout';

const vehicle = struct({ vehicleIdx: u8 });
const none = struct({});

/**
 * The details union of each event code. F1 24 adds SCAR and COLL; F1 25 adds a reason to RTMT and
 * DRSD and a stop time to SGSV.
 */
export const eventDetailLayouts = {
  SSTA: none,
  SEND: none,
  FTLP: struct({ vehicleIdx: u8, /** seconds */ lapTime: f32 }),
  RTMT: struct({ vehicleIdx: u8, /** see the spec's result reasons */ reason: since(2025, u8) }),
  DRSE: none,
  /** Reason: 0 wet track, 1 safety car, 2 red flag, 3 minimum lap not reached. */
  DRSD: struct({ reason: since(2025, u8) }),
  TMPT: vehicle,
  CHQF: none,
  RCWN: vehicle,
  PENA: struct({
    penaltyType: u8,
    infringementType: u8,
    vehicleIdx: u8,
    otherVehicleIdx: u8,
    time: u8,
    lapNum: u8,
    placesGained: u8,
  }),
  SPTP: struct({
    vehicleIdx: u8,
    /** km/h */
    speed: f32,
    isOverallFastestInSession: u8,
    isDriverFastestInSession: u8,
    fastestVehicleIdxInSession: u8,
    fastestSpeedInSession: f32,
  }),
  STLG: struct({ numLights: u8 }),
  LGOT: none,
  DTSV: vehicle,
  SGSV: struct({ vehicleIdx: u8, /** seconds */ stopTime: since(2025, f32) }),
  FLBK: struct({ flashbackFrameIdentifier: u32, flashbackSessionTime: f32 }),
  BUTN: struct({ /** bit flags, see the spec's appendix */ buttonStatus: u32 }),
  RDFL: none,
  OVTK: struct({ overtakingVehicleIdx: u8, beingOvertakenVehicleIdx: u8 }),
  SCAR: since(2024, struct({ safetyCarType: u8, eventType: u8 })),
  COLL: since(2024, struct({ vehicle1Idx: u8, vehicle2Idx: u8 })),
} as const;

type DetailLayouts = typeof eventDetailLayouts;
export type EventCode = keyof DetailLayouts;
export const EVENT_CODES = Object.keys(eventDetailLayouts) as EventCode[];

/** Event (3): a discriminated union on `code`. */
export type EventPacket = {
  [C in EventCode]: { id: typeof PacketId.Event; code: C; details: ValueOf<DetailLayouts[C]> };
}[EventCode];

const CODE_SIZE = 4;
/** `EventDataDetails` is a union: always 12 bytes, whatever the code uses. */
const DETAILS_SIZE = 12;

export class EventCodec implements Codec<EventPacket> {
  readonly size = CODE_SIZE + DETAILS_SIZE;
  constructor(
    readonly format: PacketFormat,
    readonly details: ReadonlyMap<string, Codec<unknown>>,
  ) {
    for (const [code, codec] of details) {
      if (codec.size > DETAILS_SIZE) throw new Error(`event ${code} details are ${codec.size} bytes, over ${DETAILS_SIZE}`);
    }
  }
  static codeAt(buf: Buffer, offset: number): string {
    return buf.toString('latin1', offset, offset + CODE_SIZE);
  }
  /** Whether the datagram's code is one this format defines; decode checks it before read(). */
  knows(code: string): boolean {
    return this.details.has(code);
  }
  read(buf: Buffer, offset: number): EventPacket {
    const code = EventCodec.codeAt(buf, offset);
    const details = this.details.get(code);
    if (!details) throw new Error(`event code ${JSON.stringify(code)} does not exist in format ${this.format}`);
    return { id: PacketId.Event, code, details: details.read(buf, offset + CODE_SIZE) } as EventPacket;
  }
  write(buf: Buffer, offset: number, value: EventPacket): void {
    const details = this.details.get(value.code);
    if (!details) throw new EncodeError(`event code ${JSON.stringify(value.code)} does not exist in format ${this.format}`, ['code']);
    buf.write(value.code, offset, CODE_SIZE, 'latin1');
    buf.fill(0, offset + CODE_SIZE, offset + CODE_SIZE + DETAILS_SIZE);
    try {
      details.write(buf, offset + CODE_SIZE, value.details);
    } catch (err) {
      throw EncodeError.within('details', err);
    }
  }
}

class EventLayout implements Layout<EventPacket> {
  forFormat(format: PacketFormat): EventCodec {
    const details = new Map<string, Codec<unknown>>();
    for (const code of EVENT_CODES) {
      const codec = (eventDetailLayouts[code] as Layout<unknown>).forFormat(format);
      if (codec) details.set(code, codec);
    }
    return new EventCodec(format, details);
  }
}
export const eventLayout = new EventLayout();
