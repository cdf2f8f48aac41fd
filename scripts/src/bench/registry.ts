import { benchAggregator } from '@pitwall/aggregator';
import { benchHttpIngest } from '@pitwall/collector-http';
import { benchS3Csv } from '@pitwall/collector-s3';
import { benchDbWriter } from '@pitwall/db-writer';
import { benchWsFanout, benchWsLatency } from '@pitwall/ws-bridge';
import { benchF1Collector } from '@pitwall/collector-f1';
import { kafkaProducerBenchmark } from './kafka-producer';
import { benchPipelineLatency, benchPipelineMaxRate } from './pipeline-latency';
import type { Benchmark } from '@pitwall/bench';

/** Every benchmark `npm run bench` runs, in this order. */
export const benchmarks: Benchmark[] = [
  kafkaProducerBenchmark,
  { name: 'f1-collector', run: () => benchF1Collector() },
  { name: 'http-ingest', run: () => benchHttpIngest() },
  { name: 'aggregator', run: () => benchAggregator() },
  { name: 'db-writer', run: () => benchDbWriter() },
  { name: 's3-csv', run: () => benchS3Csv() },
  { name: 'ws-fanout-100', run: () => benchWsFanout({ clients: 100 }) },
  { name: 'ws-fanout-1000', run: () => benchWsFanout({ clients: 1000 }) },
  { name: 'ws-latency', run: () => benchWsLatency({ framesPerSecond: 10_000 }) },
  { name: 'pipeline-latency-embedded', run: () => benchPipelineLatency('embedded') },
  { name: 'pipeline-latency-kafka', run: () => benchPipelineLatency('kafka') },
  { name: 'pipeline-max-rate-embedded', run: () => benchPipelineMaxRate('embedded') },
  { name: 'pipeline-max-rate-kafka', run: () => benchPipelineMaxRate('kafka') },
];
