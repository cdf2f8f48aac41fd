import { Transform, type Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Parser, type Options } from 'csv-parse';

/** One CSV record with the line it ends on (1-based, as an editor shows it). */
export interface CsvRecord {
  cells: string[];
  line: number;
}

/** A record the parser could not read at all; `before` = data records read before it. */
export interface CsvSkip {
  line: number;
  reason: string;
  before: number;
}

export interface CsvStream {
  /** Records in file order, the header first. Pulling slowly pauses the download (backpressure). */
  records: AsyncIterable<CsvRecord>;
  /**
   * Set when decompression or parsing failed: the bytes are bad, and reading them again gives the
   * same error. Unset after a failure means the transfer itself failed (worth retrying).
   */
  dataError(): Error | undefined;
  /** Tear the pipeline down (stop reading). */
  destroy(): void;
}

/**
 * Bytes downloaded ahead of the parser. While a batch waits for its bus ack the parser is paused;
 * without a buffer the download would stall too and start again from cold after every batch.
 * Bounded, so memory stays flat whatever the object's size.
 */
export const READ_AHEAD_BYTES = 1 << 20;

/** A record longer than this is an error, not a reason to buffer the rest of the file (an unclosed quote). */
export const MAX_RECORD_BYTES = 1 << 20;

/**
 * csv-parse pushing `{ cells, line }`: the parser pushes each record synchronously when it reaches
 * the record's end, so `info.lines` at that moment is the record's (last) line. Cheaper than the
 * `info: true` option, which copies the whole info object into every record.
 */
class LineParser extends Parser {
  constructor(opts: Options) {
    super(opts);
  }

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    return super.push(record === null ? null : ({ cells: record as string[], line: this.info.lines } satisfies CsvRecord), encoding);
  }
}

/** Gzip by key suffix or by the object's Content-Encoding, whichever says so. */
export function isGzip(key: string, contentEncoding: string | undefined): boolean {
  return /\.gz$/i.test(key) || /\bgzip\b/i.test(contentEncoding ?? '');
}

/**
 * body → byte counter → gunzip (if gzip) → csv-parse, as one pipeline. Memory stays flat: each
 * stage holds at most its stream buffer, and the parser stops taking bytes while nobody reads
 * its records.
 *
 * Parsing is lenient where a logger export is commonly sloppy (a quote inside a field, a short or
 * long row: the caller sees the cell count and reports the row) and skips what it cannot read at
 * all, reporting the line through `onSkip` and carrying on with the next record. A record over
 * MAX_RECORD_BYTES (an unclosed quote swallowing the file) is a data error for the whole object.
 */
export function openCsvStream(body: Readable, opts: { gzip: boolean; onBytes(n: number): void; onSkip(skip: CsvSkip): void }): CsvStream {
  // The first stage to fail decides what failed: pipeline then destroys every other stage with
  // the same error, so later 'error' events say nothing new.
  let first: { data: boolean; err: Error } | undefined;
  const failed = (data: boolean) => (err: Error) => void (first ??= { data, err });
  const counter = new Transform({
    readableHighWaterMark: READ_AHEAD_BYTES,
    writableHighWaterMark: READ_AHEAD_BYTES,
    transform(chunk: Buffer, _enc, done) {
      opts.onBytes(chunk.length);
      done(null, chunk);
    },
  });
  const parser: LineParser = new LineParser({
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: (err) => {
      // After this error csv-parse drops the rest of its chunk and ends quietly (rows lost without
      // a word); throwing turns it into a parse error, so the object fails with the line instead.
      if ((err as (Error & { code?: string }) | undefined)?.code === 'CSV_MAX_RECORD_SIZE') throw err;
      const lines = (err as (Error & { lines?: number }) | undefined)?.lines ?? parser.info.lines;
      // info.records counts the header too.
      opts.onSkip({ line: lines, reason: err?.message ?? 'unreadable record', before: Math.max(0, parser.info.records - 1) });
    },
  });
  const stages: (Readable | Transform)[] = [body, counter];
  if (opts.gzip) {
    const gunzip = createGunzip();
    gunzip.on('error', failed(true));
    stages.push(gunzip);
  }
  body.on('error', failed(false));
  parser.on('error', failed(true));
  stages.push(parser);
  // Errors reach the consumer through the parser's iterator; the callback only has to exist.
  pipeline(stages as [Readable, ...Transform[]], () => undefined);

  return { records: parser as AsyncIterable<CsvRecord>, dataError: () => (first?.data ? first.err : undefined), destroy: () => parser.destroy() };
}
