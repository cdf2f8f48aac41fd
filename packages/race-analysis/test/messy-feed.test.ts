import type { TelemetryFrame } from '@pitwall/proto';
import { SessionAnalyzer } from '../src';
import { feed, laps, T0 } from './helpers/frames';
import { seededRandom } from './helpers/random';

/**
 * A car with a varying speed profile, sampled at ~20 Hz with clock jitter, then mangled the way
 * networks do: dropped, duplicated and swapped frames. The true line crossings are known from
 * the fine-step simulation, so lap times can be checked against them.
 */
function messyRace(seed: number, withCounter: boolean) {
  const random = seededRandom(seed);
  const length = 3830; // Barber
  const stepS = 0.001;
  const crossings: number[] = [];
  const clean: TelemetryFrame[] = [];
  let distance = 0;
  let lap = 1;
  let nextSampleS = 0;
  let sequence = 1;
  for (let t = 0; lap <= 6; t += stepS) {
    const fraction = distance / length;
    const speedMs = 40 * (1 + 0.35 * Math.sin(2 * Math.PI * 4 * fraction)) * (1 - 0.004 * lap);
    distance += speedMs * stepS;
    if (distance >= length) {
      distance -= length;
      lap++;
      crossings.push(t + stepS - distance / speedMs);
    }
    if (t >= nextSampleS) {
      clean.push({
        sessionId: 's1',
        carId: 'car1',
        track: 'barber',
        sequence: sequence++,
        sourceTimeUs: Math.round(T0 + t * 1e6),
        lap: withCounter ? lap : 0,
        lapDistanceM: distance,
        speedKmh: speedMs * 3.6,
        gLat: Math.sin(2 * Math.PI * 4 * fraction),
        gLon: 0.1,
      });
      nextSampleS += 0.05 + (random() - 0.5) * 0.01;
    }
  }
  const mangled: TelemetryFrame[] = [];
  for (let i = 0; i < clean.length; i++) {
    const r = random();
    if (r < 0.02) continue; // dropped
    if (r < 0.03) mangled.push(clean[i]!); // duplicated
    if (r < 0.035 && i + 1 < clean.length) {
      mangled.push(clean[i + 1]!, clean[i]!); // swapped with the next
      i++;
      continue;
    }
    mangled.push(clean[i]!);
  }
  return { frames: mangled, crossings };
}

describe('a messy feed', () => {
  test.each([
    [1, true],
    [2, true],
    [3, true],
    [4, false],
    [5, false],
  ])('seed %i (lap counter: %s): every lap found, lap times within 10 ms of the truth', (seed, withCounter) => {
    const { frames, crossings } = messyRace(seed, withCounter);
    const done = laps(feed(new SessionAnalyzer(), frames)).filter((l) => l.valid);
    // The car starts on the line, so the first lap is a full lap too. Without a counter the
    // analyzer numbers laps from 0.
    const first = withCounter ? 1 : 0;
    expect(done.map((l) => l.lap! - first)).toEqual([0, 1, 2, 3, 4]);
    for (const lap of done) {
      const n = lap.lap! - first + 1;
      const truth = crossings[n - 1]! - (n > 1 ? crossings[n - 2]! : 0);
      expect(Math.abs(lap.lapTimeS! - truth)).toBeLessThan(0.01);
      expect(lap.sectorTimesS!.reduce((a, b) => a + b, 0)).toBeCloseTo(lap.lapTimeS!, 9);
    }
  });
});
