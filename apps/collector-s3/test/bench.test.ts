import { benchS3Csv } from '../src/bench';

jest.setTimeout(120_000);

// A small run of the benchmark `npm run bench` uses, to keep it working; the figures are
// measured there (docs/BENCHMARKS.md), not asserted here on a shared test machine.
test('s3-csv benchmark measures both sides from the same s3rver and reports a BenchResult', async () => {
  const r = await benchS3Csv({ rows: 5000, runs: 1 });
  expect(r).toMatchObject({ name: 's3-csv', unit: 'rows/s', goal: '≥50 % of csv-parse alone' });
  expect(r.ours).toBeGreaterThan(0);
  expect(r.baseline).toBeGreaterThan(0);
  expect(r.ratio).toBeCloseTo(r.ours / r.baseline, 10);
  expect(r.met).toBe(r.ratio >= 0.5);
  expect(r.notes).toContain('5000 wide GR Cup rows');
  expect(r.notes).toMatch(/long GR Cup export shape, 5000 rows .* ours \d+ vs \d+ rows\/s/);
});
