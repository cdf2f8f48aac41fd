import type { Metrics } from '@pitwall/metrics';
import type { HealthStatus } from '@pitwall/service';

/** A row that did not become a frame, where to find it and why. */
export interface BadRowReport {
  key: string;
  line: number;
  field?: string;
  reason: string;
}

const RECENT_BAD_ROWS = 20;
const RATE_WINDOW_MS = 10_000;
const MAX_RATE_SAMPLES = 512;

/**
 * Counters behind /metrics and the state behind /health. Prometheus gets totals; the health check
 * gets what an operator asks first: when did it last poll, what is it reading, how fast, what
 * went wrong most recently.
 */
export class CollectorStats {
  private readonly rowsTotal;
  private readonly badRowsTotal;
  private readonly objectsTotal;
  private readonly bytesTotal;
  private readonly pollsTotal;
  private readonly listPagesTotal;
  private readonly errorsTotal;
  private readonly lastPollGauge;

  lastPollAt: number | undefined;
  lastPollOk = true;
  lastError: string | undefined;
  errors = 0;
  objectsDone = 0;
  objectsFailed = 0;
  rows = 0;
  badRows = 0;
  current: { key: string; rowsDone: number } | undefined;
  readonly recentBadRows: BadRowReport[] = [];
  /** (time, rows) samples for the rate over the last RATE_WINDOW_MS. */
  private readonly rateSamples: [number, number][] = [];

  constructor(metrics: Metrics) {
    this.rowsTotal = metrics.counter('pitwall_s3_rows_total', 'CSV data rows read into published frames', []);
    this.badRowsTotal = metrics.counter('pitwall_s3_bad_rows_total', 'CSV rows that could not become a frame (reported with key and line)', []);
    this.objectsTotal = metrics.counter('pitwall_s3_objects_total', 'S3 objects finished, by result', ['result']);
    this.bytesTotal = metrics.counter('pitwall_s3_bytes_total', 'Bytes read from S3 (as stored, before gunzip)', []);
    this.pollsTotal = metrics.counter('pitwall_s3_polls_total', 'Bucket polls, by result', ['result']);
    this.listPagesTotal = metrics.counter('pitwall_s3_list_pages_total', 'ListObjectsV2 pages read', []);
    this.errorsTotal = metrics.counter('pitwall_s3_errors_total', 'S3, bus and checkpoint errors, by stage', ['stage']);
    this.lastPollGauge = metrics.gauge('pitwall_s3_last_poll_timestamp_seconds', 'When the last poll finished', []);
  }

  rowsPublished(n: number): void {
    this.rows += n;
    this.rowsTotal.inc({}, n);
    const now = Date.now();
    this.rateSamples.push([now, this.rows]);
    while (this.rateSamples.length > 2 && (this.rateSamples[1]![0] < now - RATE_WINDOW_MS || this.rateSamples.length > MAX_RATE_SAMPLES)) {
      this.rateSamples.shift();
    }
  }

  /** `rows`: a long-CSV sample that cannot be mapped takes all its rows with it. */
  badRow(report: BadRowReport, rows = 1): void {
    this.badRows += rows;
    this.badRowsTotal.inc({}, rows);
    this.recentBadRows.push(report);
    if (this.recentBadRows.length > RECENT_BAD_ROWS) this.recentBadRows.shift();
  }

  bytes(n: number): void {
    this.bytesTotal.inc({}, n);
  }

  listPage(): void {
    this.listPagesTotal.inc();
  }

  objectFinished(result: 'done' | 'failed'): void {
    if (result === 'done') this.objectsDone++;
    else this.objectsFailed++;
    this.objectsTotal.inc({ result });
  }

  error(stage: 'list' | 'read' | 'publish' | 'checkpoint', err: unknown): void {
    this.errors++;
    this.lastError = `${stage}: ${(err as Error).message ?? String(err)}`;
    this.errorsTotal.inc({ stage });
  }

  pollFinished(ok: boolean): void {
    this.lastPollAt = Date.now();
    this.lastPollOk = ok;
    this.pollsTotal.inc({ result: ok ? 'ok' : 'failed' });
    this.lastPollGauge.set(this.lastPollAt / 1000);
  }

  rowsPerSecond(now = Date.now()): number {
    const first = this.rateSamples[0];
    const last = this.rateSamples[this.rateSamples.length - 1];
    if (!first || !last || last[0] < now - RATE_WINDOW_MS || last[0] === first[0]) return 0;
    return Math.round(((last[1] - first[1]) * 1000) / (last[0] - first[0]));
  }

  /** Degraded when the last poll failed or polls stopped happening (3 intervals without one). */
  health(pollIntervalMs: number, doneRemembered: number): HealthStatus {
    const now = Date.now();
    const stale = this.lastPollAt !== undefined && now - this.lastPollAt > 3 * pollIntervalMs && !this.current;
    return {
      status: !this.lastPollOk || stale ? 'degraded' : 'ok',
      detail: {
        lastPollAt: this.lastPollAt === undefined ? null : new Date(this.lastPollAt).toISOString(),
        lastPollOk: this.lastPollOk,
        objectsDone: this.objectsDone,
        objectsFailed: this.objectsFailed,
        objectsRemembered: doneRemembered,
        inProgress: this.current ?? null,
        rows: this.rows,
        rowsPerSecond: this.rowsPerSecond(now),
        badRows: this.badRows,
        recentBadRows: this.recentBadRows,
        errors: this.errors,
        lastError: this.lastError ?? null,
      },
    };
  }
}
