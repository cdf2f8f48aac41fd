// The db-writer's PM2 entry as a real process over Kafka (librdkafka's mock cluster, or
// KAFKA_BROKERS) into a real PostgreSQL, SIGKILLed at random moments again and again while a
// producer keeps sending: the table must hold exactly the produced frames, without a gap or a
// duplicate. The bus (the cluster) outlives every writer, as it does in production.
//
// The child runs src/main.ts compiled on the fly (packages/bus/test/wire/child/run-ts.js, as the
// other process tests do) rather than dist/main.js, so the test never runs a stale build.
// Each kill costs a group session timeout (30 s, the app's default) before the next writer gets
// the partitions: the mock holds the rebalance until the dead member's session expires.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { KafkaBus } from '@pitwall/bus';
import { migrate, startTestPostgres, type TestDatabase, type TestPostgres } from '@pitwall/db';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, type TelemetryFrame } from '@pitwall/proto';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../../packages/kafka/test/wire/wire-cluster';
import { frame, storedFrames } from '../harness';

const KILLS = 5;
jest.setTimeout(KILLS * 60_000 + 120_000);

const runTs = path.resolve(__dirname, '../../../../packages/bus/test/wire/child/run-ts.js');
const main = path.resolve(__dirname, '../../src/main.ts');
const ROLES = ['telemetry', 'laps', 'insights', 'alerts', 'sessions', 'dlq'] as const;
const SESSIONS = ['k-a', 'k-b', 'k-c', 'k-d', 'k-e', 'k-f'];
const CARS = 4;

describe('db-writer process SIGKILLed repeatedly over Kafka', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;
  let pg: TestPostgres;
  let db: TestDatabase;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    cluster = await startWireCluster(ROLES.map((name) => ({ name, partitions: name === 'telemetry' ? 3 : 1 })));
    bus = new KafkaBus({ settings: cluster.settings, catalogue: [], logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
    pg = await startTestPostgres('db-writer-kill');
    db = await pg.createDatabase();
    // The first writer migrates too; done here so the test can count rows before it is up.
    await migrate(db.pool, { logger: silentLogger() });
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await bus?.close();
    await pg?.stop();
    await cluster?.stop();
  });

  const startChild = (): ChildProcess => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: cluster.brokers.join(','),
      DATABASE_URL: db.connectionString,
      DB_WRITER_GROUP: 'db-writer-kill',
      DB_WRITER_BATCH_SIZE: '500',
      DB_WRITER_RETRY_BACKOFF_MS: '100',
      HEALTH_PORT: '0',
      LOG_LEVEL: 'warn',
      // A killed writer's partitions move after the session timeout: short, so five kills take
      // seconds rather than minutes (the mock cluster holds a rejoin for the timeout minus 1 s).
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
    };
    for (const role of ROLES) env[`KAFKA_TOPIC_${role.toUpperCase()}`] = cluster.topic(role);
    const c = spawn(process.execPath, [runTs, main], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child = c;
    return c;
  };
  const exit = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
  const count = async () => (await storedFrames(db.pool)).total;

  it('stores exactly the produced frames', async () => {
    // Each car's frames in sequence order, cars interleaved: what was acknowledged is a prefix.
    const sent: TelemetryFrame[] = [];
    let producing = true;
    const producer = bus.producer();
    const production = (async () => {
      for (let seq = 1; producing; seq++) {
        const batch = SESSIONS.flatMap((s) => Array.from({ length: CARS }, (_, c) => frame(s, `car-${c}`, seq)));
        await producer.send(cluster.topic('telemetry'), batch.map((f) => ({ key: f.sessionId!, value: codecs.frame.encode(f) })));
        sent.push(...batch);
        await new Promise((r) => setTimeout(r, 100)); // ~240 frames/s
      }
    })();

    let kills = 0;
    const killedAt: number[] = [];
    try {
      for (let i = 0; i < KILLS; i++) {
        const c = startChild();
        const before = await count();
        // It has the partitions and is writing; kill it at a random point of what follows.
        await waitFor('the writer writing', async () => (await count()) > before + 50, 120_000);
        // Into its backlog (what piled up during the rebalance): most of the time inside a transaction.
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 2800));
        c.kill('SIGKILL');
        await exit(c);
        kills++;
        killedAt.push(await count());
      }
    } finally {
      producing = false;
      await production;
    }
    await producer.close();

    const last = startChild();
    await waitFor('every produced frame stored', async () => (await count()) >= sent.length, 180_000);
    last.kill('SIGTERM');
    await exit(last);
    expect(last.exitCode).toBe(0);

    const stored = await storedFrames(db.pool);
    const perCar = new Map<string, number>();
    for (const f of sent) perCar.set(`${f.sessionId}/${f.carId}`, (perCar.get(`${f.sessionId}/${f.carId}`) ?? 0) + 1);
    console.log(
      `kill test over Kafka: ${kills} SIGKILLs (rows stored at each: ${killedAt.join(', ')}), ${sent.length} frames produced, ` +
        `${stored.total} rows stored, ${stored.distinct} distinct (session, car, sequence), ${stored.cars.length} cars`,
    );
    expect(kills).toBe(KILLS);
    expect(stored.total).toBe(sent.length);
    const byKey = (a: { session_id: string; car_id: string }, b: { session_id: string; car_id: string }) =>
      `${a.session_id}/${a.car_id}` < `${b.session_id}/${b.car_id}` ? -1 : 1;
    expect([...stored.cars].sort(byKey)).toEqual(
      [...perCar.entries()]
        .map(([key, n]) => {
          const [session_id, car_id] = key.split('/') as [string, string];
          return { session_id, car_id, rows: n, distinct_seq: n, min_seq: 1, max_seq: n };
        })
        .sort(byKey),
    );
  });
});
