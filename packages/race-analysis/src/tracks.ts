/**
 * Track table: lap length and timing-sector boundaries, looked up by a normalised name.
 *
 * Boundaries are metres from the start/finish line where each sector after the first begins.
 * For the seven GR Cup circuits they are the official sector-map splits (as shares of the lap)
 * applied to the lengths below; for the others they are approximations of the broadcast timing
 * lines and say so (`sectorsApproximate`). A source whose own lap is a different length is handled
 * by the lap tracker, which scales the boundaries to the length it observes.
 */

export interface TrackInfo {
  /** Stable id (the canonical key of the table), or the normalised name for unknown tracks. */
  readonly id: string;
  readonly name: string;
  /** Lap length in metres; undefined for unknown tracks (the lap tracker observes it). */
  readonly lengthM: number | undefined;
  /** Where sectors 2..n begin, as fractions of the lap (strictly increasing, in (0, 1)). */
  readonly sectorStarts: readonly number[];
  /** False for a track not in the table: three equal sectors over the observed lap length. */
  readonly known: boolean;
  /** True when the boundaries are estimates rather than an official sector map. */
  readonly sectorsApproximate: boolean;
}

interface TrackEntry {
  name: string;
  lengthM: number;
  /** Metres from the line where sectors 2..n begin. */
  sectorStartsM: number[];
  approximate: boolean;
  aliases: string[];
}

/** Builds boundaries from shares of the lap (as an official sector map gives them). */
function fromShares(lengthM: number, shares: number[]): number[] {
  return shares.map((share) => Math.round(lengthM * share));
}

