// The end-to-end pipeline benchmark over Kafka, in a tiny bounded run: ws-bridge, aggregator,
// db-writer and collector-f1 as built processes over librdkafka's mock cluster (or KAFKA_BROKERS),
// a few hundred F1 frames, every one of them received by the viewer with a finite latency.
import { benchBuilt, expectEveryFrameArrived, runPipelineBench } from '../pipeline-bench';

jest.setTimeout(240_000);

(benchBuilt ? describe : describe.skip)('pipeline benchmark, Kafka', () => {
  if (!benchBuilt) console.warn('skipping the pipeline benchmark test: scripts is not built (run `npm run build`)');

  it('measures every frame from UDP send through Kafka to the viewer, and the bare relay', async () => {
    const run = await runPipelineBench(['kafka', '--rates', '1000', '--warmup-ms', '200', '--measure-ms', '300'], 220_000);
    expect(run.pipeline).toMatch(/^kafka/);
    expectEveryFrameArrived(run.ours, 500);
    expectEveryFrameArrived(run.bare, 500);
    for (const app of ['ws-bridge', 'aggregator', 'db-writer', 'collector-f1']) expect(run.ours[0]!.rssMb[app]).toBeGreaterThan(10);
    // The bridge's consumer reports its lag over /metrics.
    expect(run.ours[0]!.lag).toEqual(expect.any(Number));
  });
});
