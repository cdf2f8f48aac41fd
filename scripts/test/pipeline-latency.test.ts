// The end-to-end pipeline benchmark, embedded, in a tiny bounded run: the real built pipeline
// (apps/embedded/dist/main.js) and the bare relay, a few hundred F1 frames each, every one of
// them received by the viewer with a finite latency.
import { benchBuilt, expectEveryFrameArrived, runPipelineBench } from './pipeline-bench';

jest.setTimeout(180_000);

(benchBuilt ? describe : describe.skip)('pipeline benchmark, embedded', () => {
  if (!benchBuilt) console.warn('skipping the pipeline benchmark test: scripts is not built (run `npm run build`)');

  it('measures every frame from UDP send to the viewer, for the pipeline and the bare relay', async () => {
    // 1 rig (20 cars × 50 Hz) for 500 ms: 25 steps, 500 frames.
    const run = await runPipelineBench(['embedded', '--rates', '1000', '--warmup-ms', '200', '--measure-ms', '300'], 150_000);
    expect(run.pipeline).toBe('embedded');
    expectEveryFrameArrived(run.ours, 500);
    expectEveryFrameArrived(run.bare, 500);
    // Memory of the pipeline's one process was read under load.
    expect(run.ours[0]!.rssMb.embedded).toBeGreaterThan(10);
  });

  it('ramps the rate and reports the highest sustained step with its reason to stop', async () => {
    const run = await runPipelineBench(['embedded', '--max-rate', '--rates', '1000,2000', '--warmup-ms', '200', '--measure-ms', '300'], 150_000);
    for (const side of [run.maxRate!.ours, run.maxRate!.bare]) {
      // Either the ramp ran out of steps (best = the last) or a step twice failed and says why.
      if (side.stoppedBy) expect(side.stoppedBy.notSustained).toEqual(expect.any(String));
      else expect(side.best?.rate).toBe(2000);
    }
    expect(run.ours.every((s) => s.rate === 1000 || s.rate === 2000)).toBe(true);
  });
});
