// F1 23/24/25 packet bodies for one rig, from the driving model. Each starts from the format's
// blank packet (every field of that format, zero) and fills what the model knows; per-car arrays always have 22 entries,
// slots past the field's cars stay zero, as the game sends them.
import {
  MAX_CARS,
  blankPacket,
  PacketId,
  SESSION_TYPE_NAMES,
  type CarDamagePacket,
  type CarMotionData,
  type CarStatusPacket,
  type CarTelemetryPacket,
  type EventPacket,
  type LapDataPacket,
  type MotionPacket,
  type PacketFormat,
  type ParticipantsPacket,
  type SessionPacket,
} from '@pitwall/f1-udp';
import { clamp, type Car, type Race } from '../driving';

const I16 = 32767;
/** Largest delta each format's lap data can carry: u16 ms in F1 23, minutes + ms from F1 24. */
const MAX_DELTA_MS: Record<PacketFormat, number> = { 2023: 65_535, 2024: 255 * 60_000 + 59_999, 2025: 255 * 60_000 + 59_999 };
/** C3 compound, shown as a medium. */
const ACTUAL_COMPOUND = 18;
const VISUAL_COMPOUND = 17;
const SESSION_DURATION_S = 3600;
const DRIVER_STATUS = { onTrack: 4, outLap: 3 } as const;
const RESULT_ACTIVE = 2;
const NO_CAR = 255;

export interface RigIdentity {
  format: PacketFormat;
  playerCarIndex: number;
  /** -1 = unknown (a generated track is no real circuit). */
  trackId: number;
  totalLaps: number;
}

export class F1PacketBuilder {
  /** Fastest speed each car has shown, km/h (the speed trap of lap data). */
  private readonly topSpeedKmh = new Float64Array(MAX_CARS);
  private readonly raceSessionType: number;
  // Per-step packets are built once and refilled each step (encoding is synchronous): a fresh
  // 22-car packet five times a step was most of the garbage a rig made.
  private readonly motionPacket: MotionPacket;
  private readonly lapDataPacket: LapDataPacket;
  private readonly telemetryPacket: CarTelemetryPacket;
  private readonly statusPacket: CarStatusPacket;
  private readonly damagePacket: CarDamagePacket;

  constructor(
    readonly race: Race,
    readonly rig: RigIdentity,
  ) {
    if (race.cars.length > MAX_CARS) throw new RangeError(`F1 packets carry at most ${MAX_CARS} cars, the race has ${race.cars.length}`);
    this.raceSessionType = SESSION_TYPE_NAMES[rig.format].indexOf('Race');
    this.motionPacket = blankPacket(rig.format, PacketId.Motion);
    this.lapDataPacket = blankPacket(rig.format, PacketId.LapData);
    this.telemetryPacket = blankPacket(rig.format, PacketId.CarTelemetry);
    this.statusPacket = blankPacket(rig.format, PacketId.CarStatus);
    this.damagePacket = blankPacket(rig.format, PacketId.CarDamage);
  }

  /** Updates what is observed over time (speed trap); call once per simulation step. */
  observe(): void {
    for (const car of this.race.cars) this.topSpeedKmh[car.index] = Math.max(this.topSpeedKmh[car.index]!, car.speedMs * 3.6);
  }

  motion(): MotionPacket {
    const packet = this.motionPacket;
    for (const car of this.race.cars) packet.carMotionData[car.index] = carMotion(car);
    return packet;
  }

