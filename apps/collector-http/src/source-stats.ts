import type { Metrics } from '@pitwall/metrics';

export type Transport = 'http' | 'device' | 'udp' | 'partner';

/** What /health shows per source. */
export interface SourceReport {
  transports: Transport[];
  frames: number;
  /** Requests, messages or datagrams that carried frames or were refused. */
  batches: number;
  errors: number;
  lastError?: string;
  lastSeen: string | null;
  /** Frames per second over the last `RATE_WINDOW_S` seconds. */
  rate: number;
}

const RATE_WINDOW_S = 10;

class SourceEntry {
  frames = 0;
  batches = 0;
  errors = 0;
  lastError: string | undefined;
  lastSeenMs = 0;
  readonly transports = new Set<Transport>();
  /** Frames per second, one slot per second of the window, `second` is the newest slot's second. */
  private readonly buckets = new Float64Array(RATE_WINDOW_S);
  private second = 0;

  count(frames: number, nowMs: number): void {
    this.roll(Math.floor(nowMs / 1000));
    this.buckets[this.second % RATE_WINDOW_S]! += frames;
  }

  rate(nowMs: number): number {
    this.roll(Math.floor(nowMs / 1000));
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return sum / RATE_WINDOW_S;
  }

  private roll(sec: number): void {
    if (sec <= this.second) return;
    const gap = Math.min(sec - this.second, RATE_WINDOW_S);
    for (let i = 1; i <= gap; i++) this.buckets[(this.second + i) % RATE_WINDOW_S] = 0;
    this.second = sec;
  }
}

/**
 * Per-source health: last seen, rate, errors. Bounded: past `maxSources` the least recently seen
 * source is forgotten (counted in `pitwall_ingest_sources_evicted_total`). Sources are token
 * names or transport names, so the limit is a guard, not a working set.
 */
export class SourceStats {
  private readonly sources = new Map<string, SourceEntry>();
  private readonly framesTotal;
  private readonly batchesTotal;
  private readonly errorsTotal;
  private readonly evicted;
  private readonly lastSeenGauge;

  constructor(
    private readonly maxSources: number,
    metrics: Metrics,
    private readonly clock: () => number = Date.now,
  ) {
    this.framesTotal = metrics.counter('pitwall_ingest_frames_total', 'Frames acknowledged by the bus, by source and transport', ['source', 'transport']);
    this.batchesTotal = metrics.counter('pitwall_ingest_batches_total', 'Requests, messages or datagrams handled, by outcome', ['source', 'transport', 'outcome']);
    this.errorsTotal = metrics.counter('pitwall_ingest_errors_total', 'Refused input, by source, transport and reason', ['source', 'transport', 'reason']);
    this.evicted = metrics.counter('pitwall_ingest_sources_evicted_total', 'Sources forgotten because the source table was full');
    this.lastSeenGauge = metrics.gauge('pitwall_ingest_source_last_seen_seconds', 'When a source last delivered frames (Unix seconds)', ['source']);
  }

  /** Frames of one request/message/datagram the bus acknowledged (or accepted, for UDP). */
  accepted(source: string, transport: Transport, frames: number): void {
    const now = this.clock();
    const e = this.entry(source, transport);
    e.frames += frames;
    e.batches++;
    e.lastSeenMs = now;
    e.count(frames, now);
    this.framesTotal.inc({ source, transport }, frames);
    this.batchesTotal.inc({ source, transport, outcome: 'ok' });
    this.lastSeenGauge.set(Math.floor(now / 1000), { source });
  }

  /** Refused input; `reason` is a short code for metrics, `detail` is kept for /health. */
  rejected(source: string, transport: Transport, reason: string, detail: string): void {
    const e = this.entry(source, transport);
    e.errors++;
    e.batches++;
    e.lastError = `${new Date(this.clock()).toISOString()} ${reason}: ${detail}`.slice(0, 300);
    this.errorsTotal.inc({ source, transport, reason });
    this.batchesTotal.inc({ source, transport, outcome: 'error' });
  }

  get size(): number {
    return this.sources.size;
  }

  report(): Record<string, SourceReport> {
    const now = this.clock();
    const out: Record<string, SourceReport> = {};
    for (const [name, e] of this.sources) {
      out[name] = {
        transports: [...e.transports],
        frames: e.frames,
        batches: e.batches,
        errors: e.errors,
        ...(e.lastError ? { lastError: e.lastError } : {}),
        lastSeen: e.lastSeenMs ? new Date(e.lastSeenMs).toISOString() : null,
        rate: Math.round(e.rate(now) * 10) / 10,
      };
    }
    return out;
  }

  private entry(source: string, transport: Transport): SourceEntry {
    let e = this.sources.get(source);
    if (e) {
      // Re-insert so Map order is least recently seen first.
      this.sources.delete(source);
    } else {
      e = new SourceEntry();
      if (this.sources.size >= this.maxSources) {
        this.sources.delete(this.sources.keys().next().value!);
        this.evicted.inc();
      }
    }
    e.transports.add(transport);
    this.sources.set(source, e);
    return e;
  }
}
