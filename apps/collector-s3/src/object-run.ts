import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ChannelMapper, PointDefaults } from '@pitwall/channel-map';
import { BusBusyError, type FramePublisher } from '@pitwall/collector-kit';
import type { Logger } from '@pitwall/logger';
import { nowMicros, Source, type TelemetryFrame } from '@pitwall/proto';
import type { Checkpoint } from './checkpoint';
import { isGzip, openCsvStream } from './csv-stream';
import { createRowSink, type RowProblem, type RowSink, type Sample } from './shapes';
import type { CollectorStats } from './stats';

export interface ObjectRunDeps {
  s3: S3Client;
  bucket: string;
  publisher: FramePublisher;
  checkpoint: Checkpoint;
  stats: CollectorStats;
  logger: Logger;
  batchFrames: number;
  /** The channel mapping (no sequence source: a row's own time is its sequence). */
  mapper: ChannelMapper;
  /** Overrides every frame's session id when set. */
  sessionId?: string;
  track: string;
  /** Aborted when the app stops. */
  signal: AbortSignal;
}

export interface ObjectRef {
  key: string;
  etag: string;
}

/**
 * - done: every row is on the bus or reported bad; the ETag is now in the done set.
 * - failed: the bytes cannot be read (corrupt gzip, unreadable CSV); also in the done set, so the
 *   same broken ETag is not downloaded again every poll.
 * - gone: deleted or replaced since it was listed; the next listing shows what is there now.
 * - stopped: the app is stopping; acked progress is in the checkpoint.
 * Transfer and bus failures throw: the poll ends and the next one resumes from the checkpoint.
 */
export type ObjectOutcome = 'done' | 'failed' | 'gone' | 'stopped';

/** Individual bad-row log lines per object; the rest are summed up when the object finishes. */
const LOGGED_BAD_ROWS = 20;

/** Object key without directories and .csv/.gz extensions: the session id when the CSV names none. */
export function sessionFromKey(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1);
  return base.replace(/(\.gz)?$/i, '').replace(/\.csv$/i, '') || key;
}

/**
 * Reads one object into frames: S3 body → csv-parse → samples → batches → FramePublisher.publish.
 *
 * The loop awaits each publish before pulling the next record, so the download is paused while
 * the bus acknowledges a batch and memory holds at most one batch plus stream buffers.
 *
 * The checkpoint rule: samples come out in order of their first data row, so after a batch is
 * acknowledged, every row before `min(first row of the oldest open sample, rows read)` belongs to
 * a frame on the bus or was reported bad. That number is `rowsDone`.
 *
 * Resuming (`rowsDone` > 0) reads the object from the start through the same grouping, drops the
 * samples that start before `rowsDone` (already published) and their bad-row reports (already
 * reported), and publishes the rest. The sequence of a frame is the row's own timestamp in µs
 * (see @pitwall/channel-map), not a counter: if the process died after the bus acked a batch but
 * before the checkpoint said so, those rows are published again with the very same
 * (session, car, sequence), and storage, which ignores a frame it already has, keeps one copy.
 */
