import { ConfigError, EnvReader } from '@pitwall/config';
import { loadCollectorS3Config } from '../src';

const load = (env: Record<string, string>) => loadCollectorS3Config(new EnvReader(env));

describe('loadCollectorS3Config', () => {
  test('laptop defaults around the one required variable', () => {
    expect(load({ S3_BUCKET: 'gr-cup-exports' })).toEqual({
      bucket: 'gr-cup-exports',
      prefix: '',
      endpoint: undefined,
      region: 'us-east-1',
      credentials: undefined,
      pollIntervalMs: 60_000,
      listPageSize: 1000,
      checkpointFile: '.pitwall-data/collector-s3/checkpoint.json',
      batchFrames: 1000,
      maxOpenSamples: 4096,
      maxDoneObjects: 10_000,
      sessionId: undefined,
      track: '',
      mapping: { brakeFullScaleBar: 100, steerFullScaleDeg: 450, maxExtras: 256 },
    });
  });

  test('MinIO-style settings', () => {
    const c = load({
      S3_BUCKET: 'telemetry',
      S3_PREFIX: 'barber/2025/',
      S3_ENDPOINT: 'http://localhost:9000',
      S3_REGION: 'eu-west-1',
      S3_ACCESS_KEY_ID: 'minioadmin',
      S3_SECRET_ACCESS_KEY: 'minioadmin',
      S3_POLL_INTERVAL_MS: '5000',
      S3_CHECKPOINT_FILE: '/var/lib/pitwall/s3.json',
      S3_SESSION_ID: 'barber-r1',
      S3_TRACK: 'barber',
      BRAKE_FULL_SCALE_BAR: '120',
      STEER_FULL_SCALE_DEG: '-540',
      INGEST_MAX_EXTRAS: '64',
    });
    expect(c).toMatchObject({
      prefix: 'barber/2025/',
      endpoint: 'http://localhost:9000',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' },
      pollIntervalMs: 5000,
      checkpointFile: '/var/lib/pitwall/s3.json',
      sessionId: 'barber-r1',
      track: 'barber',
      // The same mapping settings as collector-http, so both read a channel the same way.
      mapping: { brakeFullScaleBar: 120, steerFullScaleDeg: -540, maxExtras: 64 },
    });
  });

  test.each([
    [{}, 'S3_BUCKET'],
    [{ S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET'],
    [{ S3_BUCKET: 'ok-bucket', S3_ENDPOINT: 'localhost:9000' }, 'S3_ENDPOINT'],
    [{ S3_BUCKET: 'ok-bucket', S3_ACCESS_KEY_ID: 'only-the-id' }, 'S3_SECRET_ACCESS_KEY'],
    [{ S3_BUCKET: 'ok-bucket', S3_SECRET_ACCESS_KEY: 'only-the-secret' }, 'S3_ACCESS_KEY_ID'],
    [{ S3_BUCKET: 'ok-bucket', S3_POLL_INTERVAL_MS: '10' }, 'S3_POLL_INTERVAL_MS'],
    [{ S3_BUCKET: 'ok-bucket', S3_LIST_PAGE_SIZE: '5000' }, 'S3_LIST_PAGE_SIZE'],
    [{ S3_BUCKET: 'ok-bucket', S3_BATCH_FRAMES: '0' }, 'S3_BATCH_FRAMES'],
    [{ S3_BUCKET: 'ok-bucket', S3_MAX_OPEN_SAMPLES: 'many' }, 'S3_MAX_OPEN_SAMPLES'],
    [{ S3_BUCKET: 'ok-bucket', STEER_FULL_SCALE_DEG: '0' }, 'STEER_FULL_SCALE_DEG'],
  ])('%j is refused naming %s', (env, variable) => {
    let err: unknown;
    try {
      load(env as Record<string, string>);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
  });
});
