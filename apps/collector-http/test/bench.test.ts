import { benchHttpIngest } from '../src/bench';

// The real figures come from `npm run bench` on a quiet machine; this proves the benchmark runs,
// answers every request 200 (it throws otherwise) and reports in the BenchResult shape.
test('benchHttpIngest measures both servers in one run and reports the ratio', async () => {
  const r = await benchHttpIngest({ durationMs: 300, rounds: 1, batchFrames: 50, concurrency: 2 });
  expect(r).toMatchObject({ name: 'http-ingest', unit: 'frames/s', goal: '≥100,000 frames/s and ≥50 % of bare' });
  expect(r.ours).toBeGreaterThan(0);
  expect(r.baseline).toBeGreaterThan(0);
  expect(r.ratio).toBeCloseTo(r.ours / r.baseline, 2);
  expect(r.met).toBe(r.ours >= 100_000 && r.ratio >= 0.5);
}, 30_000);