const TABLE: Record<string, TrackEntry> = {
  // GR Cup circuits: shares from the official sector maps (SF > I1 > I2 > SF).
  sebring: {
    name: 'Sebring International Raceway',
    lengthM: 6020,
    sectorStartsM: fromShares(6020, [0.3031, 0.6127]),
    approximate: false,
    aliases: ['sebring international raceway', 'sebring international'],
  },
  cota: {
    name: 'Circuit of the Americas',
    lengthM: 5514,
    sectorStartsM: fromShares(5514, [0.238, 0.6454]),
    approximate: false,
    aliases: ['circuit of the americas', 'austin', 'americas', 'texas', 'circuit of americas'],
  },
  barber: {
    name: 'Barber Motorsports Park',
    lengthM: 3830,
    sectorStartsM: fromShares(3830, [0.28, 0.7101]),
    approximate: false,
    aliases: ['barber motorsports park', 'barber motorsport park'],
  },
  road_america: {
    name: 'Road America',
    lengthM: 6515,
    sectorStartsM: fromShares(6515, [0.3187, 0.6605]),
    approximate: false,
    aliases: ['road america', 'roadamerica', 'elkhart lake'],
  },
  sonoma: {
    name: 'Sonoma Raceway',
    lengthM: 3200,
    sectorStartsM: fromShares(3200, [0.3436, 0.6963]),
    approximate: false,
    aliases: ['sonoma raceway', 'sears point', 'infineon raceway', 'infineon'],
  },
  vir: {
    name: 'Virginia International Raceway',
    lengthM: 6760,
    sectorStartsM: fromShares(6760, [0.314, 0.7241]),
    approximate: false,
    aliases: ['virginia international raceway', 'virginia'],
  },
  indianapolis: {
    name: 'Indianapolis Motor Speedway road course',
    lengthM: 3930,
    sectorStartsM: fromShares(3930, [0.3476, 0.7009]),
    approximate: false,
    aliases: ['indy', 'indianapolis motor speedway', 'indianapolis road course', 'ims'],
  },
  // F1 / Assetto Corsa / ACC circuits: approximate broadcast sector lines.
  silverstone: {
    name: 'Silverstone Circuit',
    lengthM: 5891,
    sectorStartsM: [1830, 4060],
    approximate: true,
    aliases: ['silverstone circuit', 'british grand prix', 'silverstone gp'],
  },
  monza: {
    name: 'Autodromo Nazionale Monza',
    lengthM: 5793,
    sectorStartsM: [1960, 3980],
    approximate: true,
    aliases: ['autodromo nazionale monza', 'monza66', 'italy', 'autodromo di monza'],
  },
  spa: {
    name: 'Circuit de Spa-Francorchamps',
    lengthM: 7004,
    sectorStartsM: [2210, 5380],
    approximate: true,
    aliases: ['spa francorchamps', 'circuit de spa francorchamps', 'belgium'],
  },
  barcelona: {
    name: 'Circuit de Barcelona-Catalunya',
    lengthM: 4657,
    sectorStartsM: [1590, 3260],
    approximate: true,
    aliases: ['catalunya', 'circuit de barcelona catalunya', 'montmelo', 'spain'],
  },
  monaco: {
    name: 'Circuit de Monaco',
    lengthM: 3337,
    sectorStartsM: [940, 2210],
    approximate: true,
    aliases: ['circuit de monaco', 'monte carlo'],
  },
  red_bull_ring: {
    name: 'Red Bull Ring',
    lengthM: 4318,
    sectorStartsM: [1360, 2920],
    approximate: true,
    aliases: ['red bull ring', 'redbullring', 'spielberg', 'austria', 'osterreichring'],
  },
  nurburgring: {
    name: 'Nürburgring GP-Strecke',
    lengthM: 5148,
    sectorStartsM: [1720, 3440],
    approximate: true,
    aliases: ['nurburgring gp', 'nurburgring gp strecke', 'nuerburgring'],
  },
  brands_hatch: {
    name: 'Brands Hatch GP',
    lengthM: 3908,
    sectorStartsM: [1290, 2620],
    approximate: true,
    aliases: ['brands hatch', 'brandshatch', 'brands hatch gp'],
  },
  suzuka: {
    name: 'Suzuka International Racing Course',
    lengthM: 5807,
    sectorStartsM: [2040, 3950],
    approximate: true,
    aliases: ['suzuka circuit', 'suzuka international racing course', 'japan'],
  },
  bahrain: {
    name: 'Bahrain International Circuit',
    lengthM: 5412,
    sectorStartsM: [1780, 3720],
    approximate: true,
    aliases: ['bahrain international circuit', 'sakhir'],
  },
  hungaroring: {
    name: 'Hungaroring',
    lengthM: 4381,
    sectorStartsM: [1480, 2960],
    approximate: true,
    aliases: ['hungary'],
  },
  zandvoort: {
    name: 'Circuit Zandvoort',
    lengthM: 4259,
    sectorStartsM: [1420, 2900],
    approximate: true,
    aliases: ['circuit zandvoort', 'netherlands'],
  },
  imola: {
    name: 'Autodromo Enzo e Dino Ferrari (Imola)',
    lengthM: 4909,
    sectorStartsM: [1700, 3300],
    approximate: true,
    aliases: ['autodromo enzo e dino ferrari', 'emilia romagna'],
  },
  paul_ricard: {
    name: 'Circuit Paul Ricard',
    lengthM: 5842,
    sectorStartsM: [1930, 3890],
    approximate: true,
    aliases: ['paul ricard', 'circuit paul ricard', 'le castellet', 'france'],
  },
  mugello: {
    name: 'Mugello Circuit',
    lengthM: 5245,
    sectorStartsM: [1750, 3500],
    approximate: true,
    aliases: ['autodromo del mugello'],
  },
  misano: {
    name: 'Misano World Circuit',
    lengthM: 4226,
    sectorStartsM: [1410, 2820],
    approximate: true,
    aliases: ['misano world circuit'],
  },
  zolder: {
    name: 'Circuit Zolder',
    lengthM: 4011,
    sectorStartsM: [1340, 2680],
    approximate: true,
    aliases: ['circuit zolder'],
  },
  laguna_seca: {
    name: 'WeatherTech Raceway Laguna Seca',
    lengthM: 3602,
    sectorStartsM: [1200, 2400],
    approximate: true,
    aliases: ['laguna seca', 'lagunaseca', 'weathertech raceway laguna seca'],
  },
  kyalami: {
    name: 'Kyalami Grand Prix Circuit',
    lengthM: 4522,
    sectorStartsM: [1510, 3010],
    approximate: true,
    aliases: [],
  },
  mount_panorama: {
    name: 'Mount Panorama Circuit',
    lengthM: 6213,
    sectorStartsM: [2070, 4140],
    approximate: true,
    aliases: ['mount panorama', 'bathurst'],
  },
  donington: {
    name: 'Donington Park',
    lengthM: 4020,
    sectorStartsM: [1340, 2680],
    approximate: true,
    aliases: ['donington park'],
  },
  snetterton: {
    name: 'Snetterton 300',
    lengthM: 4779,
    sectorStartsM: [1590, 3190],
    approximate: true,
    aliases: ['snetterton 300'],
  },
  oulton_park: {
    name: 'Oulton Park',
    lengthM: 4307,
    sectorStartsM: [1440, 2870],
    approximate: true,
    aliases: ['oulton park', 'oulton'],
  },
  watkins_glen: {
    name: 'Watkins Glen International',
    lengthM: 5430,
    sectorStartsM: [1810, 3620],
    approximate: true,
    aliases: ['watkins glen', 'the glen'],
  },
  valencia: {
    name: 'Circuit Ricardo Tormo',
    lengthM: 4005,
    sectorStartsM: [1340, 2670],
    approximate: true,
    aliases: ['ricardo tormo', 'circuit ricardo tormo'],
  },
  vallelunga: {
    name: 'Vallelunga',
    lengthM: 4085,
    sectorStartsM: [1360, 2720],
    approximate: true,
    aliases: ['autodromo vallelunga'],
  },
  melbourne: {
    name: 'Albert Park Circuit',
    lengthM: 5278,
    sectorStartsM: [1760, 3520],
    approximate: true,
    aliases: ['albert park', 'australia'],
  },
  jeddah: {
    name: 'Jeddah Corniche Circuit',
    lengthM: 6174,
    sectorStartsM: [2060, 4120],
    approximate: true,
    aliases: ['jeddah corniche circuit', 'saudi arabia'],
  },
  baku: {
    name: 'Baku City Circuit',
    lengthM: 6003,
    sectorStartsM: [2000, 4000],
    approximate: true,
    aliases: ['baku city circuit', 'azerbaijan'],
  },
  miami: {
    name: 'Miami International Autodrome',
    lengthM: 5412,
    sectorStartsM: [1800, 3610],
    approximate: true,
    aliases: ['miami international autodrome'],
  },
  montreal: {
    name: 'Circuit Gilles Villeneuve',
    lengthM: 4361,
    sectorStartsM: [1450, 2910],
    approximate: true,
    aliases: ['circuit gilles villeneuve', 'canada'],
  },
  singapore: {
    name: 'Marina Bay Street Circuit',
    lengthM: 4940,
    sectorStartsM: [1650, 3290],
    approximate: true,
    aliases: ['marina bay'],
  },
  interlagos: {
    name: 'Autódromo José Carlos Pace (Interlagos)',
    lengthM: 4309,
    sectorStartsM: [1440, 2870],
    approximate: true,
    aliases: ['brazil', 'sao paulo', 'autodromo jose carlos pace'],
  },
  mexico: {
    name: 'Autódromo Hermanos Rodríguez',
    lengthM: 4304,
    sectorStartsM: [1430, 2870],
    approximate: true,
    aliases: ['autodromo hermanos rodriguez', 'mexico city'],
  },
  shanghai: {
    name: 'Shanghai International Circuit',
    lengthM: 5451,
    sectorStartsM: [1820, 3630],
    approximate: true,
    aliases: ['shanghai international circuit', 'china'],
  },
  yas_marina: {
    name: 'Yas Marina Circuit',
    lengthM: 5281,
    sectorStartsM: [1760, 3520],
    approximate: true,
    aliases: ['yas marina', 'abu dhabi'],
  },
  losail: {
    name: 'Lusail International Circuit',
    lengthM: 5380,
    sectorStartsM: [1790, 3590],
    approximate: true,
    aliases: ['lusail', 'qatar'],
  },
  las_vegas: {
    name: 'Las Vegas Strip Circuit',
    lengthM: 6201,
    sectorStartsM: [2070, 4130],
    approximate: true,
    aliases: ['las vegas strip circuit', 'vegas'],
  },
};

