/** Builders of TelemetryFrames for tests: single frames and simulated stints at constant speed. */
import type { TelemetryFrame } from '@pitwall/proto';
import type { Output } from '../../src';

export const T0 = 1_700_000_000_000_000;

export function frame(fields: Partial<TelemetryFrame>): TelemetryFrame {
  return { sessionId: 's1', carId: 'car1', track: 'sebring', lap: 0, sequence: 1, sourceTimeUs: T0, ...fields };
}

export interface StintOptions {
  lengthM: number;
  /** Lap time of lap index i (0-based) in seconds; the car runs each lap at constant speed. */
  lapTimeS: (lapIndex: number) => number;
  laps: number;
  hz: number;
  /** Lap counter: 'source' sends lap = index + 1, 'none' sends 0. */
  counter: 'source' | 'none';
  position?: 'distance' | 'normalized';
  track?: string;
  carId?: string;
  sessionId?: string;
  /** Extra fields per frame (g-forces, pit flags...), given the lap index and fraction. */
  extra?: (lapIndex: number, fraction: number, timeS: number) => Partial<TelemetryFrame>;
  startUs?: number;
  firstSequence?: number;
}

/**
 * Frames of a stint starting exactly on the line. Samples fall on a fixed clock, so the line and
 * sector crossings fall between samples and must be interpolated.
 */
export function stint(options: StintOptions): TelemetryFrame[] {
  const frames: TelemetryFrame[] = [];
  const start = options.startUs ?? T0;
  const stepS = 1 / options.hz;
  let lapStartS = 0;
  let sequence = options.firstSequence ?? 1;
  for (let lapIndex = 0; lapIndex < options.laps; lapIndex++) {
    const lapTime = options.lapTimeS(lapIndex);
    const firstSample = Math.ceil(lapStartS / stepS - 1e-9);
    for (let k = firstSample; k * stepS < lapStartS + lapTime - 1e-9; k++) {
      const timeS = k * stepS;
      const fraction = (timeS - lapStartS) / lapTime;
      const f: TelemetryFrame = {
        sessionId: options.sessionId ?? 's1',
        carId: options.carId ?? 'car1',
        track: options.track ?? 'sebring',
        sequence: sequence++,
        sourceTimeUs: Math.round(start + timeS * 1e6),
        lap: options.counter === 'source' ? lapIndex + 1 : 0,
        speedKmh: (options.lengthM / lapTime) * 3.6,
        ...options.extra?.(lapIndex, fraction, timeS),
      };
      if ((options.position ?? 'distance') === 'distance') f.lapDistanceM = fraction * options.lengthM;
      else f.normalizedPosition = fraction;
      frames.push(f);
    }
    lapStartS += lapTime;
  }
  return frames;
}

export function laps(outputs: readonly Output[]) {
  return outputs.flatMap((o) => (o.kind === 'lap' ? [o.lap] : []));
}

export function insights(outputs: readonly Output[]) {
  return outputs.flatMap((o) => (o.kind === 'insight' ? [o.insight] : []));
}

export function alerts(outputs: readonly Output[]) {
  return outputs.flatMap((o) => (o.kind === 'alert' ? [o.alert] : []));
}

/** Feed frames to anything with ingest() and collect every output. */
export function feed(target: { ingest(f: TelemetryFrame): readonly Output[] }, frames: readonly TelemetryFrame[]): Output[] {
  const out: Output[] = [];
  for (const f of frames) out.push(...target.ingest(f));
  return out;
}
