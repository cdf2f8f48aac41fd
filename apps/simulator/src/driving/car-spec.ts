/** What a kind of car can do; the speed profile and the drivetrain follow from it. */
export interface CarSpec {
  name: string;
  topSpeedMs: number;
  /** Cornering grip, in g. */
  lateralG: number;
  brakingG: number;
  /** Acceleration at low speed; it falls to 0 at top speed (drag). */
  accelerationG: number;
  gears: number;
  maxRpm: number;
  idleRpm: number;
  tyreRadiusM: number;
  wheelbaseM: number;
  /** Steering lock of the front wheels, radians (steer ±1). */
  maxSteerRad: number;
  fuelCapacityKg: number;
  fuelStartKg: number;
  fuelPerLapKg: number;
}

export const F1_CAR: CarSpec = {
  name: 'f1',
  topSpeedMs: 90,
  lateralG: 3.2,
  brakingG: 4.5,
  accelerationG: 1.4,
  gears: 8,
  maxRpm: 12500,
  idleRpm: 4000,
  tyreRadiusM: 0.36,
  wheelbaseM: 3.6,
  maxSteerRad: 0.35,
  fuelCapacityKg: 110,
  fuelStartKg: 100,
  fuelPerLapKg: 1.6,
};

export const GT3_CAR: CarSpec = {
  name: 'gt3',
  topSpeedMs: 78,
  lateralG: 1.7,
  brakingG: 1.6,
  accelerationG: 0.6,
  gears: 6,
  maxRpm: 8500,
  idleRpm: 1100,
  tyreRadiusM: 0.34,
  wheelbaseM: 2.7,
  maxSteerRad: 0.4,
  fuelCapacityKg: 90,
  fuelStartKg: 80,
  fuelPerLapKg: 2.6,
};
