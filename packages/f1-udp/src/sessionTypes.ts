import type { PacketFormat } from './formats';

/** F1 23 numbering: Race is 10. */
const F1_23_SESSION_TYPES: readonly string[] = [
  'Unknown', 'Practice 1', 'Practice 2', 'Practice 3', 'Short Practice',
  'Qualifying 1', 'Qualifying 2', 'Qualifying 3', 'Short Qualifying', 'One-Shot Qualifying',
  'Race', 'Race 2', 'Race 3', 'Time Trial',
];

/** F1 24 renumbered to fit sprint shootouts in: Race is 15. F1 25 kept it. */
const F1_24_SESSION_TYPES: readonly string[] = [
  'Unknown', 'Practice 1', 'Practice 2', 'Practice 3', 'Short Practice',
  'Qualifying 1', 'Qualifying 2', 'Qualifying 3', 'Short Qualifying', 'One-Shot Qualifying',
  'Sprint Shootout 1', 'Sprint Shootout 2', 'Sprint Shootout 3', 'Short Sprint Shootout',
  'One-Shot Sprint Shootout', 'Race', 'Race 2', 'Race 3', 'Time Trial',
];

export const SESSION_TYPE_NAMES: Readonly<Record<PacketFormat, readonly string[]>> = {
  2023: F1_23_SESSION_TYPES,
  2024: F1_24_SESSION_TYPES,
  2025: F1_24_SESSION_TYPES,
};

/** The name of a session type id (session packet, weather samples, weekend structure). */
export function sessionTypeName(format: PacketFormat, sessionType: number): string {
  return SESSION_TYPE_NAMES[format][sessionType] ?? `Unknown (${sessionType})`;
}

/** Whether the id is one of the race sessions (Race, Race 2, Race 3) in this format. */
export function isRaceSession(format: PacketFormat, sessionType: number): boolean {
  return sessionTypeName(format, sessionType).startsWith('Race');
}
