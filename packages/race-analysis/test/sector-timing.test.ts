import { lookupTrack, SessionAnalyzer } from '../src';
import { feed, frame, laps, insights, stint, T0 } from './helpers/frames';

describe('sector timing', () => {
  test('crossings interpolated between samples match hand-computed times', () => {
    // Sebring boundaries: 6020 × 0.3031 = 1824.66 → 1825 m, 6020 × 0.6127 = 3688.45 → 3688 m.
    const s = 1_000_000;
    const frames = [
      frame({ sequence: 1, sourceTimeUs: T0, lap: 1, lapDistanceM: 0 }),
      frame({ sequence: 2, sourceTimeUs: T0 + 30 * s, lap: 1, lapDistanceM: 1800 }),
      // 1825 m is 25 of the 50 m to the next sample: crossed at 30.5 s.
      frame({ sequence: 3, sourceTimeUs: T0 + 31 * s, lap: 1, lapDistanceM: 1850 }),
      frame({ sequence: 4, sourceTimeUs: T0 + 60 * s, lap: 1, lapDistanceM: 3660 }),
      // 3688 m is 28 of the 40 m to the next sample: crossed at 60 + 2 × 0.7 = 61.4 s.
      frame({ sequence: 5, sourceTimeUs: T0 + 62 * s, lap: 1, lapDistanceM: 3700 }),
      frame({ sequence: 6, sourceTimeUs: T0 + 99 * s, lap: 1, lapDistanceM: 6000 }),
      // The line (6020 m) is 20 of the 20 + 30 m to the next sample: crossed at 99.4 s.
      frame({ sequence: 7, sourceTimeUs: T0 + 100 * s, lap: 2, lapDistanceM: 30 }),
    ];
    const out = feed(new SessionAnalyzer(), frames);
    const [lap] = laps(out);
    expect(lap!.lapTimeS).toBeCloseTo(99.4, 9);
    expect(lap!.sectorTimesS).toHaveLength(3);
    expect(lap!.sectorTimesS![0]).toBeCloseTo(30.5, 9);
    expect(lap!.sectorTimesS![1]).toBeCloseTo(61.4 - 30.5, 9);
    expect(lap!.sectorTimesS![2]).toBeCloseTo(99.4 - 61.4, 9);
    // One insight per sector (0 and 1) as it completes, then the lap's own.
    expect(insights(out).map((i) => i.sector ?? 'lap')).toEqual([0, 1, 'lap']);
  });

  test('constant speed over COTA: sector times are the boundary distances over the speed', () => {
    const cota = lookupTrack('cota');
    const v = 5514 / 120; // m/s for a 120 s lap
    const frames = stint({ lengthM: 5514, lapTimeS: () => 120, laps: 3, hz: 13, counter: 'source', track: 'Circuit of the Americas' });
    const [, second] = laps(feed(new SessionAnalyzer(), frames));
    const bounds = cota.sectorStarts.map((share) => share * 5514);
    expect(second!.sectorTimesS![0]).toBeCloseTo(bounds[0]! / v, 5);
    expect(second!.sectorTimesS![1]).toBeCloseTo((bounds[1]! - bounds[0]!) / v, 5);
    expect(second!.sectorTimesS![2]).toBeCloseTo((5514 - bounds[1]!) / v, 5);
  });

  test('a source whose lap is a different length (another layout) has its boundaries rescaled', () => {
    // Table says 3200 m for Sonoma; this source runs the 4031 m layout: the observed lap length
    // (last sample extrapolated to the line at the car's speed) replaces it from lap 2.
    const frames = stint({ lengthM: 4031, lapTimeS: () => 100, laps: 4, hz: 10, counter: 'source', track: 'sonoma' });
    const done = laps(feed(new SessionAnalyzer(), frames));
    const shares = lookupTrack('sonoma').sectorStarts;
    const expected = [shares[0]! * 100, (shares[1]! - shares[0]!) * 100, (1 - shares[1]!) * 100];
    done[2]!.sectorTimesS!.forEach((t, i) => expect(t).toBeCloseTo(expected[i]!, 4));
  });
});
