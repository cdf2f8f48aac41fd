import type { Pool, PoolClient } from 'pg';
import type { Alert, Insight, LapSummary, SessionInfo, TelemetryFrame } from '@pitwall/proto';
import { nowMicros } from '@pitwall/proto';
import { FrameRow } from './frame-row';
import { FRAME_COLUMNS, FRAMES_TABLE } from './frames';
import { nextOffsets, storeOffsets, type PartitionOffset } from './offsets';
import { ensureDayPartitions, utcDay } from './partitions';
import { ALERTS_TABLE, INSIGHTS_TABLE, LAPS_TABLE, SESSIONS_TABLE } from './records';
import { framesStorage } from './storage';
import { binaryCopyData } from './pg-binary';
import { copyData, rowRenderer, stageAndInsert, tableStatements, type RowRenderer, type TableSpec, type TableStatements } from './table-writer';

/** A message as a consumer received it: the decoded value and where it came from. */
export interface Delivered<T> {
  value: T;
  topic: string;
  partition: number;
  offset: number;
}

export interface Rejected<T> {
  record: Delivered<T>;
  /** Why: the database's error, or the validation that failed before it. */
  reason: string;
  /** The SQLSTATE when the database rejected it. */
  code?: string;
}

export interface BatchResult<T> {
  /** Rows inserted (or, for upserted tables, inserted or updated to a newer version). */
  written: number;
  /** Rows already stored: duplicate frames, or versions no newer than the stored one. */
  skipped: number;
  /** Records the database would not take; the app sends them to the dead-letter topic. */
  rejected: Rejected<T>[];
  /** The offsets stored for the group in the same transaction. */
  offsets: PartitionOffset[];
  /**
   * How the rows went in: `copy` straight into the table (the fast path of frames), `staged`
   * through the staging table (the other tables, or frames whose direct COPY was refused).
   */
  path: 'copy' | 'staged';
}

export interface WriteBatchOptions<T> {
  records: Delivered<T>[];
  /** Consumer group whose offsets are stored with the rows. */
  group: string;
  /**
   * Runs after the rows and offsets are written, before COMMIT; if it throws, nothing is stored.
   * Publishing `rejected` to the dead-letter topic here means a rejected record is never lost:
   * either it reached the DLQ or its offset was not stored and it comes back.
   */
  beforeCommit?: (result: BatchResult<T>) => Promise<void>;
}

/** More records than this in one call is a caller bug (batches are bounded upstream). */
export const MAX_BATCH_RECORDS = 50_000;

/**
 * SQLSTATE classes that mean "this data", not "this connection or transaction": 22 data exception
 * (out of range, bad input syntax), 23 integrity constraint violation. Only these are worth
 * retrying row by row; anything else fails the whole batch.
 */
function isRowError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

interface TableWriter<T> {
  table: string;
  statements: TableStatements;
  render: RowRenderer<T>;
  /** A value's row in COPY's binary format for the fast path, undefined when it cannot have one. */
  binary?: (value: T) => Buffer | undefined;
  /** Why a value cannot be stored at all, checked before the database sees it. */
  problem?: (value: T) => string | undefined;
  /** Work outside the transaction before it (creating partitions). */
  prepare?: (pool: Pool, values: T[]) => Promise<void>;
}

function tableWriter<T>(spec: TableSpec<T>): TableWriter<T> {
  return { table: spec.table, statements: tableStatements(spec), render: rowRenderer(spec.columns) };
}

const DAY_MS = 86_400_000;
const DAY_US = DAY_MS * 1000;

const renderFrame = rowRenderer(FRAME_COLUMNS);
const framesWriter: TableWriter<FrameRow> = {
  table: FRAMES_TABLE.table,
  statements: tableStatements(FRAMES_TABLE),
  render: (row) => renderFrame(row.frame()),
  binary: (row) => row.binary,
  problem: (row) => row.problem(nowMicros()),
  async prepare(pool, rows) {
    if ((await framesStorage(pool)) !== 'postgres') return; // TimescaleDB creates chunks itself
    // Day numbers first: one string per day rather than one per frame.
    const days = new Set(rows.map((r) => Math.floor(r.timeUs / DAY_US)));
    await ensureDayPartitions(pool, [...days].map((day) => utcDay(day * DAY_MS)));
  },
};

/**
 * Writes a batch exactly once: in one transaction the rows are COPYed into a staging table and
 * inserted from it (duplicates skipped or older versions ignored), and the group's offsets
 * advance past every record of the batch. A record the database rejects is set aside with the
 * reason (the batch is retried in halves to find it) and the rest is written.
 *
 * Tables that ignore duplicates (frames) first try the fast path: one COPY straight into the
 * table under a savepoint, which costs PostgreSQL about half of staging + INSERT ... SELECT.
 * A duplicate there (only after a redelivery) is a unique violation; any rejected row is a data
 * error: either way the savepoint is rolled back and the batch takes the staging path above,
 * which skips the duplicates and isolates the rejected rows. Nothing of the failed COPY remains.
 */
