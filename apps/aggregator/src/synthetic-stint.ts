/**
 * Synthetic stints for the tests and the benchmark. Frames of cars circling Barber (3,830 m): a speed profile varying round the lap, lap counter and
 * distance, lap times growing 0.1 s a lap, tyre surfaces heating 4 °C a lap (past 115 °C from the
 * eighth lap), fuel burning, and optionally one over-rev episode of 1 s.
 */
import { Source, type TelemetryFrame } from '@pitwall/proto';

export const BARBER_M = 3830;

export interface CarStint {
  sessionId: string;
  carId: string;
  laps: number;
  source?: Source;
  carModel?: string;
  /** Sample rate. Default 5 Hz. */
  hz?: number;
  startUs?: number;
  baseLapS?: number;
  /** Normal rpm range top; default 7000. */
  maxRpm?: number;
  /** Lap (1-based) with 1 s over `overRevRpm` from 1,000 m. */
  overRevLap?: number;
  overRevRpm?: number;
}

const START_US = 1_743_789_600_000_000; // 2025-04-04 18:00 UTC

export function stintFrames(stint: CarStint): TelemetryFrame[] {
  const hz = stint.hz ?? 5;
  const dt = 1 / hz;
  const base = stint.baseLapS ?? 90;
  const maxRpm = stint.maxRpm ?? 7000;
  const frames: TelemetryFrame[] = [];
  let s = 0;
  let lap = 1;
  let t = 0;
  let prevV = 0;
  let overRevFramesLeft = 0;
  let overRevDone = false;
  // Through the first sample of the lap after the last, so the last lap completes.
  for (let seq = 1; ; seq++) {
    const meanV = BARBER_M / (base + 0.1 * (lap - 1));
    const phase = (2 * Math.PI * 3 * s) / BARBER_M;
    const v = meanV * (1 + 0.25 * Math.sin(phase));
    if (lap === stint.overRevLap && s >= 1000 && !overRevDone) {
      overRevFramesLeft = hz; // 1 s
      overRevDone = true;
    }
    const overRev = overRevFramesLeft > 0;
    const surface = 85 + 4 * (lap - 1) + 2 * Math.sin(phase);
    frames.push({
      sessionId: stint.sessionId,
      carId: stint.carId,
      source: stint.source ?? Source.SOURCE_SIMULATOR,
      carModel: stint.carModel ?? 'Toyota GR86',
      driverName: `Driver ${stint.carId}`,
      track: 'barber',
      sequence: seq,
      sourceTimeUs: (stint.startUs ?? START_US) + Math.round(t * 1e6),
      lap,
      lapDistanceM: s,
      speedKmh: v * 3.6,
      throttle: Math.sin(phase) > 0 ? 1 : 0.2,
      brake: Math.sin(phase) < -0.6 ? 0.8 : 0,
      gear: 3 + Math.round(2 * Math.sin(phase)),
      rpm: overRev ? (stint.overRevRpm ?? 7900) : maxRpm - 1500 + 1500 * Math.sin(phase),
      gLat: 1.4 * Math.cos(phase),
      gLon: prevV > 0 ? (v - prevV) / dt / 9.81 : 0,
      tyreSurfaceTempC: { fl: surface, fr: surface + 1, rl: surface - 2, rr: surface - 1 },
      fuelKg: 40 - 2.5 * (lap - 1) - (2.5 * s) / BARBER_M,
    });
    if (lap > stint.laps) break;
    if (overRev) overRevFramesLeft--;
    prevV = v;
    t += dt;
    s += v * dt;
    if (s >= BARBER_M) {
      s -= BARBER_M;
      lap++;
    }
  }
  return frames;
}

/** Several stints interleaved by source time, as they would arrive. */
export function interleave(stints: TelemetryFrame[][]): TelemetryFrame[] {
  return stints.flat().sort((a, b) => Number(a.sourceTimeUs) - Number(b.sourceTimeUs));
}
