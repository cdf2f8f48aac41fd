// Fictional drivers and teams (no real people): names, numbers and nationalities every protocol
// needs for its entry list / participants.

export interface Driver {
  firstName: string;
  lastName: string;
  /** Three letters, as timing screens show. */
  shortName: string;
  /** ACC `Nationality` value. */
  accNationality: number;
  /** F1 nationality id. */
  f1Nationality: number;
  raceNumber: number;
  team: string;
  /** F1 team id (0–9 are the ten constructors in F1 23–25). */
  f1TeamId: number;
}

const PEOPLE: [first: string, last: string, acc: number, f1: number][] = [
  ['Alva', 'Lindqvist', 30, 73],
  ['Bruno', 'Castellano', 1, 41],
  ['Chiara', 'Moretti', 1, 41],
  ['Dario', 'Fernandes', 36, 61],
  ['Elif', 'Kaya', 25, 76],
  ['Felix', 'Brandt', 2, 32],
  ['Greta', 'Holm', 32, 26],
  ['Hugo', 'Marchand', 3, 31],
  ['Ines', 'Sola', 4, 71],
  ['Jonah', 'Whitlock', 5, 10],
  ['Kenji', 'Arakawa', 48, 44],
  ['Lena', 'Vogt', 9, 3],
  ['Mateo', 'Quiroga', 14, 2],
  ['Nadia', 'Petrova', 53, 23],
  ['Oskar', 'Nyberg', 24, 57],
  ['Priya', 'Raman', 56, 40],
  ['Quinn', 'Harlow', 39, 5],
  ['Rafael', 'Sousa', 17, 9],
  ['Sanna', 'Virtanen', 31, 29],
  ['Tomas', 'Dvorak', 53, 23],
  ['Uma', 'Okafor', 65, 59],
  ['Viktor', 'Szabo', 6, 38],
  ['Wren', 'Callaghan', 16, 43],
  ['Yusuf', 'Demir', 25, 76],
];

const TEAMS = ['Aurora', 'Bergamot', 'Cobalt', 'Dune', 'Ember', 'Fjord', 'Granite', 'Halcyon', 'Ironbark', 'Juniper'];

/** The driver of car `index` (wraps after the roster, with a distinct race number). */
export function driverFor(index: number): Driver {
  const [firstName, lastName, accNationality, f1Nationality] = PEOPLE[index % PEOPLE.length]!;
  const round = Math.floor(index / PEOPLE.length);
  return {
    firstName,
    lastName: round === 0 ? lastName : `${lastName} ${round + 1}`,
    shortName: lastName.slice(0, 3).toUpperCase(),
    accNationality,
    f1Nationality,
    raceNumber: 2 + index * 3 + round,
    team: TEAMS[Math.floor(index / 2) % TEAMS.length]!,
    f1TeamId: Math.floor(index / 2) % TEAMS.length,
  };
}
