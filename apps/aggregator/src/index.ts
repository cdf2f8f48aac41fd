export { startAggregator, type AggregatorDeps } from './app';
export { loadAggregatorConfig, type AggregatorConfig } from './config';
export { benchAggregator, type AggregatorBenchOptions } from './bench';
