import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer as KafkaJsProducer } from 'kafkajs';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { CompressionType } from './catalogue';

/** One message to produce (structurally the bus's OutgoingMessage: @pitwall/bus builds on this package). */
export interface ProduceMessage {
  key: string | null;
  value: Uint8Array;
  headers?: Record<string, string>;
  timestampMs?: number;
}

export interface KafkaProducerOptions {
  kafka: Kafka;
  /** Bootstrap brokers, named in errors so an operator sees where sends went. */
  brokers: string[];
  logger: Logger;
  metrics: Metrics;
  /** Compression per topic (the catalogue's); `none` for topics it does not know. */
  compressionFor?: (topic: string) => CompressionType;
  /** kafkajs idempotent producer (experimental there); implies one request in flight. */
  idempotent?: boolean;
  /** Most messages queued or awaiting acknowledgement before `send` waits. Default 50 000. */
  maxBufferedMessages?: number;
  /** How long the first message of a batch waits for company. Default 5 ms. */
  lingerMs?: number;
  /** Most messages per produce call. Default 1000 (kafkajs encodes bigger requests more slowly). */
  maxBatchMessages?: number;
  /** How long the brokers may take to acknowledge one produce request. Default 30 s. */
  ackTimeoutMs?: number;
}

/** A send that failed after kafkajs's retries, with what was lost and where it was going. */
export class KafkaSendError extends Error {
  constructor(
    readonly topic: string,
    readonly count: number,
    readonly brokers: string[],
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`could not produce ${count} messages to topic ${topic} (brokers ${brokers.join(',')}): ${why}`, { cause });
    this.name = 'KafkaSendError';
  }
}

/** The promise of one `send` call: resolves when all its messages are acknowledged. */
class Ticket {
  readonly promise: Promise<void>;
  private resolve!: () => void;
  private reject!: (err: Error) => void;
  private settled = false;

  constructor(private remaining: number) {
    this.promise = new Promise<void>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
  }

  acked(count: number): void {
    this.remaining -= count;
    if (this.remaining === 0 && !this.settled) {
      this.settled = true;
      this.resolve();
    }
  }

  fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(err);
  }
}

interface Pending {
  message: Message;
  ticket: Ticket;
}

/** Messages of one `send` call (or a capacity-sized slice of it) waiting for buffer room. */
interface Admission {
  topic: string;
  items: Pending[];
}

interface TopicQueue {
  items: Pending[];
  timer: NodeJS.Timeout | null;
  inFlight: boolean;
}

const compressionCodes: Record<CompressionType, CompressionTypes> = {
  gzip: CompressionTypes.GZIP,
  none: CompressionTypes.None,
};

/**
 * The bus Producer over kafkajs. Messages gather per topic for `lingerMs` or until
 * `maxBatchMessages`, and go out with acks=all and the catalogue's compression, with one request in
 * flight per topic so a retried batch never overtakes the next one (per-key order holds). At most
 * `maxBufferedMessages` are queued or in flight: beyond that `send` waits, in arrival order.
 */
export class KafkaProducer {
  readonly capacity: number;
  private readonly producer: KafkaJsProducer;
  private readonly lingerMs: number;
  private readonly maxBatch: number;
  private readonly ackTimeoutMs: number;
  private readonly queues = new Map<string, TopicQueue>();
  private readonly admissions: Admission[] = [];
  private readonly outstanding = new Set<Promise<void>>();
  private inBuffer = 0;
  private connecting: Promise<void> | null = null;
  private closing = false;
  private readonly produced;
  private readonly acked;
  private readonly sendErrors;
  private readonly bufferedGauge;

  constructor(private readonly opts: KafkaProducerOptions) {
    this.capacity = opts.maxBufferedMessages ?? 50_000;
    this.lingerMs = opts.lingerMs ?? 5;
    this.maxBatch = opts.maxBatchMessages ?? 1000;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 30_000;
    for (const [name, v] of [['maxBufferedMessages', this.capacity], ['maxBatchMessages', this.maxBatch]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`KafkaProducer: ${name} must be a positive integer, got ${v}`);
    }
    if (!(this.lingerMs >= 0)) throw new Error(`KafkaProducer: lingerMs must be >= 0, got ${this.lingerMs}`);
    this.producer = opts.kafka.producer({
      // Java-compatible murmur2: the in-memory bus maps keys to the same partitions.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: opts.idempotent ?? false,
      maxInFlightRequests: opts.idempotent ? 1 : undefined,
      allowAutoTopicCreation: false,
    });
    const m = opts.metrics;
    this.produced = m.counter('pitwall_kafka_produced_messages_total', 'Messages handed to Kafka in a produce request', ['topic']);
    this.acked = m.counter('pitwall_bus_produced_messages_total', 'Messages acknowledged by the bus', ['topic']);
    this.sendErrors = m.counter('pitwall_kafka_send_errors_total', 'Messages whose produce failed after retries', ['topic']);
    this.bufferedGauge = m.gauge('pitwall_bus_producer_buffered_messages', 'Messages waiting for the bus to take them');
  }

