export { startCollectorS3, type CollectorS3Deps } from './app';
export { loadCollectorS3Config, type CollectorS3Config } from './config';
export { benchS3Csv, type S3CsvBenchOptions } from './bench';
export { startLocalS3, type LocalS3 } from './local-s3';
