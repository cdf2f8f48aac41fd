import { benchAggregator } from '../src/bench';

jest.setTimeout(60_000);

// A small run checks the benchmark works and reports what it measured; the figures themselves come
// from `npm run bench` in plain Node (jest's sandbox slows every global lookup ~10×).
test('the benchmark measures both paths in one run and reports the ratio against its goals', async () => {
  const result = await benchAggregator({ sessions: 2, carsPerSession: 2, laps: 1, rounds: 1 });
  expect(result).toMatchObject({ name: 'aggregator', unit: 'frames/s', baselineName: 'decode only' });
  expect(result.ours).toBeGreaterThan(0);
  expect(result.baseline).toBeGreaterThan(0);
  expect(result.ratio).toBeCloseTo(result.ours / result.baseline, 2);
  expect(result.met).toBe(result.ratio >= 0.5 && result.ours >= 100_000);
  expect(result.notes).toMatch(/^\d+ frames of 4 cars/);
});
