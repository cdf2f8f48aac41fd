/**
 * Which games this codec speaks, the packet ids, and the size of every packet as EA's specs state
 * it. The sizes are kept as the spec's own table (not computed) so that the layouts, which are
 * written field by field, are checked against an independent statement of the same facts.
 */

/** `m_packetFormat` of F1 23, F1 24 and F1 25. */
export type PacketFormat = 2023 | 2024 | 2025;

export const PACKET_FORMATS: readonly PacketFormat[] = [2023, 2024, 2025];

export function formatSupported(format: number): format is PacketFormat {
  return format === 2023 || format === 2024 || format === 2025;
}

/** The header is the same 29 packed bytes in all three formats. */
export const HEADER_SIZE = 29;

/** Every per-car array in every packet has this many entries, whatever the number of cars. */
export const MAX_CARS = 22;

export const PacketId = {
  Motion: 0,
  Session: 1,
  LapData: 2,
  Event: 3,
  Participants: 4,
  CarSetups: 5,
  CarTelemetry: 6,
  CarStatus: 7,
  FinalClassification: 8,
  LobbyInfo: 9,
  CarDamage: 10,
  SessionHistory: 11,
  TyreSets: 12,
  MotionEx: 13,
  TimeTrial: 14,
  LapPositions: 15,
} as const;
export type PacketId = (typeof PacketId)[keyof typeof PacketId];

export const PACKET_NAMES: Readonly<Record<PacketId, string>> = {
  0: 'motion',
  1: 'session',
  2: 'lap data',
  3: 'event',
  4: 'participants',
  5: 'car setups',
  6: 'car telemetry',
  7: 'car status',
  8: 'final classification',
  9: 'lobby info',
  10: 'car damage',
  11: 'session history',
  12: 'tyre sets',
  13: 'motion ex',
  14: 'time trial',
  15: 'lap positions',
};

/** Whole datagram sizes, header included, from the F1 23/24/25 specs. Absent: no such packet. */
export const PACKET_SIZES: Readonly<Record<PacketFormat, Readonly<Partial<Record<PacketId, number>>>>> = {
  2023: {
    0: 1349, 1: 644, 2: 1131, 3: 45, 4: 1306, 5: 1107, 6: 1352, 7: 1239,
    8: 1020, 9: 1218, 10: 953, 11: 1460, 12: 231, 13: 217,
  },
  2024: {
    0: 1349, 1: 753, 2: 1285, 3: 45, 4: 1350, 5: 1133, 6: 1352, 7: 1239,
    8: 1020, 9: 1306, 10: 953, 11: 1460, 12: 231, 13: 237, 14: 101,
  },
  2025: {
    0: 1349, 1: 753, 2: 1285, 3: 45, 4: 1284, 5: 1133, 6: 1352, 7: 1239,
    8: 1042, 9: 954, 10: 1041, 11: 1460, 12: 231, 13: 273, 14: 101, 15: 1131,
  },
};

/** The datagram size of `packetId` in `format`, or undefined when that format has no such packet. */
export function packetSize(format: PacketFormat, packetId: number): number | undefined {
  return (PACKET_SIZES[format] as Partial<Record<number, number>>)[packetId];
}

/** Wheel arrays (`float m_tyresWear[4]` and the like) are ordered rear-left first. */
export const WHEEL_ORDER = ['RL', 'RR', 'FL', 'FR'] as const;
export const Wheel = { RL: 0, RR: 1, FL: 2, FR: 3 } as const;
