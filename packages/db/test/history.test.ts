import type { Pool } from 'pg';
import { codecs, type TelemetryFrame } from '@pitwall/proto';
import { downsampledFrames, frameTimeRange, listSessions, readFrames, readLaps, startTestPostgres, writeFrames, writeLaps, type TestPostgres } from '../src';
import { delivered, frame, migrated, DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
let pool: Pool;

beforeAll(async () => {
  pg = await startTestPostgres('history');
});
afterAll(async () => {
  await pg?.stop();
});
beforeEach(async () => {
  pool = await migrated((await pg.createDatabase()).pool);
});

/** What a frame looks like after the schema's float32 fields: the comparison baseline. */
const wire = (f: TelemetryFrame) => codecs.frame.toJSON(codecs.frame.decode(codecs.frame.encode(f)));

describe('reading history back', () => {
  it('rebuilds every field of a stored frame exactly, absent channels absent', async () => {
    const full = frame(1);
    const sparse = frame(2, { carId: 'car-9', throttle: undefined, tyreWear: undefined, extras: {} });
    delete (sparse as Record<string, unknown>).throttle;
    await writeFrames(pool, { records: delivered([full, sparse]), group: 'g' });
    const back = await readFrames(pool, { sessionId: 'session-1', limit: 10 });
    expect(back).toHaveLength(2);
    const byCar = new Map(back.map((f) => [f.carId, f]));
    expect(wire(byCar.get('car-7')!)).toEqual(wire(full));
    const sparseBack = byCar.get('car-9')!;
    expect(sparseBack.throttle).toBeUndefined();
    expect(sparseBack.tyreWear).toBeUndefined();
    expect(sparseBack.speedKmh).toBeCloseTo(250.5);
  });

  it('pages in time order with an exact cursor: no frame twice, none skipped', async () => {
    // Frames 1 µs apart cross no millisecond boundary a rounding cursor would survive.
    const frames = Array.from({ length: 50 }, (_, i) => frame(i + 1, { sourceTimeUs: 1_763_000_000_000_000 + i, carId: i % 2 ? 'a' : 'b' }));
    await writeFrames(pool, { records: delivered(frames), group: 'g' });
    const seen: number[] = [];
    let after: { timeUs: number; carId: string; sequence: number } | undefined;
    for (;;) {
      const page = await readFrames(pool, { sessionId: 'session-1', limit: 7, after });
      if (page.length === 0) break;
      seen.push(...page.map((f) => f.sequence as number));
      const last = page[page.length - 1]!;
      after = { timeUs: last.sourceTimeUs as number, carId: last.carId!, sequence: last.sequence as number };
    }
    expect(seen).toEqual(frames.map((f) => f.sequence));
  });

  it('downsamples to at most N points per car spread over the range', async () => {
    const frames = Array.from({ length: 1000 }, (_, i) => frame(i + 1, { sourceTimeUs: 1_763_000_000_000_000 + i * 10_000 }));
    await writeFrames(pool, { records: delivered(frames), group: 'g' });
    const range = await frameTimeRange(pool, { sessionId: 'session-1' });
    expect(range).toEqual({ fromUs: 1_763_000_000_000_000, toUs: 1_763_000_000_000_000 + 999 * 10_000 });
    const thin = await downsampledFrames(pool, { sessionId: 'session-1', points: 100 });
    expect(thin.length).toBeLessThanOrEqual(100);
    expect(thin.length).toBeGreaterThanOrEqual(95);
    expect(thin[0]!.sequence).toBe(1);
    expect(thin[thin.length - 1]!.sequence).toBeGreaterThan(980);
    const gaps = thin.slice(1).map((f, i) => (f.sequence as number) - (thin[i]!.sequence as number));
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
  });

  it('lists sessions with their laps and cars, and reads laps in order', async () => {
    const lap = (carId: string, n: number) => ({ sessionId: 'session-1', carId, track: 'monza', lap: n, lapTimeS: 100 + n, valid: true, startedAtUs: 1_763_000_000_000_000 + n * 1e8, completedAtUs: 1_763_000_000_000_000 + (n + 1) * 1e8 });
    await writeLaps(pool, { records: delivered([lap('car-7', 2), lap('car-7', 1), lap('car-9', 1)], 0, 0, 'telemetry.laps'), group: 'g' });
    // A second session has frames only (no laps, no SessionInfo yet).
    await writeFrames(pool, { records: delivered([frame(1, { sessionId: 'frames-only', carId: 'car-3', track: 'spa', sourceTimeUs: 1_763_100_000_000_000 })]), group: 'g' });
    const sessions = await listSessions(pool);
    expect(sessions.map((s) => s.sessionId)).toEqual(['frames-only', 'session-1']);
    expect(sessions[1]).toMatchObject({ sessionId: 'session-1', track: 'monza', laps: 3 });
    expect(sessions[1]!.cars.sort()).toEqual(['car-7', 'car-9']);
    expect(sessions[0]).toMatchObject({ sessionId: 'frames-only', track: 'spa', laps: 0, cars: ['car-3'], startedAtUs: 1_763_100_000_000_000 });
    const laps = await readLaps(pool, 'session-1');
    expect(laps.map((l) => [l.carId, l.lap])).toEqual([['car-7', 1], ['car-7', 2], ['car-9', 1]]);
    expect(laps[0]!.lapTimeS).toBe(101);
  });
});
