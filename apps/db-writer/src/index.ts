export { startDbWriter, type DbWriterDeps } from './app';
export { loadDbWriterConfig, type DbWriterConfig } from './config';
export { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded-database';
export { benchDbWriter, type DbWriterBenchOptions } from './bench';
