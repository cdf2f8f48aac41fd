export { startCollectorHttp, type CollectorHttp, type CollectorHttpDeps } from './app';
export { loadCollectorHttpConfig, type CollectorHttpConfig } from './config';
export { benchHttpIngest } from './bench';
