import { SessionAnalyzer, SnapshotError, type AnalyzerSnapshot, type Output } from '../src';
import { feed, laps, stint } from './helpers/frames';

function stintWithEverything() {
  return stint({
    lengthM: 6020,
    lapTimeS: (i) => 100 + 0.1 * i,
    laps: 8,
    hz: 10,
    counter: 'source',
    extra: (i, f) => ({
      gLat: Math.sin(6 * Math.PI * f),
      gLon: 0.2,
      rpm: i === 4 && f > 0.5 && f < 0.52 ? 9600 : 7000,
      fuelKg: 40 - 3 * (i + f),
      tyreSurfaceTempC: { rl: 90, rr: 92, fl: 95, fr: 96 },
    }),
  });
}

/** A JSON round trip, as the app would store it. */
function viaJson(snapshot: AnalyzerSnapshot): AnalyzerSnapshot {
  return JSON.parse(JSON.stringify(snapshot)) as AnalyzerSnapshot;
}

describe('snapshot and restore', () => {
  const frames = stintWithEverything();
  const cut = Math.floor(frames.length * 0.55) + 3; // mid-lap, mid-sector
  const reference = new SessionAnalyzer();
  const before = feed(reference, frames.slice(0, cut));
  const snapshot = viaJson(reference.snapshot());
  const after = feed(reference, frames.slice(cut));

  test('the snapshot is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(before.length).toBeGreaterThan(0);
  });

  test('re-feeding already processed frames after a restore emits nothing new', () => {
    const restored = SessionAnalyzer.restore(snapshot);
    // Kafka redelivers from the last committed offset, well before the snapshot point.
    const replayed = feed(restored, frames.slice(cut - 500, cut));
    expect(replayed).toEqual([]);
    expect(restored.car('s1', 'car1')!.statistics.stale).toBe(500);
  });

  test('a restored analyzer continues exactly as the original would have', () => {
    const restored = SessionAnalyzer.restore(snapshot);
    feed(restored, frames.slice(cut - 500, cut));
    const continued: Output[] = feed(restored, frames.slice(cut));
    expect(continued).toEqual(after);
    expect(laps(continued).length).toBeGreaterThan(2);
  });

  test('no lap is counted twice across the restore', () => {
    const restored = SessionAnalyzer.restore(snapshot);
    const all = [...laps(before), ...laps(feed(restored, frames))];
    const numbers = all.map((l) => l.lap);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  test('a corrupt snapshot is refused with the path of the bad field', () => {
    const broken = viaJson(snapshot);
    (broken.cars[0]!.tracker as { lap: { sectorStress: unknown } }).lap.sectorStress = [1, 2];
    expect(() => SessionAnalyzer.restore(broken)).toThrow(SnapshotError);
    expect(() => SessionAnalyzer.restore(broken)).toThrow(/s1\/car1\.tracker\.lap\.sectorStress should be an array of 3/);
    expect(() => SessionAnalyzer.restore({ version: 2 } as unknown as AnalyzerSnapshot)).toThrow(SnapshotError);
    const twice = viaJson(snapshot);
    twice.cars.push(twice.cars[0]!);
    expect(() => SessionAnalyzer.restore(twice)).toThrow(/appears twice/);
    const missing = viaJson(snapshot);
    delete (missing.cars[0]!.model as Record<string, unknown>).theta;
    expect(() => SessionAnalyzer.restore(missing)).toThrow(/model\.theta is missing/);
  });
});
