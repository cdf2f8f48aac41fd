import { SessionAnalyzer } from '../src';
import { feed, frame, laps, stint, T0 } from './helpers/frames';

const SEBRING = 6020;
const uniform = (lapTime: number) => () => lapTime;

function run(frames: Parameters<typeof feed>[1], options?: ConstructorParameters<typeof SessionAnalyzer>[0]) {
  const analyzer = new SessionAnalyzer(options);
  const out = feed(analyzer, frames);
  return { analyzer, out, laps: laps(out) };
}

describe('lap detection', () => {
  test('source lap counter: one summary per lap, line crossing interpolated between samples', () => {
    // 7 Hz samples never land on the line: the crossing must be interpolated to get 100.000 s.
    const { laps: done } = run(stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 4, hz: 7, counter: 'source' }));
    expect(done.map((l) => l.lap)).toEqual([1, 2, 3]);
    for (const lap of done) expect(lap.lapTimeS).toBeCloseTo(100, 6);
    expect(done.every((l) => l.valid)).toBe(true);
  });

  test('no lap counter: laps from lap distance wrapping, numbered from the out lap 0', () => {
    const { laps: done } = run(stint({ lengthM: SEBRING, lapTimeS: (i) => 100 + i, laps: 4, hz: 9, counter: 'none' }));
    expect(done.map((l) => l.lap)).toEqual([0, 1, 2]);
    expect(done.map((l) => l.lapTimeS)).toEqual([100, 101, 102].map((x) => expect.closeTo(x, 6)));
    expect(done.every((l) => l.valid)).toBe(true);
  });

  test('no lap counter and no distance: normalised position wrapping', () => {
    const { laps: done } = run(stint({ lengthM: SEBRING, lapTimeS: uniform(95), laps: 3, hz: 10, counter: 'none', position: 'normalized' }));
    expect(done).toHaveLength(2);
    for (const lap of done) expect(lap.lapTimeS).toBeCloseTo(95, 6);
    expect(done[0]!.sectorTimesS).toHaveLength(3);
  });

  test('a missed sample at the line still gives the exact lap time', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' });
    const firstOfLap2 = frames.findIndex((f) => f.lap === 2);
    const withHole = frames.filter((_, i) => i !== firstOfLap2 && i !== firstOfLap2 - 1);
    const { laps: done } = run(withHole);
    expect(done.map((l) => l.lap)).toEqual([1, 2]);
    for (const lap of done) expect(lap.lapTimeS).toBeCloseTo(100, 6);
  });

  test('duplicate frames (same sequence) change nothing and are counted', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' });
    const doubled = frames.flatMap((f, i) => (i % 3 === 0 ? [f, { ...f }] : [f]));
    const clean = run(frames);
    const dup = run(doubled);
    expect(laps(dup.out)).toEqual(laps(clean.out));
    expect(dup.analyzer.car('s1', 'car1')!.statistics.stale).toBe(Math.ceil(frames.length / 3));
  });

  test('out-of-order frames: the one arriving after a later frame is dropped, lap times unaffected', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' });
    const swapped = frames.slice();
    const i = swapped.findIndex((f) => f.lap === 2) + 5;
    [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
    const { analyzer, laps: done } = run(swapped);
    expect(analyzer.car('s1', 'car1')!.statistics.stale).toBe(1);
    for (const lap of done) expect(lap.lapTimeS).toBeCloseTo(100, 6);
  });

  test('source restart: lap counter jumps back, the lap is closed and flagged, counting resumes', () => {
    const before = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' }).slice(0, -200);
    const lastUs = before[before.length - 1]!.sourceTimeUs!;
    const after = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 2, hz: 10, counter: 'source', startUs: lastUs + 100_000, firstSequence: before.length + 1 });
    const { laps: done } = run([...before, ...after]);
    const restarted = done.find((l) => l.invalidReason!.includes('source restarted'))!;
    expect(restarted.lap).toBe(3);
    expect(restarted.valid).toBe(false);
    // After the restart lap 1 runs again from the line: complete and valid.
    const last = done[done.length - 1]!;
    expect(last.lap).toBe(1);
    expect(last.valid).toBe(true);
    expect(last.lapTimeS).toBeCloseTo(100, 6);
  });

  test('collector restart: sequence starts over while time moves on, frames are still accepted', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' });
    const renumbered = frames.map((f, i) => (i >= 1500 ? { ...f, sequence: i - 1499 } : f));
    const { analyzer, laps: done } = run(renumbered);
    expect(done).toHaveLength(2);
    expect(analyzer.car('s1', 'car1')!.statistics.restarts).toBe(1);
  });

  test('pit lane: the in-lap and out-lap are flagged, not dropped', () => {
    const frames = stint({
      lengthM: SEBRING,
      lapTimeS: uniform(100),
      laps: 5,
      hz: 10,
      counter: 'source',
      extra: (i, fraction) => ({ inPit: (i === 1 && fraction > 0.9) || (i === 2 && fraction < 0.1) }),
    });
    const { laps: done } = run(frames);
    expect(done.map((l) => [l.lap, l.valid])).toEqual([[1, true], [2, false], [3, false], [4, true]]);
    expect(done[1]!.invalidReason).toContain('pit lane');
  });

  test('lap counter skipping laps (a long dropout) flags the lap', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 5, hz: 10, counter: 'source' }).filter((f) => f.lap !== 3);
    const { laps: done } = run(frames);
    const skipped = done.find((l) => l.lap === 2)!;
    expect(skipped.valid).toBe(false);
    expect(skipped.invalidReason).toContain('lap counter skipped laps');
    expect(skipped.invalidReason).toContain('data gap');
  });

  test('a gap inside a lap flags it as a data gap with its length', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' });
    const start = frames.findIndex((f) => f.lap === 2) + 300;
    const { laps: done } = run([...frames.slice(0, start), ...frames.slice(start + 50)]);
    const gappy = done.find((l) => l.lap === 2)!;
    expect(gappy.valid).toBe(false);
    expect(gappy.invalidReason).toMatch(/data gap \(longest 5\.1 s\)/);
    expect(gappy.lapTimeS).toBeCloseTo(100, 6);
  });

  test('joining mid-lap: the first lap is emitted as partial and has no sector times', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' }).slice(400);
    const { laps: done } = run(frames);
    expect(done[0]!.lap).toBe(1);
    expect(done[0]!.valid).toBe(false);
    expect(done[0]!.invalidReason).toContain('partial: started mid-lap');
    expect(done[0]!.sectorTimesS).toEqual([]);
    expect(done[1]!.valid).toBe(true);
  });

  test('the source marking a lap invalid (track limits) is carried through', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source', extra: (i, f) => ({ lapInvalid: i === 1 && f > 0.5 }) });
    const done = run(frames).laps;
    expect(done[1]!.invalidReason).toBe('source marked the lap invalid');
  });

  test('position teleport (a reset to the track) is flagged as a position jump', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 3, hz: 10, counter: 'source' });
    const i = frames.findIndex((f) => f.lap === 2) + 100;
    frames[i] = { ...frames[i]!, lapDistanceM: frames[i]!.lapDistanceM! + 1500 };
    expect(run(frames).laps[1]!.invalidReason).toContain('position jump');
  });

  test('unknown track: three equal sectors over the observed lap length once a lap is seen', () => {
    const length = 4200;
    const frames = stint({ lengthM: length, lapTimeS: uniform(90), laps: 4, hz: 10, counter: 'none', track: 'Some Club Circuit' });
    const { analyzer, laps: done } = run(frames);
    expect(analyzer.car('s1', 'car1')!.trackInfo.known).toBe(false);
    expect(done[0]!.sectorTimesS).toEqual([]);
    // The observed length is extrapolated from the last sample to the line at the car's speed.
    for (const t of done[2]!.sectorTimesS!) expect(t).toBeCloseTo(30, 4);
  });

  test('a frame with a newer sequence but an older time (clock jitter) is dropped as late', () => {
    const frames = [
      frame({ sequence: 1, sourceTimeUs: T0, lap: 1 }),
      frame({ sequence: 2, sourceTimeUs: T0 + 100_000, lap: 1 }),
      frame({ sequence: 3, sourceTimeUs: T0 + 50_000, lap: 1 }),
    ];
    const { analyzer } = run(frames);
    expect(analyzer.car('s1', 'car1')!.statistics).toMatchObject({ accepted: 2, late: 1, stale: 0 });
  });

  test('lap counter a few samples late: the line is where the position wrapped', () => {
    // The counter lags the position by 1 s (10 samples), as some games update it late.
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 4, hz: 10, counter: 'source' });
    const lagged = frames.map((f, i) => (i >= 10 ? { ...f, lap: frames[i - 10]!.lap } : f));
    const done = run(lagged).laps;
    expect(done.map((l) => l.lap)).toEqual([1, 2, 3]);
    for (const lap of done) expect(lap.lapTimeS).toBeCloseTo(100, 6);
    expect(done[1]!.sectorTimesS).toHaveLength(3);
  });

  test('lap counter a sample early: the new lap still gets all its sectors', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 4, hz: 10, counter: 'source' });
    const early = frames.map((f, i) => (i + 1 < frames.length && frames[i + 1]!.lap! > f.lap! ? { ...f, lap: frames[i + 1]!.lap } : f));
    const done = run(early).laps;
    expect(done.map((l) => l.lap)).toEqual([1, 2, 3]);
    expect(done[1]!.sectorTimesS).toHaveLength(3);
    expect(done[1]!.lapTimeS).toBeCloseTo(100, 0);
  });

  test('source clock restart: time jumps back with newer sequence numbers, the lap is closed as restarted', () => {
    const frames = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 2, hz: 10, counter: 'none' }).slice(0, 1500);
    const rebooted = stint({ lengthM: SEBRING, lapTimeS: uniform(100), laps: 2, hz: 10, counter: 'none', startUs: T0 - 3_600_000_000, firstSequence: 1501 });
    const { analyzer, laps: done } = run([...frames, ...rebooted]);
    expect(analyzer.car('s1', 'car1')!.statistics.restarts).toBe(1);
    expect(done[1]!.invalidReason).toBe('source restarted');
    // After the reboot the car starts at the line: its next lap is complete and valid.
    expect(done[2]!.valid).toBe(true);
    expect(done[2]!.lapTimeS).toBeCloseTo(100, 6);
  });

  test('F1-style negative distance before the line counts as the end of the previous lap', () => {
    const frames = [
      frame({ sequence: 1, sourceTimeUs: T0, lapDistanceM: -100, lap: 1 }),
      frame({ sequence: 2, sourceTimeUs: T0 + 1_000_000, lapDistanceM: -40, lap: 1 }),
      frame({ sequence: 3, sourceTimeUs: T0 + 2_000_000, lapDistanceM: 20, lap: 2 }),
    ];
    const done = run(frames).laps;
    expect(done).toHaveLength(1);
    // Crossing two thirds of the way from -40 m to +20 m.
    expect(done[0]!.completedAtUs).toBeCloseTo(T0 + 1_666_667, -1);
  });
});
