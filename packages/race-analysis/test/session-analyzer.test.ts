import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SessionAnalyzer } from '../src';
import { feed, frame, laps, stint, T0 } from './helpers/frames';

describe('SessionAnalyzer', () => {
  test('one analyzer per (session, car): cars do not share laps', () => {
    const a = stint({ lengthM: 6020, lapTimeS: () => 100, laps: 3, hz: 5, counter: 'source', carId: 'a' });
    const b = stint({ lengthM: 6020, lapTimeS: () => 110, laps: 3, hz: 5, counter: 'source', carId: 'b' });
    const c = stint({ lengthM: 6020, lapTimeS: () => 120, laps: 3, hz: 5, counter: 'source', carId: 'a', sessionId: 's2' });
    const merged = [...a, ...b, ...c].sort((x, y) => x.sourceTimeUs! - y.sourceTimeUs!);
    const analyzer = new SessionAnalyzer();
    const done = laps(feed(analyzer, merged));
    const times = (session: string, car: string) => done.filter((l) => l.sessionId === session && l.carId === car).map((l) => Math.round(l.lapTimeS!));
    expect(times('s1', 'a')).toEqual([100, 100]);
    expect(times('s1', 'b')).toEqual([110, 110]);
    expect(times('s2', 'a')).toEqual([120, 120]);
    expect(analyzer.stats.cars).toBe(3);
  });

  test('frames without identity or time are rejected and counted, not thrown', () => {
    const analyzer = new SessionAnalyzer();
    expect(analyzer.ingest(frame({ sessionId: '' }))).toEqual([]);
    expect(analyzer.ingest(frame({ carId: '' }))).toEqual([]);
    expect(analyzer.ingest(frame({ sourceTimeUs: Number.NaN }))).toEqual([]);
    expect(analyzer.stats).toMatchObject({ rejectedFrames: 3, cars: 0 });
  });

  test('at maxCars the least recently heard-from car is closed and dropped', () => {
    const analyzer = new SessionAnalyzer({ maxCars: 2 });
    analyzer.ingest(frame({ carId: 'a', sourceTimeUs: T0, lapDistanceM: 100, lap: 1 }));
    analyzer.ingest(frame({ carId: 'b', sourceTimeUs: T0 + 1000, lap: 1 }));
    analyzer.ingest(frame({ carId: 'a', sequence: 2, sourceTimeUs: T0 + 2000, lapDistanceM: 101, lap: 1 }));
    const out = analyzer.ingest(frame({ carId: 'c', sourceTimeUs: T0 + 3000, lap: 1 }));
    expect(analyzer.stats).toMatchObject({ cars: 2, evictedForCapacity: 1 });
    expect(analyzer.car('s1', 'b')).toBeUndefined();
    expect(analyzer.car('s1', 'a')).toBeDefined();
    // The dropped car's unfinished lap comes out flagged as abandoned.
    expect(laps(out).map((l) => [l.carId, l.invalidReason])).toEqual([['b', 'partial: started mid-lap; abandoned before the line']]);
  });

  test('at maxCars = 1 a new car of the same session replaces the old one and keeps its state', () => {
    const analyzer = new SessionAnalyzer({ maxCars: 1 });
    analyzer.ingest(frame({ carId: 'a', sourceTimeUs: T0 }));
    analyzer.ingest(frame({ carId: 'b', sourceTimeUs: T0 + 1000 }));
    analyzer.ingest(frame({ carId: 'b', sequence: 2, sourceTimeUs: T0 + 2000 }));
    expect(analyzer.car('s1', 'a')).toBeUndefined();
    expect(analyzer.car('s1', 'b')!.statistics.accepted).toBe(2);
    expect(analyzer.stats).toMatchObject({ cars: 1, evictedForCapacity: 1 });
  });

  test('endSession closes every car of that session only', () => {
    const analyzer = new SessionAnalyzer();
    analyzer.ingest(frame({ sessionId: 'done', carId: 'a', sourceTimeUs: T0, rpm: 9900 }));
    analyzer.ingest(frame({ sessionId: 'done', carId: 'b', sourceTimeUs: T0 }));
    analyzer.ingest(frame({ sessionId: 'live', carId: 'a', sourceTimeUs: T0 }));
    const out = analyzer.endSession('done', T0 + 5_000_000);
    expect(laps(out).map((l) => [l.carId, l.invalidReason])).toEqual([
      ['a', 'partial: started mid-lap; abandoned before the line'],
      ['b', 'partial: started mid-lap; abandoned before the line'],
    ]);
    expect(analyzer.car('done', 'a')).toBeUndefined();
    expect(analyzer.car('live', 'a')).toBeDefined();
    expect(analyzer.stats.cars).toBe(1);
    expect(analyzer.endSession('unknown', T0)).toEqual([]);
  });

  test('evictIdle drops only cars idle for longer than idleUs', () => {
    const analyzer = new SessionAnalyzer();
    analyzer.ingest(frame({ sessionId: 'old', sourceTimeUs: T0 }));
    analyzer.ingest(frame({ sessionId: 'live', sourceTimeUs: T0 + 50_000_000 }));
    analyzer.evictIdle(T0 + 60_000_000, 30_000_000);
    expect(analyzer.car('old', 'car1')).toBeUndefined();
    expect(analyzer.car('live', 'car1')).toBeDefined();
    expect(analyzer.stats).toMatchObject({ cars: 1, evictedIdle: 1 });
  });

  test('maxCars below 1 is refused', () => {
    expect(() => new SessionAnalyzer({ maxCars: 0 })).toThrow(/maxCars/);
  });

  test('throughput: at least 100,000 frames/s on one core (plain Node, full frames)', () => {
    const run = spawnSync(process.execPath, [path.join(__dirname, 'helpers', 'throughput.js')], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { frames: number; seconds: number; rate: number };
    console.log(`race-analysis throughput: ${Math.round(result.rate).toLocaleString('en')} frames/s over ${result.frames} frames`);
    expect(result.rate).toBeGreaterThan(100_000);
  });
});
