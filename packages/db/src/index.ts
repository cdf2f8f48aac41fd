export { startEmbeddedPostgres, freePort, PortInUseError, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded';
export { migrate, loadMigrations, MigrationError, MIGRATIONS_DIR, type Migration, type MigrateOptions, type MigrateResult } from './migrations';
export { detectStorage, framesStorage, maintainStorage, type Storage, type StorageMaintenance } from './storage';
export { maintainPartitions, listDayPartitions, ensureDayPartitions, type PartitionMaintenance } from './partitions';
export { timescalePolicyStatements, applyTimescalePolicies, type TimescalePolicies } from './timescale';
export {
  writeFrames,
  writeFrameRows,
  writeSessions,
  writeLaps,
  writeInsights,
  writeAlerts,
  MAX_BATCH_RECORDS,
  type Delivered,
  type Rejected,
  type BatchResult,
  type WriteBatchOptions,
} from './batch';
export { readOffsets, type PartitionOffset } from './offsets';
export { frameTimeUs, FRAME_COLUMNS } from './frames';
export { FrameRow, frameRowCodec } from './frame-row';
export { createPool, type CreatePoolOptions } from './pool';
export { startTestPostgres, TEST_SETTINGS, type TestPostgres, type TestDatabase } from './testing';
export { listSessions, readLaps, readFrames, downsampledFrames, frameTimeRange, frameFromRow, type SessionSummary, type FrameRange } from './history';
