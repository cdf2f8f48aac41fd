import type { Logger } from '@pitwall/logger';
import { nowMicros, type TelemetryFrame } from '@pitwall/proto';
import WebSocket, { type RawData } from 'ws';
import type { CollectorHttpConfig } from './config';
import { readEnvelope } from './envelope';
import { decodeFrameBytes } from './framing';
import type { PointDefaults as Origin } from '@pitwall/channel-map';
import { transportSource, type Intake } from './intake';

type PartnerConfig = NonNullable<CollectorHttpConfig['partner']>;

export interface PartnerReport {
  url: string;
  connected: boolean;
  connects: number;
  frames: number;
  duplicatesSkipped: number;
  badPoints: number;
  /** Frames taken from the feed and not yet acknowledged by the bus. */
  queued: number;
  lastMessageAt: string | null;
  lastError?: string;
  since?: string;
}

/**
 * The outbound WebSocket source: connects to a partner feed (PARTNER_WS_URL), maps what it sends
 * (the shapes in envelope.ts, or binary protobuf TelemetryFrames) and publishes it.
 *
 * Reconnects with exponential backoff and jitter (half the delay fixed, half random, so a fleet
 * of collectors does not reconnect in step). Resuming never duplicates a frame: for each
 * (session, car) the highest sequence taken from the feed is remembered, and a frame at or below
 * it is skipped, after a reconnect or when the feed repeats itself. Sequences come from the
 * points' timestamps, so only timestamped points can be recognised (untimed ones are always new).
 * On reconnect `?since=<ISO time>` (the oldest of the cars' latest times) tells a feed that
 * supports it where to resume; one that ignores it is still deduplicated.
 *
 * Frames wait in a bounded queue for the bus; when it is full the socket is paused (the feed's
 * TCP window fills, it slows down) until the queue is half empty.
 */
export class PartnerFeed {
  private ws: WebSocket | null = null;
  private stopping = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private livenessTimer: NodeJS.Timeout | null = null;
  /** Highest sequence and its source time per (session, car); least recently updated first. */
  private readonly latest = new Map<string, { seq: number; timeUs: number }>();
  private queue: TelemetryFrame[] = [];
  /** Frames of the batch the bus has not acknowledged yet. */
  private sending = 0;
  private pumping: Promise<void> | null = null;
  private paused = false;
  private lastHeardMs = 0;
  private readonly origin: Origin;
  private readonly stats = { connects: 0, frames: 0, duplicatesSkipped: 0, badPoints: 0, lastMessageMs: 0, lastError: undefined as string | undefined };

  constructor(
    private readonly deps: {
      intake: Intake;
      config: PartnerConfig;
      logger: Logger;
      retryAfterMs: number;
      /** Largest message taken from the feed; a bigger one closes the connection (1009) and it is redialled. */
      maxMessageBytes: number;
      random?: () => number;
    },
  ) {
    this.origin = { source: transportSource.partner, sourceName: deps.config.source };
  }

  start(): void {
    this.connect();
  }

  /** The URL of the next connection, with the resume hint when there is one. */
  resumeUrl(): string {
    const url = new URL(this.deps.config.url);
    const since = this.since();
    if (this.deps.config.sendSince && since !== undefined) url.searchParams.set('since', new Date(since / 1000).toISOString());
    return url.toString();
  }

  private since(): number | undefined {
    let min: number | undefined;
    for (const v of this.latest.values()) if (v.timeUs && (min === undefined || v.timeUs < min)) min = v.timeUs;
    return min;
  }

