export { startAggregator, type AggregatorDeps } from './app';
export { loadAggregatorConfig, type AggregatorConfig } from './config';
