import { loadMappingConfig, type MappingConfig } from '@pitwall/channel-map';
import { ConfigError, type EnvReader } from '@pitwall/config';

export interface CollectorS3Config {
  bucket: string;
  /** Only keys starting with this are read ('' = the whole bucket). */
  prefix: string;
  /** Custom S3 API endpoint (MinIO, s3rver); when set, requests use path-style addressing. */
  endpoint?: string;
  region: string;
  /** Static credentials; absent = the SDK's default chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  pollIntervalMs: number;
  /** Keys per ListObjectsV2 page. */
  listPageSize: number;
  /** The durable checkpoint: a JSON file replaced atomically. */
  checkpointFile: string;
  /** Frames per bus publish; the CSV stream is paused while a batch waits for its ack. */
  batchFrames: number;
  /** Long CSVs: samples (vehicle, timestamp) gathered at once while their channel rows arrive. */
  maxOpenSamples: number;
  /** (key, ETag) pairs remembered as done; beyond it the oldest are forgotten (and re-read if listed). */
  maxDoneObjects: number;
  /** Session id for frames whose CSV names none (default: the object key without extension). */
  sessionId?: string;
  /** Track for every frame (the CSVs do not name it). */
  track: string;
  /** Units and limits of the channel mapping (shared with collector-http). */
  mapping: MappingConfig;
}

/** Settings from the environment; every variable is validated and a ConfigError names it. */
export function loadCollectorS3Config(env: EnvReader): CollectorS3Config {
  const accessKeyId = env.optionalString('S3_ACCESS_KEY_ID');
  const secretAccessKey = env.optionalString('S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY';
    throw new ConfigError(missing, 'set together with the other of S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY', undefined);
  }
  const bucket = env.string('S3_BUCKET');
  // Bucket naming rules (3–63 lower-case letters, digits, dots, hyphens): a typo fails here, not as a 404 later.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError('S3_BUCKET', 'an S3 bucket name (3-63 of a-z 0-9 . -)', bucket);
  return {
    bucket,
    prefix: env.optionalString('S3_PREFIX') ?? '',
    endpoint: env.has('S3_ENDPOINT') ? env.url('S3_ENDPOINT') : undefined,
    region: env.string('S3_REGION', { default: 'us-east-1' }),
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    pollIntervalMs: env.int('S3_POLL_INTERVAL_MS', { default: 60_000, min: 100, max: 86_400_000 }),
    listPageSize: env.int('S3_LIST_PAGE_SIZE', { default: 1000, min: 1, max: 1000 }),
    checkpointFile: env.string('S3_CHECKPOINT_FILE', { default: '.pitwall-data/collector-s3/checkpoint.json' }),
    batchFrames: env.int('S3_BATCH_FRAMES', { default: 1000, min: 1, max: 50_000 }),
    maxOpenSamples: env.int('S3_MAX_OPEN_SAMPLES', { default: 4096, min: 1, max: 1_000_000 }),
    maxDoneObjects: env.int('S3_MAX_DONE_OBJECTS', { default: 10_000, min: 1, max: 1_000_000 }),
    sessionId: env.optionalString('S3_SESSION_ID'),
    track: env.optionalString('S3_TRACK') ?? '',
    mapping: loadMappingConfig(env),
  };
}
