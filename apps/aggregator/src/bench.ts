/**
 * Aggregator throughput: frames/s through the whole batch path (the bus hands a batch over, the
 * frames are decoded, analysed, the outputs encoded and acknowledged, the offset committed), over
 * the in-memory bus with a consumer draining the output topics, against decoding the same frames
 * alone in the same run. Nothing runs on import.
 */
import { MemoryBus } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { startAggregator } from './app';
import { loadAggregatorConfig } from './config';
import { PartitionAnalysis } from './partition-analysis';
import { interleave, stintFrames } from './synthetic-stint';
import type { Output } from '@pitwall/race-analysis';
import type { BenchResult } from '@pitwall/bench';


export interface AggregatorBenchOptions {
  /** Sessions (spread over the 4 partitions) and cars in each. Default 8 × 10. */
  sessions?: number;
  carsPerSession?: number;
  /** Laps per car at 10 Hz (~900 frames a lap). Default 3. */
  laps?: number;
  /** Rounds; each measures decode-only, the bare loop and ours, and the best round of each counts (the box is shared). Default 5. */
  rounds?: number;
  /** AGGREGATOR_MAX_BATCH. Default the app's default. */
  maxBatchMessages?: number;
}

const GOAL_RATIO = 0.5;
const GOAL_RATE = 100_000;

export async function benchAggregator(opts: AggregatorBenchOptions = {}): Promise<BenchResult> {
  const sessions = opts.sessions ?? 8;
  const cars = opts.carsPerSession ?? 10;
  const rounds = opts.rounds ?? 5;
  const encoded: { key: string; value: Uint8Array }[] = [];
  for (let s = 0; s < sessions; s++) {
    const sessionId = `bench-${s}`;
    const stints = Array.from({ length: cars }, (_, c) => stintFrames({ sessionId, carId: `${c}`, laps: opts.laps ?? 3, hz: 10, baseLapS: 88 + c * 0.3, overRevLap: 2 }));
    for (const frame of interleave(stints)) encoded.push({ key: sessionId, value: codecs.frame.encode(frame) });
  }
  let decodeOnly = 0;
  let bare = 0;
  let ours = 0;
  let outputs = 0;
  let batch = 0;
  for (let round = 0; round < rounds; round++) {
    decodeOnly = Math.max(decodeOnly, measureDecode(encoded));
    bare = Math.max(bare, measureBareAnalysis(encoded));
    const run = await measureAggregator(encoded, opts.maxBatchMessages);
    ours = Math.max(ours, run.rate);
    outputs = run.outputs;
    batch = run.batch;
  }
  const ratio = ours / decodeOnly;
  return {
    name: 'aggregator',
    unit: 'frames/s',
    ours: Math.round(ours),
    baselineName: 'decode only',
    baseline: Math.round(decodeOnly),
    ratio,
    goal: `≥ ${GOAL_RATIO * 100} % of decode only and ≥ ${GOAL_RATE.toLocaleString('en')} frames/s`,
    met: ratio >= GOAL_RATIO && ours >= GOAL_RATE,
    notes:
      `${encoded.length} frames of ${sessions * cars} cars (${sessions} sessions on 4 partitions), ${outputs} outputs; ` +
      `in-memory bus, batches of ${batch}, snapshots at the defaults; best of ${rounds} rounds. ` +
      `For scale, decode + analysis in a bare loop (no bus, no output encoding) ran ${Math.round(bare).toLocaleString('en')} frames/s ` +
      `(${Math.round((bare / decodeOnly) * 100)} % of decode only): analysing a frame costs about as much as decoding it.`,
  };
}

function measureDecode(encoded: { value: Uint8Array }[]): number {
  const started = process.hrtime.bigint();
  let laps = 0;
  for (const m of encoded) laps += codecs.frame.decode(m.value).lap ?? 0;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (laps === 0) throw new Error('decoded frames carry no lap numbers');
  return encoded.length / seconds;
}

function measureBareAnalysis(encoded: { value: Uint8Array }[]): number {
  const analysis = new PartitionAnalysis({ maxSessionsPerPartition: 1000, maxCarsPerSession: 1000, rpmLimitsByCarModel: {}, rpmLimitsBySource: {} });
  const out: Output[] = [];
  const started = process.hrtime.bigint();
  for (const m of encoded) analysis.ingest(codecs.frame.decode(m.value), 0, out);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (out.length === 0) throw new Error('the analysis produced nothing');
  return encoded.length / seconds;
}

async function measureAggregator(encoded: { key: string; value: Uint8Array }[], maxBatchMessages?: number): Promise<{ rate: number; outputs: number; batch: number }> {
  const catalogue = topicCatalogue({ telemetryPartitions: 4 });
  const topics = topicNames(catalogue);
  const bus = new MemoryBus({ catalogue, maxMessagesPerPartition: encoded.length + 1000 });
  const producer = bus.producer({ maxBufferedMessages: encoded.length });
  await producer.send(topics.telemetry, encoded);
  let outputs = 0;
  const drain = bus.consumer({ groupId: 'bench-drain', topics: [topics.insights, topics.laps, topics.alerts] });
  await drain.run(async (batch) => {
    outputs += batch.messages.length;
  });
  const config = loadAggregatorConfig(new EnvReader({ AGGREGATOR_GROUP: 'bench-aggregator', AGGREGATOR_MAX_BATCH: maxBatchMessages?.toString() }));
  const ends = [0, 1, 2, 3].map((p) => bus.highWatermark(topics.telemetry, p));
  const started = process.hrtime.bigint();
  const app = await startAggregator({ bus, topics, logger: silentLogger(), metrics: new Metrics('bench'), health: new Health(), config });
  while (!ends.every((end, p) => (bus.committed(config.groupId, topics.telemetry, p) ?? 0) >= end)) {
    await new Promise((r) => setImmediate(r));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await app.stop();
  await bus.close();
  if (outputs === 0) throw new Error('the aggregator published nothing');
  return { rate: encoded.length / seconds, outputs, batch: config.maxBatchMessages };
}
