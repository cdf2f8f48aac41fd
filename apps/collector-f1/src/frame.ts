import type { CarTelemetryData } from '@pitwall/f1-udp';
import { Source, type TelemetryFrame, type WheelSet } from '@pitwall/proto';
import type { F1Session } from './session-state';

/** Wheel arrays arrive RL, RR, FL, FR: the schema's order too. */
function wheels(values: readonly number[], scale = 1): WheelSet {
  return { rl: values[0]! * scale, rr: values[1]! * scale, fl: values[2]! * scale, fr: values[3]! * scale };
}

export interface FrameTiming {
  sequence: number;
  sourceTimeUs: number;
  ingestTimeUs: number;
  sessionTimeS: number;
}

/**
 * One car's frame: its car-telemetry struct joined with the latest motion, lap data, status,
 * damage and participant entry of the same car index. Channels whose packet has not arrived yet
 * stay absent (absent is not zero). Channels the schema does not model go to `extras` under the
 * game's own names in snake case.
 */
export function carFrame(session: F1Session, carIndex: number, t: CarTelemetryData, timing: FrameTiming): TelemetryFrame {
  const car = session.cars[carIndex];
  const frame: TelemetryFrame = {
    sessionId: session.id,
    source: Source.SOURCE_F1,
    carId: String(carIndex),
    driverName: car?.driverName ?? '',
    carModel: car?.team ?? '',
    track: session.track,
    sequence: timing.sequence,
    sourceTimeUs: timing.sourceTimeUs,
    ingestTimeUs: timing.ingestTimeUs,
    sessionTimeS: timing.sessionTimeS,
    lap: 0,
    speedKmh: t.speed,
    throttle: t.throttle,
    brake: t.brake,
    clutch: t.clutch / 100,
    steer: t.steer,
    gear: t.gear,
    rpm: t.engineRPM,
    tyreSurfaceTempC: wheels(t.tyresSurfaceTemperature),
    tyreInnerTempC: wheels(t.tyresInnerTemperature),
    tyrePressurePsi: wheels(t.tyresPressure),
    brakeTempC: wheels(t.brakesTemperature),
  };
  // A handful of extras: each entry costs every frame its key on the wire and in the encoder.
  const extras: Record<string, number> = { drs: t.drs, engine_temp_c: t.engineTemperature };

  const motion = session.motion[carIndex];
  if (motion) {
    frame.gLat = motion.gForceLateral;
    frame.gLon = motion.gForceLongitudinal;
    frame.gVert = motion.gForceVertical;
    frame.worldPositionM = { x: motion.worldPositionX, y: motion.worldPositionY, z: motion.worldPositionZ };
    frame.yawRad = motion.yaw;
  }

  const lap = session.lap[carIndex];
  if (lap) {
    frame.lap = lap.currentLapNum;
    frame.lapDistanceM = lap.lapDistance;
    if (session.trackLengthM && lap.lapDistance >= 0) frame.normalizedPosition = Math.min(lap.lapDistance / session.trackLengthM, 1);
    frame.sector = lap.sector;
    frame.racePosition = lap.carPosition;
    frame.currentLapTimeMs = lap.currentLapTimeInMS;
    frame.lastLapTimeMs = lap.lastLapTimeInMS;
    // pitStatus: 0 none, 1 pitting, 2 in the pit area.
    frame.inPit = lap.pitStatus !== 0;
    frame.lapInvalid = lap.currentLapInvalid === 1;
  }

  const status = session.status[carIndex];
  if (status) {
    frame.fuelKg = status.fuelInTank;
    extras.fuel_remaining_laps = status.fuelRemainingLaps;
    extras.drs_allowed = status.drsAllowed;
    extras.ers_store_energy_j = status.ersStoreEnergy;
    extras.ers_deploy_mode = status.ersDeployMode;
    extras.tyre_compound = status.actualTyreCompound;
    extras.tyre_age_laps = status.tyresAgeLaps;
  }

  const damage = session.damage[carIndex];
  if (damage) {
    // The game sends wear in percent; the schema's wear is 0 (new) .. 1 (worn out).
    frame.tyreWear = wheels(damage.tyresWear, 0.01);
  }

  frame.extras = extras;
  return frame;
}
