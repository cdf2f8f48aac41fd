/**
 * The db-writer: consumes telemetry, laps, insights, alerts and sessions in its own group and
 * stores each message exactly once. Rows and the group's offsets are written in one transaction,
 * and every partition assignment starts from the offsets stored in the database (Kafka's committed
 * offsets are only a courtesy for lag monitoring). A redelivered frame lands on the key it already
 * has and is skipped, so a crash anywhere costs neither a gap nor a duplicate.
 */
import { ConfigError } from '@pitwall/config';
import { withDeadLetter, type BatchHandler, type Bus, type Consumer, type DecodedBatch, type IncomingMessage, type TopicPartition, type TopicPartitionOffset } from '@pitwall/bus';
import { createPool, framesStorage, maintainStorage, migrate, readOffsets, type BatchResult, type Delivered, type Storage } from '@pitwall/db';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { Health, Stoppable } from '@pitwall/service';
import type { Pool } from 'pg';
import { checkStorageSettings, type DbWriterConfig } from './config';
import { DatabaseMonitor } from './database-monitor';
import { RateMeter } from './rate-meter';
import { TABLE_SINKS, type TableSink } from './tables';
import { WriteCoalescer } from './write-coalescer';

export interface DbWriterDeps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: DbWriterConfig;
}

/** A record on its way to the database, with what is needed to dead-letter it. */
interface HeldRecord<T> extends Delivered<T> {
  message: IncomingMessage;
  deadLetter: DecodedBatch<T>['deadLetter'];
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export async function startDbWriter(deps: DbWriterDeps): Promise<Stoppable> {
  const { bus, topics, config } = deps;
  const logger = deps.logger.child({ app: 'db-writer', group: config.groupId });
  const m = {
    rows: deps.metrics.counter('pitwall_db_writer_rows_total', 'Records handed to the database, by table and result (written, skipped as already stored, rejected to the DLQ)', ['table', 'result']),
    transactions: deps.metrics.counter('pitwall_db_writer_transactions_total', 'Write transactions, by table and result', ['table', 'result']),
    writeSeconds: deps.metrics.histogram('pitwall_db_writer_write_seconds', 'Time of one write transaction', [0.005, 0.02, 0.05, 0.1, 0.25, 1, 5], ['table']),
    staged: deps.metrics.counter('pitwall_db_writer_staged_transactions_total', 'Transactions that went through the staging table: all of the upserted tables; for frames only those whose direct COPY was refused (a stored duplicate after a redelivery, or a rejected row)', ['table']),
    batchRows: deps.metrics.histogram('pitwall_db_writer_transaction_records', 'Records in one write transaction', [1, 10, 100, 1000, 5000, 20_000], ['table']),
    dbUp: deps.metrics.gauge('pitwall_db_writer_database_up', '1 while the database takes writes, 0 while consumption is paused for it'),
  };

  const pool = createPool({
    connectionString: config.databaseUrl,
    logger,
    // One connection beyond the writers, so a probe or an offset read never queues behind them.
    max: config.writeConcurrency * TABLE_SINKS.length + 1,
    connectionTimeoutMillis: 5000,
    keepAlive: true,
  });
  let storage: Storage;
  try {
    const migrated = await migrate(pool, { logger });
    storage = await framesStorage(pool);
    checkStorageSettings(config, storage);
    await maintain(pool, config, storage, logger);
    logger.info(`db-writer storing frames on ${storage === 'timescaledb' ? 'TimescaleDB (hypertable)' : 'plain PostgreSQL (day partitions)'}`, {
      storage,
      schemaVersion: migrated.version,
      applied: migrated.applied,
    });
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof ConfigError) throw err;
    throw new Error(`db-writer: preparing the database failed: ${(err as Error).message}`, { cause: err });
  }
  const maintenance = setInterval(() => {
    // The path is how `frames` was created by the migrations: it stays what start-up read.
    maintain(pool, config, storage, logger).catch((err: unknown) => logger.error('storage maintenance failed; it runs again next interval', { err }));
  }, config.maintenanceIntervalMs);
  maintenance.unref();

  let stopping = false;
  let consumer: Consumer | null = null;
  const monitor = new DatabaseMonitor({
    pool,
    probeMs: config.probeMs,
    logger,
    onDown: () => {
      m.dbUp.set(0);
      consumer?.pause();
    },
    onUp: () => {
      m.dbUp.set(1);
      consumer?.resume();
    },
  });
  m.dbUp.set(1);

  /** Offsets known to be stored (from the database or a committed write): records below are already there. */
  const stored = new Map<string, number>();
  const rate = new RateMeter();
  const status = { lastWriteAt: null as string | null, newestWrittenMs: 0, rowsWritten: 0 };
  const producer = bus.producer();

