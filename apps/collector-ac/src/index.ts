export { startCollectorAc, type CollectorAc, type CollectorAcDeps } from './app';
export { loadCollectorAcConfig, type CollectorAcConfig } from './config';