  /** Messages queued or in flight now. */
  get buffered(): number {
    return this.inBuffer;
  }

  send(topic: string, messages: ProduceMessage[]): Promise<void> {
    if (this.closing) return Promise.reject(new Error(`producer closed: cannot send ${messages.length} messages to ${topic}`));
    if (messages.length === 0) return Promise.resolve();
    const ticket = new Ticket(messages.length);
    const items = messages.map((m) => ({ message: toKafkaMessage(m), ticket }));
    // A call larger than the whole buffer goes in buffer-sized slices, each waiting its turn.
    for (let i = 0; i < items.length; i += this.capacity) this.admissions.push({ topic, items: items.slice(i, i + this.capacity) });
    this.track(ticket.promise);
    this.admit();
    return ticket.promise;
  }

  /** Resolves when everything sent so far is acknowledged (or has failed, which its `send` reported). */
  async flush(): Promise<void> {
    const waiting = [...this.outstanding];
    for (const topic of this.queues.keys()) this.dispatch(topic);
    await Promise.allSettled(waiting);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.flush();
    if (this.connecting) await this.producer.disconnect();
  }

  private track(promise: Promise<void>): void {
    const settled = promise.then(
      () => undefined,
      () => undefined,
    );
    this.outstanding.add(settled);
    void settled.then(() => this.outstanding.delete(settled));
  }

  /** Moves waiting calls into topic queues, oldest first, while the buffer has room. */
  private admit(): void {
    while (this.admissions.length > 0 && this.inBuffer + this.admissions[0].items.length <= this.capacity) {
      const { topic, items } = this.admissions.shift()!;
      this.inBuffer += items.length;
      this.bufferedGauge.inc({}, items.length);
      const queue = this.queue(topic);
      for (const item of items) queue.items.push(item);
      if (queue.items.length >= this.maxBatch) this.dispatch(topic);
      else if (!queue.timer && !queue.inFlight) queue.timer = setTimeout(() => this.dispatch(topic), this.lingerMs);
    }
  }

  private queue(topic: string): TopicQueue {
    let q = this.queues.get(topic);
    if (!q) {
      q = { items: [], timer: null, inFlight: false };
      this.queues.set(topic, q);
    }
    return q;
  }

  private dispatch(topic: string): void {
    const queue = this.queue(topic);
    if (queue.timer) clearTimeout(queue.timer);
    queue.timer = null;
    if (queue.inFlight || queue.items.length === 0) return;
    queue.inFlight = true;
    const batch = queue.items.splice(0, this.maxBatch);
    void this.produce(topic, batch).finally(() => {
      queue.inFlight = false;
      this.inBuffer -= batch.length;
      this.bufferedGauge.dec({}, batch.length);
      this.admit();
      // What gathered while this batch was in flight has waited long enough.
      if (queue.items.length > 0) this.dispatch(topic);
    });
  }

  private async produce(topic: string, batch: Pending[]): Promise<void> {
    const labels = { topic };
    try {
      await this.connect();
      this.produced.inc(labels, batch.length);
      await this.producer.send({
        topic,
        messages: batch.map((p) => p.message),
        acks: -1,
        timeout: this.ackTimeoutMs,
        compression: compressionCodes[this.opts.compressionFor?.(topic) ?? 'none'],
      });
    } catch (err) {
      const error = new KafkaSendError(topic, batch.length, this.opts.brokers, err);
      this.sendErrors.inc(labels, batch.length);
      this.opts.logger.error('produce failed after retries', { topic, count: batch.length, brokers: this.opts.brokers, err });
      for (const p of batch) p.ticket.fail(error);
      return;
    }
    this.acked.inc(labels, batch.length);
    // Consecutive messages usually share a ticket: count them per ticket, not one call each.
    let run = 0;
    for (let i = 0; i < batch.length; i++) {
      run++;
      if (i === batch.length - 1 || batch[i + 1].ticket !== batch[i].ticket) {
        batch[i].ticket.acked(run);
        run = 0;
      }
    }
  }

  private connect(): Promise<void> {
    if (!this.connecting) {
      this.connecting = this.producer.connect().catch((err: unknown) => {
        this.connecting = null;
        throw err;
      });
    }
    return this.connecting;
  }
}

function toKafkaMessage(m: ProduceMessage): Message {
  const value = Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value.buffer, m.value.byteOffset, m.value.byteLength);
  return {
    key: m.key,
    value,
    headers: m.headers,
    timestamp: m.timestampMs === undefined ? undefined : String(m.timestampMs),
  };
}
