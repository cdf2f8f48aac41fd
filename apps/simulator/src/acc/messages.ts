// ACC broadcasting messages built from the driving model.
import {
  BroadcastingEventType,
  CarLocation,
  DriverCategory,
  SessionPhase,
  SessionType,
  type EntryListCar,
  type LapRecord,
  type RealtimeCarUpdate,
  type RealtimeUpdate,
  type TrackData,
  type BroadcastingEvent,
} from '@pitwall/acc-broadcast';
import type { Car, LapCompletion, Race } from '../driving';

/** Ferrari 488 GT3 Evo in ACC's car model table. */
export const CAR_MODEL_TYPE = 24;
const SESSION_LENGTH_MS = 3_600_000;
/** 14:00 at the start of the session. */
const START_TIME_OF_DAY_MS = 14 * 3_600_000;

export const CAMERA_SETS: TrackData['cameraSets'] = [
  { name: 'Drivable', cameras: ['Chase', 'FarChase', 'Bonnet', 'DashPro', 'Cockpit', 'Dash', 'Helmet'] },
  { name: 'Onboard', cameras: ['Onboard0', 'Onboard1', 'Onboard2', 'Onboard3'] },
  { name: 'set1', cameras: ['CameraTV1', 'CameraTV2'] },
  { name: 'Helicam', cameras: ['Helicam'] },
];
export const HUD_PAGES = ['Blank', 'Basic HUD', 'Help', 'TimeTable', 'Broadcasting', 'TrackMap'];

const NO_LAP: LapRecord = {
  laptimeMs: null,
  carIndex: 0,
  driverIndex: 0,
  splitsMs: [null, null, null],
  isInvalid: false,
  isValidForBest: false,
  isOutlap: false,
  isInlap: false,
};

function lapRecord(carIndex: number, laptimeMs: number | null, splitsMs: (number | null)[], flags: Partial<LapRecord> = {}): LapRecord {
  if (laptimeMs === null) return { ...NO_LAP, carIndex };
  return { ...NO_LAP, carIndex, laptimeMs, splitsMs, isValidForBest: true, ...flags };
}

export interface ViewState {
  focusedCarIndex: number;
  activeCameraSet: string;
  activeCamera: string;
  currentHudPage: string;
}

export function realtimeUpdate(race: Race, view: ViewState, trackTempC: number): RealtimeUpdate {
  const best = race.sessionBest;
  return {
    type: 'REALTIME_UPDATE',
    eventIndex: 0,
    sessionIndex: 0,
    sessionType: SessionType.Race,
    phase: SessionPhase.Session,
    sessionTimeMs: race.elapsedMs,
    sessionEndTimeMs: Math.max(0, SESSION_LENGTH_MS - race.elapsedMs),
    ...view,
    replay: null,
    timeOfDayMs: (START_TIME_OF_DAY_MS + race.elapsedMs) % 86_400_000,
    ambientTempC: Math.round(race.airTempC),
    trackTempC: Math.round(trackTempC),
    clouds: 0.2,
    rainLevel: 0,
    wetness: 0,
    bestSessionLap: best ? lapRecord(best.carIndex, best.lapMs, best.sectorsMs) : NO_LAP,
  };
}

export function carUpdate(car: Car): RealtimeCarUpdate {
  const fraction = car.distanceM / car.track.lengthM;
  return {
    type: 'REALTIME_CAR_UPDATE',
    carIndex: car.index,
    driverIndex: 0,
    driverCount: 1,
    gear: car.gear,
    worldPosX: car.pose.x,
    worldPosY: car.pose.y,
    yaw: car.pose.heading,
    carLocation: CarLocation.Track,
    kmh: Math.round(car.speedMs * 3.6),
    position: car.position,
    cupPosition: car.position,
    trackPosition: car.position,
    splinePosition: fraction,
    laps: car.lapsCompleted,
    deltaMs: car.bestLapMs === null || car.lap === 0 ? 0 : Math.round(car.currentLapMs - car.bestLapMs * fraction),
    bestSessionLap: lapRecord(car.index, car.bestLapMs, car.bestSectorsMs ?? []),
    lastLap: lapRecord(car.index, car.lastLapMs, car.lastSectorsMs ?? []),
    currentLap: {
      ...NO_LAP,
      carIndex: car.index,
      laptimeMs: Math.round(car.currentLapMs),
      splitsMs: car.currentSectorsMs.filter((s): s is number => s !== null),
      isValidForBest: car.lap > 0,
      isOutlap: car.lap === 0,
    },
  };
}

export function entryListCar(car: Car): EntryListCar {
  const d = car.driver;
  return {
    type: 'ENTRY_LIST_CAR',
    carIndex: car.index,
    carModelType: CAR_MODEL_TYPE,
    teamName: `${d.team} Racing`,
    raceNumber: d.raceNumber,
    cupCategory: 0,
    currentDriverIndex: 0,
    nationality: d.accNationality,
    drivers: [
      {
        firstName: d.firstName,
        lastName: d.lastName,
        shortName: d.shortName,
        category: car.index % 2 === 0 ? DriverCategory.Platinum : DriverCategory.Gold,
        nationality: d.accNationality,
      },
    ],
  };
}

export function lapEvents(race: Race, lap: LapCompletion): BroadcastingEvent[] {
  const car = race.cars[lap.carIndex]!;
  const time = formatLap(lap.lapTimeMs);
  const events: BroadcastingEvent[] = [
    { type: 'BROADCASTING_EVENT', eventType: BroadcastingEventType.LapCompleted, message: `${car.driver.shortName} lap ${lap.lap}: ${time}`, timeMs: lap.lapTimeMs, carId: car.index },
  ];
  if (lap.sessionBest) {
    events.push({ type: 'BROADCASTING_EVENT', eventType: BroadcastingEventType.BestSessionLap, message: `${car.driver.shortName} ${time}`, timeMs: lap.lapTimeMs, carId: car.index });
  } else if (lap.personalBest) {
    events.push({ type: 'BROADCASTING_EVENT', eventType: BroadcastingEventType.BestPersonalLap, message: `${car.driver.shortName} ${time}`, timeMs: lap.lapTimeMs, carId: car.index });
  }
  return events;
}

/** 1:42.345 */
export function formatLap(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(3).padStart(6, '0');
  return `${minutes}:${seconds}`;
}
