export { Car, type LapCompletion, type TyreModel, type Wheels } from './car';
export { F1_CAR, GT3_CAR, type CarSpec } from './car-spec';
export { G, SpeedProfile, gearTopSpeed } from './profile';
export { Race, type RaceOptions } from './race';
export { between, clamp, gaussian, seededRandom, sessionUid, type Random } from './random';
export { driverFor, type Driver } from './roster';
export { SAMPLE_M, Track, generateTrack, type Pose, type TrackOptions } from './track';