  private connect(): void {
    if (this.stopping) return;
    const headers: Record<string, string> = {};
    if (this.deps.config.token) headers.authorization = `Bearer ${this.deps.config.token}`;
    const ws = new WebSocket(this.resumeUrl(), { headers, perMessageDeflate: false, handshakeTimeout: 10_000, maxPayload: this.deps.maxMessageBytes });
    this.ws = ws;
    this.paused = false;
    ws.on('open', () => {
      this.stats.connects++;
      this.lastHeardMs = Date.now();
      this.deps.logger.info('partner feed connected', { url: this.deps.config.url, connects: this.stats.connects });
      this.watchLiveness(ws);
    });
    ws.on('message', (data, isBinary) => {
      // The feed works: the next outage starts its backoff from the beginning.
      this.attempt = 0;
      this.lastHeardMs = Date.now();
      this.onMessage(data, isBinary);
    });
    ws.on('pong', () => (this.lastHeardMs = Date.now()));
    ws.on('error', (err) => {
      this.stats.lastError = `${new Date().toISOString()} ${err.message}`;
      this.deps.logger.warn('partner feed error', { url: this.deps.config.url, err: err.message });
    });
    ws.on('close', (code) => {
      if (this.livenessTimer) clearInterval(this.livenessTimer);
      this.livenessTimer = null;
      if (this.ws === ws) this.ws = null;
      if (this.stopping) return;
      const delay = this.nextDelay();
      this.deps.logger.info('partner feed closed; reconnecting', { code, inMs: delay, attempt: this.attempt });
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  /** Exponential backoff, capped, with the upper half jittered. */
  nextDelay(): number {
    const { reconnectMinMs, reconnectMaxMs } = this.deps.config;
    const ceiling = Math.min(reconnectMaxMs, reconnectMinMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (this.deps.random ?? Math.random)() * (ceiling / 2));
  }

  /** Pings the feed; a feed silent for PARTNER_STALE_MS (half-open TCP) is dropped and redialled. */
  private watchLiveness(ws: WebSocket): void {
    const staleMs = this.deps.config.staleMs;
    this.livenessTimer = setInterval(() => {
      if (this.paused) return;
      if (Date.now() - this.lastHeardMs > staleMs) {
        this.deps.logger.warn('partner feed silent; reconnecting', { silentMs: Date.now() - this.lastHeardMs });
        ws.terminate();
        return;
      }
      if (ws.readyState === ws.OPEN) ws.ping();
    }, Math.max(10, Math.floor(staleMs / 3)));
    this.livenessTimer.unref();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.stats.lastMessageMs = Date.now();
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const nowUs = nowMicros();
    const mapper = this.deps.intake.mapper;
    let points: unknown[];
    if (isBinary) {
      try {
        this.take(mapper.complete(decodeFrameBytes(bytes), this.origin, nowUs));
      } catch (err) {
        this.badPoint(err);
      }
      return this.afterTake();
    }
    try {
      const env = readEnvelope(JSON.parse(bytes.toString('utf8')));
      if (env.kind !== 'points') return;
      points = env.points;
    } catch (err) {
      this.badPoint(err);
      return;
    }
    for (const p of points) {
      try {
        this.take(mapper.map(p, this.origin, nowUs));
      } catch (err) {
        this.badPoint(err);
      }
    }
    this.afterTake();
  }

  /** Queues a frame unless it is at or below what this (session, car) already had. */
  private take(frame: TelemetryFrame): void {
    if (frame.sourceTimeUs) {
      const key = `${frame.sessionId}\u0000${frame.carId}`;
      const seen = this.latest.get(key);
      if (seen && frame.sequence! <= seen.seq) {
        this.stats.duplicatesSkipped++;
        return;
      }
      this.latest.delete(key);
      if (this.latest.size >= this.deps.config.maxTrackedCars) this.latest.delete(this.latest.keys().next().value!);
      this.latest.set(key, { seq: frame.sequence!, timeUs: frame.sourceTimeUs });
    }
    this.queue.push(frame);
  }

  private afterTake(): void {
    if (this.queue.length + this.sending >= this.deps.config.maxQueuedFrames && !this.paused && this.ws) {
      this.paused = true;
      this.ws.pause();
    }
    if (this.queue.length > 0 && !this.pumping) this.pumping = this.pump();
  }

  private badPoint(err: unknown): void {
    this.stats.badPoints++;
    const message = (err as Error).message;
    this.deps.intake.stats.rejected(this.origin.sourceName, 'partner', 'invalid_point', message);
    if (this.stats.badPoints === 1 || this.stats.badPoints % 1000 === 0) {
      this.deps.logger.warn('partner feed point refused', { reason: message, badPoints: this.stats.badPoints });
    }
  }

  /** Publishes the queue in order, one bus send at a time; a refused send is retried, not dropped. */
  private async pump(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, 2000);
        this.sending = batch.length;
        for (let delay = this.deps.retryAfterMs / 10; ; delay = Math.min(delay * 2, this.deps.retryAfterMs * 5)) {
          try {
            await this.deps.intake.publish('partner', this.origin.sourceName, batch);
            this.stats.frames += batch.length;
            this.sending = 0;
            break;
          } catch (err) {
            this.stats.lastError = `${new Date().toISOString()} ${(err as Error).message}`;
            this.deps.intake.stats.rejected(this.origin.sourceName, 'partner', 'publish_failed', (err as Error).message);
            if (this.stopping) {
              // Shutting down and the bus still refuses: do not hold the shutdown hostage, say what is lost.
              const lost = batch.length + this.queue.length;
              this.deps.logger.error('partner frames lost at shutdown: the bus did not acknowledge them', { frames: lost, err });
              this.queue = [];
              this.sending = 0;
              return;
            }
            await new Promise((r) => setTimeout(r, delay));
          }
        }
        if (this.paused && this.queue.length + this.sending <= this.deps.config.maxQueuedFrames / 2) {
          this.paused = false;
          this.ws?.resume();
        }
      }
    } finally {
      this.pumping = null;
    }
  }

  report(): PartnerReport {
    const since = this.since();
    return {
      url: this.deps.config.url,
      connected: this.ws?.readyState === WebSocket.OPEN,
      connects: this.stats.connects,
      frames: this.stats.frames,
      duplicatesSkipped: this.stats.duplicatesSkipped,
      badPoints: this.stats.badPoints,
      queued: this.queue.length + this.sending,
      lastMessageAt: this.stats.lastMessageMs ? new Date(this.stats.lastMessageMs).toISOString() : null,
      ...(this.stats.lastError ? { lastError: this.stats.lastError } : {}),
      ...(since !== undefined ? { since: new Date(since / 1000).toISOString() } : {}),
    };
  }

  /** Stops reading the feed, then publishes what was already taken from it. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    const ws = this.ws;
    if (ws) {
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.resume();
      ws.close(1000, 'collector stopping');
      const grace = setTimeout(() => ws.terminate(), 1000);
      await closed;
      clearTimeout(grace);
    }
    while (this.pumping) await this.pumping;
  }
}