async function writeBatch<T>(pool: Pool, writer: TableWriter<T>, opts: WriteBatchOptions<T>): Promise<BatchResult<T>> {
  if (opts.records.length > MAX_BATCH_RECORDS) {
    throw new RangeError(`batch of ${opts.records.length} ${writer.table} records is over the limit of ${MAX_BATCH_RECORDS}`);
  }
  const result: BatchResult<T> = {
    written: 0,
    skipped: 0,
    rejected: [],
    offsets: nextOffsets(opts.records),
    path: writer.statements.copyDirect ? 'copy' : 'staged',
  };
  const accepted: Delivered<T>[] = [];
  for (const record of opts.records) {
    const reason = writer.problem?.(record.value);
    if (reason) result.rejected.push({ record, reason });
    else accepted.push(record);
  }
  if (accepted.length && writer.prepare) await writer.prepare(pool, accepted.map((r) => r.value));

  const client = await pool.connect();
  // A checked-out client has no error listener; a connection killed between queries would
  // otherwise be an uncaught 'error' event. The failure still surfaces on the next query.
  let connectionError: Error | undefined;
  const onError = (err: Error) => (connectionError = err);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    if (accepted.length && !(await copyDirect(client, writer, accepted, result))) {
      result.path = 'staged';
      await client.query(writer.statements.createStaging);
      await writeIsolating(client, writer, accepted, result);
    }
    await storeOffsets(client, opts.group, result.offsets);
    await opts.beforeCommit?.(result);
    await client.query('COMMIT');
  } catch (err) {
    // A connection that cannot even roll back is broken: the pool must not hand it out again.
    const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
    if (!rolledBack) connectionError ??= err as Error;
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(connectionError ?? false);
  }
  return result;
}

/**
 * The fast path: true when every record was COPYed into the table; false (nothing written) when
 * one was refused. A value that binary cannot carry as the text would (an integer out of its
 * column's range, say) skips it: the staged path sends text, so PostgreSQL judges that row.
 */
async function copyDirect<T>(client: PoolClient, writer: TableWriter<T>, records: Delivered<T>[], result: BatchResult<T>): Promise<boolean> {
  if (!writer.statements.copyDirect || !writer.binary) return false;
  const rows: Buffer[] = [];
  for (const record of records) {
    const row = writer.binary(record.value);
    if (!row) return false;
    rows.push(row);
  }
  const data = binaryCopyData(rows);
  await client.query('SAVEPOINT direct_copy');
  try {
    result.written += await copyData(client, writer.statements.copyDirect, data);
  } catch (err) {
    if (!isRowError(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT direct_copy');
    await client.query('RELEASE SAVEPOINT direct_copy');
    return false;
  }
  await client.query('RELEASE SAVEPOINT direct_copy');
  return true;
}

async function writeIsolating<T>(client: PoolClient, writer: TableWriter<T>, records: Delivered<T>[], result: BatchResult<T>): Promise<void> {
  await client.query('SAVEPOINT batch_part');
  try {
    const written = await stageAndInsert(client, writer.statements, writer.render, records.map((r) => r.value));
    await client.query('RELEASE SAVEPOINT batch_part');
    result.written += written;
    result.skipped += records.length - written;
    return;
  } catch (err) {
    if (!isRowError(err)) throw err;
    await client.query('ROLLBACK TO SAVEPOINT batch_part');
    await client.query('RELEASE SAVEPOINT batch_part');
    if (records.length === 1) {
      result.rejected.push({ record: records[0]!, reason: err.message, code: err.code });
      return;
    }
  }
  const half = Math.ceil(records.length / 2);
  await writeIsolating(client, writer, records.slice(0, half), result);
  await writeIsolating(client, writer, records.slice(half), result);
}

const sessionsWriter = tableWriter(SESSIONS_TABLE);
const lapsWriter = tableWriter(LAPS_TABLE);
const insightsWriter = tableWriter(INSIGHTS_TABLE);
const alertsWriter = tableWriter(ALERTS_TABLE);

/**
 * Frames as they come off the wire (frameRowCodec): inserted once per (session, car, sequence);
 * a repeat is counted as skipped.
 */
export const writeFrameRows = (pool: Pool, opts: WriteBatchOptions<FrameRow>) => writeBatch(pool, framesWriter, opts);

/** writeFrames for frame objects; the rejected records are the ones passed in. */
export async function writeFrames(pool: Pool, opts: WriteBatchOptions<TelemetryFrame>): Promise<BatchResult<TelemetryFrame>> {
  const originals = new Map<Delivered<FrameRow>, Delivered<TelemetryFrame>>();
  const records = opts.records.map((record) => {
    const asRow = { ...record, value: FrameRow.of(record.value) };
    originals.set(asRow, record);
    return asRow;
  });
  const asGiven = (result: BatchResult<FrameRow>): BatchResult<TelemetryFrame> => ({
    ...result,
    rejected: result.rejected.map((r) => ({ ...r, record: originals.get(r.record)! })),
  });
  const { beforeCommit } = opts;
  return asGiven(
    await writeFrameRows(pool, {
      records,
      group: opts.group,
      ...(beforeCommit && { beforeCommit: (result: BatchResult<FrameRow>) => beforeCommit(asGiven(result)) }),
    }),
  );
}
/** Sessions by session_id; the greatest updated_at wins. */
export const writeSessions = (pool: Pool, opts: WriteBatchOptions<SessionInfo>) => writeBatch(pool, sessionsWriter, opts);
/** Laps by (session, car, lap); the greatest completed_at wins. */
export const writeLaps = (pool: Pool, opts: WriteBatchOptions<LapSummary>) => writeBatch(pool, lapsWriter, opts);
/** Insights by (session, car, lap, sector); the greatest generated_at wins. */
export const writeInsights = (pool: Pool, opts: WriteBatchOptions<Insight>) => writeBatch(pool, insightsWriter, opts);
/** Alerts by alert_id; the greatest `at` wins (a clear outranks its raise). */
export const writeAlerts = (pool: Pool, opts: WriteBatchOptions<Alert>) => writeBatch(pool, alertsWriter, opts);
