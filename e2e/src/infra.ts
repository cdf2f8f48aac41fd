import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startLocalS3, type LocalS3 } from '@pitwall/collector-s3';
import { freePort, startEmbeddedPostgres, TEST_SETTINGS, type EmbeddedPostgres } from '@pitwall/db';
import { topicCatalogue } from '@pitwall/kafka';
import { startMockCluster, type MockCluster } from '@pitwall/kafka-mock';

/**
 * What the fleet runs against: the Kafka of `KAFKA_BROKERS` or librdkafka's mock cluster, the
 * PostgreSQL of `DATABASE_URL` or an embedded one, and a real S3 API (s3rver) on loopback. The
 * parts this process started can also be taken down and brought back, for the fault runs; the
 * ones given from outside cannot (`mock` / `embedded` are null then) and those faults are skipped.
 */
export interface Infrastructure {
  kafkaBrokers: string;
  mock: MockCluster | null;
  databaseUrl: string;
  embedded: RestartablePostgres | null;
  s3: LocalS3;
  /** Environment every fleet process gets. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** An embedded PostgreSQL that keeps its data directory and port across stop/start. */
export interface RestartablePostgres {
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** s3rver accepts only these credentials. */
const S3RVER_KEY = 'S3RVER';

export async function startInfrastructure(opts: { workDir: string; env?: NodeJS.ProcessEnv }): Promise<Infrastructure> {
  const env = opts.env ?? process.env;
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    let mock: MockCluster | null = null;
    let kafkaBrokers = env.KAFKA_BROKERS ?? '';
    if (!kafkaBrokers) {
      // The mock cluster cannot create topics over the protocol: it is started with the catalogue's.
      mock = await startMockCluster({ brokers: 3, topics: topicCatalogue().map((t) => ({ name: t.name, partitions: t.partitions })) });
      const cluster = mock;
      stops.push(() => cluster.stop());
      kafkaBrokers = mock.bootstrap.join(',');
    }

    let embedded: RestartablePostgres | null = null;
    let databaseUrl = env.DATABASE_URL ?? '';
    if (!databaseUrl) {
      const pg = await restartablePostgres(path.join(opts.workDir, 'postgres'));
      embedded = pg;
      stops.push(() => pg.stop());
      databaseUrl = pg.connectionString;
    }

    const s3 = await startLocalS3('pitwall-e2e');
    stops.push(() => s3.stop());

    return {
      kafkaBrokers,
      mock,
      databaseUrl,
      embedded,
      s3,
      env: {
        KAFKA_BROKERS: kafkaBrokers,
        DATABASE_URL: databaseUrl,
        S3_BUCKET: s3.bucket,
        S3_ENDPOINT: s3.endpoint,
        S3_ACCESS_KEY_ID: S3RVER_KEY,
        S3_SECRET_ACCESS_KEY: S3RVER_KEY,
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function restartablePostgres(dataDir: string): Promise<RestartablePostgres & { connectionString: string }> {
  const port = await freePort();
  // The tests' settings (durability off), with room for the whole fleet's pools.
  const settings = { ...TEST_SETTINGS, max_connections: '100' };
  let server: EmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir, port, settings });
  const connectionString = server.connectionString;
  return {
    connectionString,
    get running() {
      return server !== null;
    },
    async stop() {
      const s = server;
      server = null;
      await s?.stop();
    },
    async start() {
      if (server) return;
      server = await startEmbeddedPostgres({ dataDir, port, settings });
    },
  };
}

/** A fresh directory for one run; traversable by the unprivileged user embedded PostgreSQL runs as under root. */
export function makeWorkDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `pitwall-${label}-`));
  chmodSync(dir, 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