/**
 * Lower case, accents removed, every run of non-alphanumerics one space, and the Assetto Corsa
 * `ks_` content prefix dropped: "ks_nurburgring-gp", "Nürburgring GP" and "nurburgring gp" meet.
 */
export function normaliseTrackName(raw: string): string {
  return raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^ks /, '');
}

const INDEX = new Map<string, string>();
for (const [id, entry] of Object.entries(TABLE)) {
  for (const key of [id, entry.name, ...entry.aliases]) {
    const normalised = normaliseTrackName(key);
    INDEX.set(normalised, id);
    INDEX.set(normalised.replace(/ /g, ''), id);
  }
}

function resolveId(normalised: string): string | undefined {
  // Sources append layouts ("ks_silverstone gp", "spa 2020", "monza layout junior"): try the full
  // name, then ever shorter leading word runs, each with and without spaces.
  const words = normalised.split(' ');
  for (let n = words.length; n > 0; n--) {
    const candidate = words.slice(0, n).join(' ');
    const id = INDEX.get(candidate) ?? INDEX.get(candidate.replace(/ /g, ''));
    if (id !== undefined) return id;
  }
  return undefined;
}

const UNKNOWN_SECTOR_STARTS: readonly number[] = Object.freeze([1 / 3, 2 / 3]);

/** The table entry for a track name, or an unknown-track stand-in with three equal sectors. */
export function lookupTrack(rawName: string): TrackInfo {
  const normalised = normaliseTrackName(rawName);
  const id = normalised === '' ? undefined : resolveId(normalised);
  if (id === undefined) {
    return {
      id: normalised,
      name: rawName,
      lengthM: undefined,
      sectorStarts: UNKNOWN_SECTOR_STARTS,
      known: false,
      sectorsApproximate: true,
    };
  }
  const entry = TABLE[id]!;
  return {
    id,
    name: entry.name,
    lengthM: entry.lengthM,
    sectorStarts: Object.freeze(entry.sectorStartsM.map((m) => m / entry.lengthM)),
    known: true,
    sectorsApproximate: entry.approximate,
  };
}

/** Every track in the table (for documentation and dashboards). */
export function knownTracks(): TrackInfo[] {
  return Object.keys(TABLE).map((id) => lookupTrack(id));
}

/** Sector boundaries of a track in metres for a given lap length. */
export function sectorStartsM(track: TrackInfo, lapLengthM: number): number[] {
  return track.sectorStarts.map((share) => share * lapLengthM);
}
