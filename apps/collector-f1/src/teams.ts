import type { PacketFormat } from '@pitwall/f1-udp';

/**
 * Participants' `teamId` for the ten teams of each game's own season (ids 0-9). Other ids (classic
 * cars, F2, My Team, the previous season's cars) differ between games and are reported as
 * `f1-team-<id>` rather than guessed.
 */
const SEASON_TEAMS: Readonly<Record<PacketFormat, readonly string[]>> = {
  2023: ['Mercedes', 'Ferrari', 'Red Bull Racing', 'Williams', 'Aston Martin', 'Alpine', 'AlphaTauri', 'Haas', 'McLaren', 'Alfa Romeo'],
  2024: ['Mercedes', 'Ferrari', 'Red Bull Racing', 'Williams', 'Aston Martin', 'Alpine', 'RB', 'Haas', 'McLaren', 'Sauber'],
  2025: ['Mercedes', 'Ferrari', 'Red Bull Racing', 'Williams', 'Aston Martin', 'Alpine', 'Racing Bulls', 'Haas', 'McLaren', 'Sauber'],
};

export function f1TeamName(format: PacketFormat, teamId: number): string {
  return SEASON_TEAMS[format][teamId] ?? `f1-team-${teamId}`;
}
