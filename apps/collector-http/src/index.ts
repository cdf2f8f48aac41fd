export { startCollectorHttp, type CollectorHttp, type CollectorHttpDeps } from './app';
export { loadCollectorHttpConfig, type CollectorHttpConfig, type MappingConfig } from './config';
export { benchHttpIngest } from './bench';
