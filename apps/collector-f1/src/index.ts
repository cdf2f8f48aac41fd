export { startCollectorF1, type CollectorF1, type CollectorF1Deps } from './app';
export { loadCollectorF1Config, type CollectorF1Config } from './config';
export { f1SessionId } from './session-state';
export { f1TrackName } from './tracks';
export { benchF1Collector, type F1BenchOptions } from './bench';