export async function runObject(deps: ObjectRunDeps, obj: ObjectRef, resume: { rowsDone: number; maxOpenSamples: number }): Promise<ObjectOutcome> {
  const { s3, bucket, checkpoint, stats, logger, signal } = deps;
  const log = logger.child({ key: obj.key, etag: obj.etag });
  let body: Readable;
  let contentEncoding: string | undefined;
  try {
    // If-Match: read exactly the version that was listed; a replaced object is the next poll's job.
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: obj.key, IfMatch: obj.etag }), { abortSignal: signal });
    body = res.Body as Readable;
    contentEncoding = res.ContentEncoding;
  } catch (err) {
    if (signal.aborted) return 'stopped';
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || status === 412) {
      log.info('object changed or deleted since it was listed', { status });
      checkpoint.abandon(obj.key);
      return 'gone';
    }
    throw err;
  }

  const started = Date.now();
  const { rowsDone: resumeRows, maxOpenSamples } = resume;
  const fallbackSession = sessionFromKey(obj.key);
  let sink: RowSink | undefined;
  let row = 0;
  let acked = resumeRows;
  let batch: TelemetryFrame[] = [];
  let frames = 0;
  let bad = 0;

  const reportBad = (p: RowProblem, rows = 1) => {
    if (p.row < resumeRows) return;
    bad += rows;
    stats.badRow({ key: obj.key, line: p.line, field: p.field, reason: p.reason }, rows);
    if (bad <= LOGGED_BAD_ROWS) log.warn('bad row skipped', { line: p.line, field: p.field, reason: p.reason });
  };

  const defaults: PointDefaults = { sessionId: fallbackSession, sourceName: 's3', source: Source.SOURCE_S3_CSV, track: deps.track };
  // One ingest time per batch: every frame of a batch is read within milliseconds, and a clock
  // read per row costs more than the precision is worth.
  let ingestTimeUs = nowMicros();
  const emit = (s: Sample) => {
    if (s.firstRow < resumeRows) return;
    if (batch.length === 0) ingestTimeUs = nowMicros();
    const r = sink!.toFrame(s, defaults, ingestTimeUs);
    if ('error' in r) {
      const field = r.error.field ?? undefined;
      const line = (field === undefined ? undefined : s.channelLines?.get(field)) ?? s.line;
      reportBad({ row: s.firstRow, line, field, reason: r.error.reason }, s.channelLines?.size ?? 1);
      return;
    }
    if (deps.sessionId) r.frame.sessionId = deps.sessionId;
    batch.push(r.frame);
  };

  /** Publishes the batch and records the acked rows; false when stopped before the ack. */
  const flush = async (): Promise<boolean> => {
    const cut = Math.max(resumeRows, Math.min(sink?.oldestOpenRow() ?? row, row));
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      if (!(await publish(deps, out))) return false;
      frames += out.length;
    }
    if (cut > acked) {
      stats.rowsPublished(cut - acked);
      acked = cut;
      checkpoint.progress({ key: obj.key, etag: obj.etag, rowsDone: cut, maxOpenSamples });
      stats.current = { key: obj.key, rowsDone: cut };
    }
    return true;
  };

  const csv = openCsvStream(body, {
    gzip: isGzip(obj.key, contentEncoding),
    onBytes: (n) => stats.bytes(n),
    onSkip: (skip) => reportBad({ row: skip.before, line: skip.line, reason: skip.reason }),
  });
  /** The object cannot be read (bad bytes, unusable header): never again for this ETag. */
  const giveUp = (reason: string): ObjectOutcome => {
    log.error('object unreadable: giving up on this version', { rowsRead: row, frames, badRows: bad, reason });
    stats.error('read', new Error(`${obj.key}: ${reason}`));
    checkpoint.complete(obj.key, obj.etag);
    stats.current = undefined;
    return 'failed';
  };

  stats.current = { key: obj.key, rowsDone: resumeRows };
  log.info(resumeRows > 0 ? 'resuming object' : 'reading object', { rowsDone: resumeRows });
  try {
    for await (const rec of csv.records) {
      if (signal.aborted) break;
      if (!sink) {
        const made = createRowSink(rec.cells, maxOpenSamples, deps.mapper);
        if ('unusable' in made) return giveUp(`line ${rec.line}: ${made.unusable}`);
        sink = made;
        continue;
      }
      sink.push(row++, rec, emit, reportBad);
      if (batch.length >= deps.batchFrames && !(await flush())) break;
    }
  } catch (err) {
    if (signal.aborted) return stopped();
    const dataError = csv.dataError();
    if (!dataError) throw err;
    // What was read before the damage is published; the object is not read again for this ETag.
    sink?.end(emit);
    if (!(await flush())) return stopped();
    return giveUp(dataError.message);
  } finally {
    csv.destroy();
  }
  if (signal.aborted) return stopped();
  sink?.end(emit);
  if (!(await flush())) return stopped();
  checkpoint.complete(obj.key, obj.etag);
  stats.current = undefined;
  log.info('object done', { rows: row, frames, badRows: bad, unloggedBadRows: Math.max(0, bad - LOGGED_BAD_ROWS), ms: Date.now() - started });
  return 'done';

  function stopped(): ObjectOutcome {
    log.info('stopped inside object', { rowsDone: acked });
    return 'stopped';
  }
}

/**
 * Publishes until the bus acknowledges. Busy bus: short waits; failing bus: backoff up to 5 s,
 * counted in health. Gives up (false) only when the app stops while the bus keeps failing; a send
 * in flight is always awaited, because its ack may already be on the way.
 */
async function publish(deps: ObjectRunDeps, frames: TelemetryFrame[]): Promise<boolean> {
  let backoffMs = 100;
  for (;;) {
    try {
      await deps.publisher.publish(frames);
      return true;
    } catch (err) {
      if (!(err instanceof BusBusyError)) {
        deps.stats.error('publish', err);
        deps.logger.warn('bus did not take a batch; retrying', { frames: frames.length, backoffMs, err });
      }
      if (deps.signal.aborted) return false;
      try {
        await sleep(err instanceof BusBusyError ? 50 : backoffMs, undefined, { signal: deps.signal });
      } catch {
        return false;
      }
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }
}
