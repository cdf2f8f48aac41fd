import type { Producer } from '@pitwall/bus';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { codecs, type TelemetryFrame } from '@pitwall/proto';

/** The bus is pushing back and the caller should retry later (HTTP 503 with Retry-After). */
export class BusBusyError extends Error {
  constructor(
    readonly buffered: number,
    readonly capacity: number,
  ) {
    super(`the bus is busy: ${buffered} of ${capacity} messages are waiting for acknowledgement`);
    this.name = 'BusBusyError';
  }
}

export interface FramePublisherOptions {
  producer: Producer;
  topic: string;
  /** Source label for metrics, e.g. "f1", "http". */
  source: string;
  metrics: Metrics;
  logger: Logger;
  /** Frames `offer` may hold while the bus is slow; beyond it the oldest are dropped. Default 50 000. */
  maxQueuedFrames?: number;
  /** Frames per bus send. Default 2 000. */
  maxBatchFrames?: number;
}

/**
 * Publishes frames to the telemetry topic, keyed by session id, in two ways:
 *
 * - `offer(frame)` for sources that cannot wait (UDP: the game keeps sending whatever we do). It
 *   never blocks. Frames wait in a bounded queue while the bus is slow; when the queue is full the
 *   oldest frame is dropped and counted (`pitwall_collector_frames_dropped_total{reason="queue_full"}`),
 *   because the newest sample is the one a pit wall needs.
 * - `publish(frames)` for sources that can be told to retry (HTTP, device WebSocket): it resolves
 *   when the bus acknowledged every frame, and throws BusBusyError at once when the producer's
 *   buffer is full, so the caller answers 503 instead of queueing without limit.
 */
export class FramePublisher {
  private queue: Uint8Array[] = [];
  private keys: string[] = [];
  private head = 0;
  /** Offered batches handed to the producer and not yet acknowledged; they never reject. */
  private readonly inFlight = new Set<Promise<void>>();
  private handOverScheduled = false;
  /** Set while the producer is full and a hand-over waits for room. */
  private waitingForRoom = false;
  private readonly maxQueued: number;
  private readonly maxBatch: number;
  private readonly published;
  private readonly dropped;
  private readonly failed;
  private readonly queued;

  constructor(private readonly opts: FramePublisherOptions) {
    this.maxQueued = opts.maxQueuedFrames ?? 50_000;
    this.maxBatch = opts.maxBatchFrames ?? 2_000;
    const labels = ['source'];
    this.published = opts.metrics.counter('pitwall_collector_frames_published_total', 'Frames acknowledged by the bus', labels);
    this.dropped = opts.metrics.counter('pitwall_collector_frames_dropped_total', 'Frames dropped before the bus, by reason', [...labels, 'reason']);
    this.failed = opts.metrics.counter('pitwall_collector_publish_failures_total', 'Bus sends that failed', labels);
    this.queued = opts.metrics.gauge('pitwall_collector_frames_queued', 'Frames waiting in the collector for the bus', labels);
  }

  /** Frames waiting in the offer queue. */
  get queuedFrames(): number {
    return this.queue.length - this.head;
  }

  /** Queue a frame without waiting; drops the oldest queued frame when full. */
  offer(frame: TelemetryFrame): void {
    if (this.queuedFrames >= this.maxQueued) {
      this.head++;
      this.dropped.inc({ source: this.opts.source, reason: 'queue_full' });
    }
    this.queue.push(codecs.frame.encode(frame));
    this.keys.push(frame.sessionId!);
    // One hand-over per synchronous run of offers (a datagram's cars go as one send).
    if (!this.handOverScheduled && !this.waitingForRoom) {
      this.handOverScheduled = true;
      queueMicrotask(() => this.handOver());
    }
  }

  /** Publish and wait for acknowledgement of every frame; BusBusyError when the bus pushes back. */
  async publish(frames: TelemetryFrame[]): Promise<void> {
    const { producer } = this.opts;
    if (producer.buffered + frames.length > producer.capacity && producer.buffered > 0) {
      throw new BusBusyError(producer.buffered, producer.capacity);
    }
    try {
      await producer.send(
        this.opts.topic,
        frames.map((f) => ({ key: f.sessionId!, value: codecs.frame.encode(f) })),
      );
    } catch (err) {
      this.failed.inc({ source: this.opts.source });
      throw err;
    }
    this.published.inc({ source: this.opts.source }, frames.length);
  }

  /** Resolves when every offered frame has been acknowledged (or dropped). */
  async drain(): Promise<void> {
    for (;;) {
      this.handOver();
      if (this.inFlight.size === 0 && this.queuedFrames === 0) return;
      await this.room();
    }
  }

  /**
   * Hands queued frames to the producer without waiting for earlier batches to be acknowledged
   * (the producer batches and orders them; a frame waiting here for an acknowledgement would wait
   * a whole produce round trip for nothing), up to maxInFlightSends unacknowledged sends and while
   * the producer's buffer has room. Beyond that frames wait here, where the drop-oldest limit
   * applies (a stalled bus holds only those few sends), and go as one send once an ack makes room.
   */
  private handOver(): void {
    this.handOverScheduled = false;
    const { producer } = this.opts;
    while (this.queuedFrames > 0 && this.inFlight.size < maxInFlightSends && producer.buffered < producer.capacity) {
      const end = Math.min(this.head + this.maxBatch, this.queue.length, this.head + producer.capacity - producer.buffered);
      const messages = [];
      for (let i = this.head; i < end; i++) messages.push({ key: this.keys[i]!, value: this.queue[i]! });
      this.head = end;
      this.compact();
      this.track(messages.length, producer.send(this.opts.topic, messages));
    }
    this.queued.set(this.queuedFrames, { source: this.opts.source });
    if (this.queuedFrames === 0 || this.waitingForRoom) return;
    this.waitingForRoom = true;
    void this.room().then(() => {
      this.waitingForRoom = false;
      this.handOver();
    });
  }

  /** Room comes with our own next acknowledgement, or (a producer shared with publish()) anyone's. */
  private room(): Promise<void> {
    return this.inFlight.size > 0 ? Promise.race(this.inFlight) : roomPoll();
  }

  private track(count: number, sent: Promise<void>): void {
    const settled = sent.then(
      () => this.published.inc({ source: this.opts.source }, count),
      (err: unknown) => {
        // The producer already retried; these frames are gone. Count them and keep going.
        this.failed.inc({ source: this.opts.source });
        this.dropped.inc({ source: this.opts.source, reason: 'send_failed' }, count);
        this.opts.logger.error('frames lost: the bus did not acknowledge them', { topic: this.opts.topic, frames: count, err });
      },
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.keys = this.keys.slice(this.head);
      this.head = 0;
    }
  }
}

/** Sends handed to the producer and not yet acknowledged, at most. */
const maxInFlightSends = 8;

/** How long to wait before looking again for room in a producer that others filled. */
function roomPoll(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}
