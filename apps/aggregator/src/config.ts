import { ConfigError, type EnvReader } from '@pitwall/config';
import { Source } from '@pitwall/proto';

/** Source names as the variables spell them: the enum's names without `SOURCE_` (F1, ACC, ...). */
type WithoutPrefix<K> = K extends `SOURCE_${infer N}` ? N : never;
export type SourceName = WithoutPrefix<Exclude<keyof typeof Source, 'SOURCE_UNSPECIFIED'>>;

export interface AggregatorConfig {
  /** Consumer group on the telemetry topic; every instance of the fleet shares it. */
  groupId: string;
  /** Most frames handed to one batch. */
  maxBatchMessages: number;
  /** How often time-driven rules (data dropout) and idle eviction run. */
  tickMs: number;
  /** A car silent this long is closed (its lap emitted as abandoned) and dropped; a session with no cars left goes too. */
  idleEvictMs: number;
  /** A partition's state is written to the state topic after this many batches... */
  snapshotEveryBatches: number;
  /** ...or when this long has passed since its last snapshot, whichever comes first. */
  snapshotIntervalMs: number;
  /** How long an assignment waits to read the latest snapshots before starting without them. */
  stateReadTimeoutMs: number;
  /** Sessions held per partition; past it the least recently heard-from session is closed. */
  maxSessionsPerPartition: number;
  /** Cars held per session; past it the least recently heard-from car is closed. */
  maxCarsPerSession: number;
  /** Rpm limits matched case-insensitively inside a frame's car_model, e.g. { gr86: 7500 }. */
  rpmLimitsByCarModel: Record<string, number>;
  /** The rpm limit of cars no car-model entry matches, per source (others: the analysis default). */
  rpmLimitsBySource: Partial<Record<SourceName, number>>;
}

const SOURCE_NAMES = Object.keys(Source)
  .filter((k) => k.startsWith('SOURCE_') && k !== 'SOURCE_UNSPECIFIED')
  .map((k) => k.slice('SOURCE_'.length)) as SourceName[];

/** Source enum value → its configured name; the names of the variables above. */
export function sourceName(source: number | null | undefined): SourceName | undefined {
  const key = Source[source ?? 0] as string | undefined;
  return key && key !== 'SOURCE_UNSPECIFIED' ? (key.slice('SOURCE_'.length) as SourceName) : undefined;
}

function rpmPairs(env: EnvReader, name: string, fallback: Record<string, string>): Record<string, number> {
  const pairs = env.pairs(name, { default: fallback });
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(pairs)) {
    const rpm = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(rpm >= 1000 && rpm <= 30_000)) {
      throw new ConfigError(name, 'name=rpm pairs with rpm from 1000 to 30000', `${key}=${value}`);
    }
    out[key] = rpm;
  }
  return out;
}

export function loadAggregatorConfig(env: EnvReader): AggregatorConfig {
  const byModel = rpmPairs(env, 'AGGREGATOR_RPM_LIMITS', {});
  const bySourceRaw = rpmPairs(env, 'AGGREGATOR_SOURCE_RPM_LIMITS', { F1: '13500' });
  const rpmLimitsBySource: Partial<Record<SourceName, number>> = {};
  for (const [key, rpm] of Object.entries(bySourceRaw)) {
    const source = key.toUpperCase() as SourceName;
    if (!SOURCE_NAMES.includes(source)) throw new ConfigError('AGGREGATOR_SOURCE_RPM_LIMITS', `source names from ${SOURCE_NAMES.join(', ')}`, key);
    rpmLimitsBySource[source] = rpm;
  }
  return {
    groupId: env.string('AGGREGATOR_GROUP', { default: 'pitwall-aggregator' }),
    maxBatchMessages: env.int('AGGREGATOR_MAX_BATCH', { default: 1000, min: 1, max: 100_000 }),
    tickMs: env.int('AGGREGATOR_TICK_MS', { default: 1000, min: 10, max: 60_000 }),
    idleEvictMs: env.int('AGGREGATOR_IDLE_EVICT_MS', { default: 600_000, min: 1000 }),
    snapshotEveryBatches: env.int('AGGREGATOR_SNAPSHOT_EVERY_BATCHES', { default: 100, min: 1 }),
    snapshotIntervalMs: env.int('AGGREGATOR_SNAPSHOT_INTERVAL_MS', { default: 10_000, min: 0 }),
    stateReadTimeoutMs: env.int('AGGREGATOR_STATE_READ_TIMEOUT_MS', { default: 10_000, min: 100 }),
    maxSessionsPerPartition: env.int('AGGREGATOR_MAX_SESSIONS_PER_PARTITION', { default: 32, min: 1 }),
    maxCarsPerSession: env.int('AGGREGATOR_MAX_CARS_PER_SESSION', { default: 100, min: 1 }),
    rpmLimitsByCarModel: Object.fromEntries(Object.entries(byModel).map(([model, rpm]) => [model.toLowerCase(), rpm])),
    rpmLimitsBySource,
  };
}
