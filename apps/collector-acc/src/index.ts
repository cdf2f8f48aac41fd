export { startCollectorAcc, type CollectorAcc, type CollectorAccDeps } from './app';
export { loadCollectorAccConfig, type CollectorAccConfig } from './config';
