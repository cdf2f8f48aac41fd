// RTCarInfo and RTLap values from the driving model, in the game's units and wheel order.
import type { RTCarInfo, RTLap } from '@pitwall/ac-udp';
import type { Car, LapCompletion } from '../driving';

type Wheels = RTCarInfo['load'];
const wheels = (f: (w: number) => number): Wheels => [f(0), f(1), f(2), f(3)];

const CAR_MASS_KG = 1300;
const MS_TO_KMH = 3.6;
const MS_TO_MPH = 2.236_936;
/** Half the lock-to-lock rotation of the simulated steering wheel (900°). */
export const AC_STEER_LOCK_DEG = 450;

export function carInfo(car: Car): Omit<RTCarInfo, 'gearRaw'> {
  const spec = car.spec;
  const v = car.speedMs;
  return {
    identifier: 'a',
    size: 328,
    speedKmh: v * MS_TO_KMH,
    speedMph: v * MS_TO_MPH,
    speedMs: v,
    isAbsEnabled: true,
    isAbsInAction: car.brake > 0.8,
    isTcInAction: car.throttle === 1 && car.gear <= 3,
    isTcEnabled: true,
    isInPit: false,
    isEngineLimiterOn: car.rpm >= spec.maxRpm * 0.995,
    // Vertical is the load change over the static 1 g.
    accGVertical: car.gVertical - 1,
    accGHorizontal: car.gLateral,
    accGFrontal: car.gLongitudinal,
    lapTimeMs: Math.round(car.currentLapMs),
    lastLapMs: car.lastLapMs ?? 0,
    bestLapMs: car.bestLapMs ?? 0,
    lapCount: car.lapsCompleted,
    gas: car.throttle,
    brake: car.brake,
    clutch: 0,
    engineRpm: car.rpm,
    // The steering-wheel angle in degrees, as collector-ac reads it (AC_MAX_STEER_DEG, default 450,
    // is half of a 900° lock-to-lock wheel); the model's steer is −1..1 of that lock.
    steer: car.steer * AC_STEER_LOCK_DEG,
    gear: car.gear,
    cgHeight: 0.32,
    wheelAngularSpeed: wheels(() => v / spec.tyreRadiusM),
    slipAngle: wheels(() => car.gLateral * 0.9),
    slipAngleContactPatch: wheels(() => car.gLateral * 0.8),
    slipRatio: wheels((w) => (w < 2 ? car.gLongitudinal * 0.02 : 0)),
    tyreSlip: wheels(() => Math.abs(car.gLateral) * 0.1),
    ndSlip: wheels(() => Math.abs(car.gLateral) / spec.lateralG),
    load: wheels((w) => (CAR_MASS_KG * 9.81 * car.wheelLoad(w)) / 4),
    dy: wheels(() => 1.3),
    mz: wheels(() => -car.gLateral * 20),
    tyreDirtyLevel: wheels(() => 0),
    camberRad: wheels(() => -0.05),
    tyreRadius: wheels(() => spec.tyreRadiusM),
    tyreLoadedRadius: wheels((w) => spec.tyreRadiusM - 0.004 * car.wheelLoad(w)),
    suspensionHeight: wheels((w) => 0.06 - 0.01 * car.wheelLoad(w)),
    carPositionNormalized: car.distanceM / car.track.lengthM,
    carSlope: car.pose.slope,
    // AC's world has y up.
    carCoordinates: [car.pose.x, car.pose.z, car.pose.y],
  };
}

export function lapMessage(car: Car, lap: LapCompletion, carName: string): RTLap {
  return {
    carIdentifierNumber: car.index,
    lap: lap.lap,
    driverName: `${car.driver.firstName} ${car.driver.lastName}`,
    carName,
    timeMs: lap.lapTimeMs,
  };
}
