/**
 * F1 23/24/25 `trackId` (session packet, signed: -1 = unknown) to a track name. Names are the ones
 * the race-analysis track table resolves (by name or alias), so F1 frames get its sector lines.
 * The ids are the spec's appendix and have not changed between F1 23 and F1 25.
 */
const F1_TRACKS: Readonly<Record<number, string>> = {
  0: 'Melbourne',
  1: 'Paul Ricard',
  2: 'Shanghai',
  3: 'Sakhir',
  4: 'Catalunya',
  5: 'Monaco',
  6: 'Montreal',
  7: 'Silverstone',
  8: 'Hockenheim',
  9: 'Hungaroring',
  10: 'Spa',
  11: 'Monza',
  12: 'Singapore',
  13: 'Suzuka',
  14: 'Yas Marina',
  15: 'Austin',
  16: 'Interlagos',
  17: 'Spielberg',
  18: 'Sochi',
  19: 'Mexico',
  20: 'Baku',
  21: 'Sakhir Short',
  22: 'Silverstone Short',
  23: 'Austin Short',
  24: 'Suzuka Short',
  25: 'Hanoi',
  26: 'Zandvoort',
  27: 'Imola',
  28: 'Portimao',
  29: 'Jeddah',
  30: 'Miami',
  31: 'Las Vegas',
  32: 'Lusail',
  39: 'Silverstone Reverse',
  40: 'Spielberg Reverse',
  41: 'Zandvoort Reverse',
};

/** The track's name, or `f1-track-<id>` for an id this table does not know (new DLC, -1). */
export function f1TrackName(trackId: number): string {
  return F1_TRACKS[trackId] ?? `f1-track-${trackId}`;
}
