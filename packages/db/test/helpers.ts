import type { Pool } from 'pg';
import { silentLogger } from '@pitwall/logger';
import { codecs, nowMicros, Source, type TelemetryFrame } from '@pitwall/proto';
import { migrate, type Delivered } from '../src';

export const logger = silentLogger();

/**
 * For tests against the embedded server: initdb, CREATE DATABASE and migrations take well under a
 * second alone but several on 2 cores shared with the rest of the suite.
 */
export const DB_TEST_TIMEOUT_MS = 60_000;

/** Frame times derive from the sequence, so frame(n) twice is the same frame (as a redelivery is). */
const BASE_TIME_US = nowMicros() - 3_600_000_000;

/** A fully populated frame, decoded from its wire form like a consumer would see it. */
export function frame(sequence: number, overrides: Partial<TelemetryFrame> = {}): TelemetryFrame {
  const base: TelemetryFrame = {
    sessionId: 'session-1',
    source: Source.SOURCE_SIMULATOR,
    carId: 'car-7',
    driverName: 'Driver Seven',
    carModel: 'gt3',
    track: 'monza',
    sequence,
    sourceTimeUs: BASE_TIME_US + sequence * 1000,
    ingestTimeUs: BASE_TIME_US + sequence * 1000 + 250,
    sessionTimeS: 12.5 + sequence,
    lap: 3,
    lapDistanceM: 1234.5,
    normalizedPosition: 0.25,
    sector: 1,
    racePosition: 4,
    currentLapTimeMs: 45_000,
    lastLapTimeMs: 101_234,
    inPit: false,
    lapInvalid: false,
    speedKmh: 250.5,
    throttle: 1,
    brake: 0,
    clutch: 0,
    steer: -0.125,
    gear: 6,
    rpm: 8750,
    gLat: 1.5,
    gLon: -0.5,
    gVert: 0.25,
    worldPositionM: { x: 1.5, y: -2.5, z: 3.25 },
    yawRad: 0.5,
    tyreSurfaceTempC: { rl: 80, rr: 81, fl: 82, fr: 83 },
    tyreInnerTempC: { rl: 90, rr: 91, fl: 92, fr: 93 },
    tyrePressurePsi: { rl: 27.5, rr: 27.75, fl: 28, fr: 28.25 },
    tyreWear: { rl: 0.125, rr: 0.25, fl: 0.375, fr: 0.5 },
    brakeTempC: { rl: 400, rr: 401, fl: 402, fr: 403 },
    fuelKg: 42.5,
    extras: { pbrake_r: 0.5 },
    ...overrides,
  };
  return codecs.frame.decode(codecs.frame.encode(base));
}

/** Frames delivered on consecutive offsets of one partition. */
export function delivered<T>(values: T[], partition = 0, firstOffset = 0, topic = 'telemetry'): Delivered<T>[] {
  return values.map((value, i) => ({ value, topic, partition, offset: firstOffset + i }));
}

export async function migrated(pool: Pool): Promise<Pool> {
  await migrate(pool, { logger });
  return pool;
}

export async function count(pool: Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}
