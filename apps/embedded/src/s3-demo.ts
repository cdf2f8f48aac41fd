import * as path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EnvReader } from '@pitwall/config';
import { startLocalS3 } from '@pitwall/collector-s3';
import type { ServiceContext, Stoppable } from '@pitwall/service';

const BUCKET = 'pitwall-drops';
/** s3rver accepts these (and only these) credentials. */
const KEY = 'S3RVER';

/**
 * For `npm start` without S3_BUCKET: a real S3 API (s3rver) on loopback with one GR Cup style CSV
 * export already dropped in it, so the S3 source shows data like the others; anything else
 * uploaded there (path-style, key and secret `S3RVER`) is picked up at the next poll. Its objects
 * last as long as the process.
 */
export async function startS3Demo(ctx: ServiceContext): Promise<{ env: EnvReader; server: Stoppable }> {
  const s3 = await startLocalS3(BUCKET);
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: KEY, secretAccessKey: KEY } });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `exports/gr86-demo-${new Date().toISOString().slice(0, 10)}.csv`, Body: demoCsv(Date.now()), ContentType: 'text/csv' }));
  client.destroy();
  ctx.logger.info('local S3 for CSV drops (no S3_BUCKET set)', { endpoint: s3.endpoint, bucket: BUCKET, accessKey: KEY });
  const env = new EnvReader({
    ...process.env,
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: KEY,
    S3_SECRET_ACCESS_KEY: KEY,
    S3_POLL_INTERVAL_MS: process.env.S3_POLL_INTERVAL_MS || '5000',
    S3_CHECKPOINT_FILE: path.resolve(process.env.PITWALL_DATA_DIR || '.pitwall-data', 'collector-s3-demo', 'checkpoint.json'),
  });
  return { env, server: s3 };
}

/** Two minutes of one car at 10 Hz in the wide GR Cup export shape, ending at `endMs`. */
export function demoCsv(endMs: number): string {
  const rows = ['timestamp,vehicle_id,lap,Laptrigger_lapdist_dls,speed,nmot,aps,pbrake_f,accx_can,accy_can,Steering_Angle,gear'];
  const lapM = 6020;
  for (let i = 0; i < 1200; i++) {
    const t = endMs - (1200 - i) * 100;
    const phase = (i % 600) / 600;
    const corner = Math.sin(phase * Math.PI * 12);
    const speed = 150 + 50 * Math.abs(Math.cos(phase * Math.PI * 6));
    const braking = corner > 0.8 ? (corner - 0.8) * 250 : 0;
    rows.push(
      [
        new Date(t).toISOString(),
        'GR86-DEMO-13',
        1 + Math.floor(i / 600),
        (phase * lapM).toFixed(1),
        speed.toFixed(1),
        Math.round(4200 + speed * 16),
        braking > 0 ? 0 : Math.round(60 + 40 * (1 - Math.abs(corner))),
        braking.toFixed(1),
        (braking > 0 ? -braking / 60 : 0.2).toFixed(3),
        (corner * 1.1).toFixed(3),
        (corner * 90).toFixed(1),
        speed > 180 ? 5 : 4,
      ].join(','),
    );
  }
  return `${rows.join('\n')}\n`;
}