  const store = async <T>(sink: TableSink<T>, records: HeldRecord<T>[]): Promise<void> => {
    const started = process.hrtime.bigint();
    let result: BatchResult<T>;
    try {
      result = await sink.write(pool, {
        records,
        group: config.groupId,
        // Inside the transaction: a rejected record is either in the DLQ or not yet past the offsets.
        beforeCommit: async ({ rejected }) => {
          await Promise.all(
            rejected.map(({ record, reason, code }) => {
              const held = record as HeldRecord<T>;
              return held.deadLetter(held.message, 'store', code ? `${reason} (SQLSTATE ${code})` : reason);
            }),
          );
        },
      });
    } catch (err) {
      m.transactions.inc({ table: sink.table, result: 'failed' });
      if (!stopping) monitor.failed(err);
      throw new Error(`writing ${records.length} records to ${sink.table} failed: ${(err as Error).message}`, { cause: err });
    }
    m.transactions.inc({ table: sink.table, result: 'committed' });
    if (result.path === 'staged') m.staged.inc({ table: sink.table });
    m.writeSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9, { table: sink.table });
    m.batchRows.observe(records.length, { table: sink.table });
    m.rows.inc({ table: sink.table, result: 'written' }, result.written);
    m.rows.inc({ table: sink.table, result: 'skipped' }, result.skipped);
    m.rows.inc({ table: sink.table, result: 'rejected' }, result.rejected.length);
    for (const o of result.offsets) {
      const key = tpKey(o.topic, o.partition);
      stored.set(key, Math.max(stored.get(key) ?? 0, o.nextOffset));
    }
    rate.add(result.written);
    status.rowsWritten += result.written;
    status.lastWriteAt = new Date().toISOString();
    for (const r of records) if (r.message.timestampMs > status.newestWrittenMs) status.newestWrittenMs = r.message.timestampMs;
  };

  const handlers = new Map<string, BatchHandler>();
  for (const sink of TABLE_SINKS) {
    const coalescer = new WriteCoalescer<HeldRecord<unknown>>({
      maxRecords: config.batchSize,
      lingerMs: config.flushMs,
      maxInFlight: config.writeConcurrency,
      write: (records) => store(sink, records),
    });
    const topic = topics[sink.role];
    const handle = withDeadLetter(
      { codec: sink.codec, producer, dlqTopic: topics.dlq, groupId: config.groupId, metrics: deps.metrics, logger },
      async (batch) => {
        const from = stored.get(tpKey(batch.topic, batch.partition)) ?? 0;
        const records: HeldRecord<unknown>[] = [];
        for (const { message, value } of batch.items) {
          if (message.offset < from) continue; // stored before (a redelivery from older Kafka offsets)
          records.push({ value, topic: message.topic, partition: message.partition, offset: message.offset, message, deadLetter: batch.deadLetter });
        }
        await coalescer.submit(records);
      },
    );
    handlers.set(topic, handle);
  }

  /** Where each assigned partition resumes: the database's offsets, or the log's start when it has none. */
  const onAssigned = async (partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> => {
    let delayMs = config.retryBackoffMs;
    for (;;) {
      try {
        return await storedStarts(partitions);
      } catch (err) {
        if (stopping) return [];
        monitor.failed(err);
        logger.error('reading stored offsets failed; trying again (nothing is delivered meanwhile)', { retryInMs: delayMs, err });
        await new Promise((r) => setTimeout(r, delayMs));
        delayMs = Math.min(delayMs * 2, 30_000);
        if (stopping) return [];
      }
    }
  };
  const storedStarts = async (partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> => {
    const byTopic = new Map<string, Map<number, number>>();
    for (const topic of new Set(partitions.map((p) => p.topic))) byTopic.set(topic, await readOffsets(pool, config.groupId, topic));
    const starts = partitions.map(({ topic, partition }) => ({ topic, partition, offset: byTopic.get(topic)!.get(partition) ?? 0 }));
    for (const s of starts) stored.set(tpKey(s.topic, s.partition), s.offset);
    logger.info('partitions assigned: resuming from the offsets stored with the rows', { starts: starts.map((s) => `${s.topic}[${s.partition}]@${s.offset}`) });
    return starts;
  };

  deps.health.register('db-writer', () => {
    const outage = monitor.outage;
    return {
      status: outage ? 'down' : 'ok',
      detail: {
        database: outage ? 'unreachable' : 'up',
        ...(outage && { unreachableSince: new Date(outage.since).toISOString(), lastError: outage.error }),
        storage,
        lastWriteAt: status.lastWriteAt,
        rowsPerSecond: Math.round(rate.perSecond()),
        rowsWritten: status.rowsWritten,
        // How old the newest stored message was when stored: the writer's lag, in time.
        behindMs: status.newestWrittenMs ? Math.max(0, Date.now() - status.newestWrittenMs) : null,
        assigned: consumer?.assignment().length ?? 0,
      },
    };
  });

  consumer = bus.consumer({
    groupId: config.groupId,
    topics: TABLE_SINKS.map((s) => topics[s.role]),
    fromBeginning: true,
    maxBatchMessages: config.batchSize,
    retryBackoffMs: config.retryBackoffMs,
    onAssigned,
    onRevoked: async (partitions) => {
      for (const p of partitions) stored.delete(tpKey(p.topic, p.partition));
    },
  });
  await consumer.run((batch) => handlers.get(batch.topic)!(batch));
  logger.info('db-writer consuming', { topics: TABLE_SINKS.map((s) => topics[s.role]), batchSize: config.batchSize, flushMs: config.flushMs });

  return {
    async stop() {
      stopping = true;
      clearInterval(maintenance);
      monitor.stop();
      await consumer!.stop();
      await producer.close();
      await pool.end();
      deps.health.unregister('db-writer');
    },
  };
}

async function maintain(pool: Pool, config: DbWriterConfig, storage: Storage, logger: Logger): Promise<void> {
  await maintainStorage(pool, {
    daysAhead: config.partitionDaysAhead,
    retentionDays: config.retentionDays,
    compressAfterDays: config.compressAfterDays,
    logger,
    storage,
  });
}