  lapData(): LapDataPacket {
    const format = this.rig.format;
    const packet = this.lapDataPacket;
    const length = this.race.track.lengthM;
    for (const car of this.race.cars) {
      const gaps = this.race.gapsMs(car);
      const entry = packet.lapData[car.index]!;
      Object.assign(entry, {
        lastLapTimeInMS: car.lastLapMs ?? 0,
        currentLapTimeInMS: Math.round(car.currentLapMs),
        sector1TimeMS: car.currentSectorsMs[0] ?? 0,
        sector2TimeMS: car.currentSectorsMs[1] ?? 0,
        deltaToCarInFrontMS: clamp(gaps.toFront, 0, MAX_DELTA_MS[format]),
        deltaToRaceLeaderMS: clamp(gaps.toLeader, 0, MAX_DELTA_MS[format]),
        // Negative before the line is first crossed, as the game sends it.
        lapDistance: car.lap === 0 ? car.distanceM - length : car.distanceM,
        totalDistance: car.progress * length,
        carPosition: car.position,
        currentLapNum: Math.max(1, car.lap),
        numPitStops: car.pitStops,
        sector: car.sector,
        gridPosition: car.gridPosition,
        driverStatus: car.lap === 0 ? DRIVER_STATUS.outLap : DRIVER_STATUS.onTrack,
        resultStatus: RESULT_ACTIVE,
        speedTrapFastestSpeed: this.topSpeedKmh[car.index]!,
        speedTrapFastestLap: NO_CAR,
      });
    }
    packet.timeTrialPBCarIdx = NO_CAR;
    packet.timeTrialRivalCarIdx = NO_CAR;
    return packet;
  }

  carTelemetry(): CarTelemetryPacket {
    const packet = this.telemetryPacket;
    for (const car of this.race.cars) {
      const spec = car.spec;
      const revs = clamp((car.rpm - spec.idleRpm) / (spec.maxRpm - spec.idleRpm), 0, 1);
      const leds = Math.round(revs * 15);
      Object.assign(packet.carTelemetryData[car.index]!, {
        speed: Math.round(car.speedMs * 3.6),
        throttle: car.throttle,
        steer: car.steer,
        brake: car.brake,
        clutch: 0,
        gear: car.gear,
        engineRPM: Math.round(car.rpm),
        drs: car.throttle === 1 && car.speedMs > 0.85 * spec.topSpeedMs ? 1 : 0,
        revLightsPercent: Math.round(revs * 100),
        revLightsBitValue: (1 << leds) - 1,
        brakesTemperature: wheels((w) => Math.round(car.brakeC[w]!)),
        tyresSurfaceTemperature: wheels((w) => byte(car.tyreSurfaceC[w]!)),
        tyresInnerTemperature: wheels((w) => byte(car.tyreInnerC[w]!)),
        engineTemperature: 105,
        tyresPressure: wheels((w) => car.tyrePressurePsi(w)),
        surfaceType: [0, 0, 0, 0],
      });
    }
    packet.mfdPanelIndex = NO_CAR;
    packet.mfdPanelIndexSecondaryPlayer = NO_CAR;
    packet.suggestedGear = 0;
    return packet;
  }

  carStatus(): CarStatusPacket {
    const packet = this.statusPacket;
    for (const car of this.race.cars) {
      const spec = car.spec;
      Object.assign(packet.carStatusData[car.index]!, {
        fuelMix: 1,
        frontBrakeBias: 56,
        fuelInTank: car.fuelKg,
        fuelCapacity: spec.fuelCapacityKg,
        fuelRemainingLaps: car.fuelKg / spec.fuelPerLapKg,
        maxRPM: spec.maxRpm,
        idleRPM: spec.idleRpm,
        maxGears: spec.gears,
        drsAllowed: 1,
        actualTyreCompound: ACTUAL_COMPOUND,
        visualTyreCompound: VISUAL_COMPOUND,
        tyresAgeLaps: Math.min(255, car.tyreAgeLaps),
        enginePowerICE: 560_000 * car.throttle,
        enginePowerMGUK: 120_000 * car.throttle,
        ersStoreEnergy: 2_000_000,
        ersDeployMode: 1,
      });
    }
    return packet;
  }

  carDamage(): CarDamagePacket {
    const packet = this.damagePacket;
    for (const car of this.race.cars) {
      const entry = packet.carDamageData[car.index]!;
      entry.tyresWear = wheels((w) => car.tyreWearPct[w]!);
      entry.tyresDamage = wheels((w) => Math.min(100, Math.floor(car.tyreWearPct[w]!)));
    }
    return packet;
  }

  session(sessionLink: number): SessionPacket {
    const packet = blankPacket(this.rig.format, PacketId.Session);
    const race = this.race;
    const length = race.track.lengthM;
    const zones = 3;
    Object.assign(packet, {
      weather: 0,
      trackTemperature: Math.round(race.tyres.trackTempC),
      airTemperature: Math.round(race.airTempC),
      totalLaps: this.rig.totalLaps,
      trackLength: Math.round(length),
      sessionType: this.raceSessionType,
      trackId: this.rig.trackId,
      sessionTimeLeft: Math.max(0, Math.round(SESSION_DURATION_S - race.elapsedMs / 1000)),
      sessionDuration: SESSION_DURATION_S,
      pitSpeedLimit: 80,
      spectatorCarIndex: NO_CAR,
      numMarshalZones: zones,
      aiDifficulty: 90,
      seasonLinkIdentifier: sessionLink,
      weekendLinkIdentifier: sessionLink,
      sessionLinkIdentifier: sessionLink,
      pitStopWindowIdealLap: Math.round(this.rig.totalLaps / 2),
      pitStopWindowLatestLap: Math.round(this.rig.totalLaps / 2) + 4,
      timeOfDay: 14 * 60 + Math.floor(race.elapsedMs / 60_000),
      sessionLength: 7,
      sector2LapDistanceStart: race.track.sectorStarts[0] * length,
      sector3LapDistanceStart: race.track.sectorStarts[1] * length,
    });
    for (let z = 0; z < zones; z++) packet.marshalZones[z] = { zoneStart: z / zones, zoneFlag: 0 };
    return packet;
  }

  participants(): ParticipantsPacket {
    const packet = blankPacket(this.rig.format, PacketId.Participants);
    packet.numActiveCars = this.race.cars.length;
    for (const car of this.race.cars) {
      const d = car.driver;
      Object.assign(packet.participants[car.index]!, {
        aiControlled: car.index === this.rig.playerCarIndex ? 0 : 1,
        driverId: car.index === this.rig.playerCarIndex ? NO_CAR : 100 + car.index,
        networkId: car.index,
        teamId: d.f1TeamId,
        raceNumber: d.raceNumber,
        nationality: d.f1Nationality,
        name: `${d.firstName} ${d.lastName}`,
        yourTelemetry: 1,
        showOnlineNames: 1,
        platform: 1,
      });
    }
    return packet;
  }

  sessionStarted(): EventPacket {
    return { id: PacketId.Event, code: 'SSTA', details: {} };
  }

  fastestLap(carIndex: number, lapTimeMs: number): EventPacket {
    return { id: PacketId.Event, code: 'FTLP', details: { vehicleIdx: carIndex, lapTime: lapTimeMs / 1000 } };
  }
}

function carMotion(car: Car): CarMotionData {
  const { x, y, z, heading, slope } = car.pose;
  const cos = Math.cos(heading);
  const sin = Math.sin(heading);
  const v = car.speedMs;
  // F1's world has y up: the track plane is x/z.
  return {
    worldPositionX: x,
    worldPositionY: z,
    worldPositionZ: y,
    worldVelocityX: v * cos,
    worldVelocityY: v * slope,
    worldVelocityZ: v * sin,
    worldForwardDirX: Math.round(cos * I16),
    worldForwardDirY: 0,
    worldForwardDirZ: Math.round(sin * I16),
    worldRightDirX: Math.round(sin * I16),
    worldRightDirY: 0,
    worldRightDirZ: Math.round(-cos * I16),
    gForceLateral: car.gLateral,
    gForceLongitudinal: car.gLongitudinal,
    gForceVertical: car.gVertical,
    yaw: heading,
    pitch: Math.atan(slope),
    roll: 0,
  };
}

type Four = [number, number, number, number];
const wheels = (f: (w: number) => number): Four => [f(0), f(1), f(2), f(3)];
const byte = (v: number): number => clamp(Math.round(v), 0, 255);
