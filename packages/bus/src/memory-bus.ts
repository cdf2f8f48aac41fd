import type { Logger } from '@pitwall/logger';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import type { TopicSpec } from '@pitwall/kafka';
import { partitionForKey } from './murmur2';
import { assertConsumerOptions } from './consumer-options';
import type {
  BatchHandler,
  Bus,
  Consumer,
  ConsumerOptions,
  IncomingMessage,
  OutgoingMessage,
  Producer,
  ProducerOptions,
  TopicPartition,
  TopicPartitionOffset,
} from './types';

/**
 * The bus in one process, for `npm start` and tests, with Kafka's semantics: partitions by murmur2
 * of the key, consumer groups splitting partitions, committed offsets, redelivery of what was not
 * committed.
 *
 * Memory is bounded: a partition keeps at most `maxMessagesPerPartition` messages. Kafka would
 * delete the oldest by retention even if a group had not read them; in one process that would be
 * silent loss, so here a producer instead waits until every active group has committed past the
 * oldest message (backpressure), and messages every group has consumed are trimmed.
 */
export interface MemoryBusOptions {
  /** Topics to create up front (partition counts); others are created on first use. */
  catalogue?: TopicSpec[];
  /** Partitions of a topic created on first use (Kafka's num.partitions). */
  defaultPartitions?: number;
  maxMessagesPerPartition?: number;
  logger?: Logger;
  metrics?: Metrics;
}

class MemoryPartition {
  /** log[i] has offset logStart + i. */
  private log: IncomingMessage[] = [];
  private head = 0;
  logStart = 0;
  private dataWaiters: (() => void)[] = [];
  private roomWaiters: (() => void)[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly capacity: number,
  ) {}

  get highWatermark(): number {
    return this.logStart + this.log.length - this.head;
  }

  get size(): number {
    return this.log.length - this.head;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  append(msg: OutgoingMessage): void {
    const offset = this.highWatermark;
    this.log.push({
      topic: this.topic,
      partition: this.partition,
      offset,
      key: msg.key,
      value: Buffer.from(msg.value.buffer, msg.value.byteOffset, msg.value.byteLength),
      headers: { ...msg.headers },
      timestampMs: msg.timestampMs ?? Date.now(),
    });
    this.wake(this.dataWaiters);
  }

  read(from: number, max: number): IncomingMessage[] {
    const start = this.head + (from - this.logStart);
    return this.log.slice(start, Math.min(start + max, this.log.length));
  }

  /** Drops messages below `offset` (every group has committed past them). */
  trimTo(offset: number): void {
    const drop = Math.min(offset - this.logStart, this.size);
    if (drop <= 0) return;
    this.head += drop;
    this.logStart += drop;
    // Compact the backing array once the dead prefix dominates, so trimming stays O(1) amortised.
    if (this.head > 4096 && this.head * 2 > this.log.length) {
      this.log = this.log.slice(this.head);
      this.head = 0;
    }
    this.wake(this.roomWaiters);
  }

  waitForData(): Promise<void> {
    return new Promise((resolve) => this.dataWaiters.push(resolve));
  }

  waitForRoom(): Promise<void> {
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  wakeAll(): void {
    this.wake(this.dataWaiters);
    this.wake(this.roomWaiters);
  }

  private wake(waiters: (() => void)[]): void {
    if (waiters.length === 0) return;
    const all = waiters.splice(0);
    for (const w of all) w();
  }
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

class MemoryGroup {
  readonly members: MemoryConsumer[] = [];
  readonly committed = new Map<string, number>();
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(
    readonly groupId: string,
    private readonly bus: MemoryBus,
  ) {}

  /** Serialises rebalances: each waits for the previous one. */
  rebalance(change: () => void): Promise<void> {
    this.rebalancing = this.rebalancing.then(async () => {
      await Promise.all(this.members.map((m) => m.revokeAll()));
      change();
      const assignments = this.assign();
      await Promise.all(this.members.map((m) => m.assign(assignments.get(m) ?? [])));
      this.bus.onGroupChanged();
    });
    return this.rebalancing;
  }

  /** Range assignment per topic, members in join order (Kafka's default RangeAssignor). */
  private assign(): Map<MemoryConsumer, TopicPartition[]> {
    const out = new Map<MemoryConsumer, TopicPartition[]>(this.members.map((m) => [m, []]));
    const topics = new Set(this.members.flatMap((m) => m.topics));
    for (const topic of topics) {
      const subscribers = this.members.filter((m) => m.topics.includes(topic));
      const count = this.bus.topic(topic).length;
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      let next = 0;
      subscribers.forEach((m, i) => {
        const n = per + (i < extra ? 1 : 0);
        for (let p = next; p < next + n; p++) out.get(m)!.push({ topic, partition: p });
        next += n;
      });
    }
    return out;
  }

  committedFor(topic: string, partition: number): number | undefined {
    return this.committed.get(tpKey(topic, partition));
  }
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, MemoryPartition[]>();
  private readonly groups = new Map<string, MemoryGroup>();
  private readonly producers = new Set<MemoryProducer>();
  private readonly consumers = new Set<MemoryConsumer>();
  private readonly defaultPartitions: number;
  readonly maxMessagesPerPartition: number;
  readonly logger: Logger;
  readonly metrics: Metrics;

  constructor(opts: MemoryBusOptions = {}) {
    this.defaultPartitions = opts.defaultPartitions ?? 4;
    this.maxMessagesPerPartition = opts.maxMessagesPerPartition ?? 100_000;
    this.logger = opts.logger ?? silentLogger();
    this.metrics = opts.metrics ?? new Metrics('bus');
    for (const spec of opts.catalogue ?? []) this.createTopic(spec.name, spec.partitions);
  }

  createTopic(name: string, partitions: number): MemoryPartition[] {
    const existing = this.topics.get(name);
    if (existing) return existing;
    const created = Array.from({ length: partitions }, (_, p) => new MemoryPartition(name, p, this.maxMessagesPerPartition));
    this.topics.set(name, created);
    return created;
  }

  /** A topic's partitions, created on first use. */
  topic(name: string): MemoryPartition[] {
    return this.topics.get(name) ?? this.createTopic(name, this.defaultPartitions);
  }

  group(groupId: string): MemoryGroup {
    let g = this.groups.get(groupId);
    if (!g) {
      g = new MemoryGroup(groupId, this);
      this.groups.set(groupId, g);
    }
    return g;
  }

  async partitionsFor(topic: string): Promise<number> {
    return this.topic(topic).length;
  }

  producer(opts: ProducerOptions = {}): Producer {
    const p = new MemoryProducer(this, opts.maxBufferedMessages ?? 10_000);
    this.producers.add(p);
    return p;
  }

  consumer(opts: ConsumerOptions): Consumer {
    const c = new MemoryConsumer(this, opts);
    this.consumers.add(c);
    return c;
  }

  /** The lowest offset some active group still needs; below it a partition may be trimmed. */
  trimPartition(part: MemoryPartition): void {
    let floor = part.highWatermark;
    for (const g of this.groups.values()) {
      if (!g.members.some((m) => m.topics.includes(part.topic))) continue;
      floor = Math.min(floor, g.committedFor(part.topic, part.partition) ?? part.logStart);
    }
    part.trimTo(floor);
  }

  /** After a commit or a group change, room may have appeared. */
  onGroupChanged(): void {
    for (const parts of this.topics.values()) for (const p of parts) if (p.full) this.trimPartition(p);
  }

  /** Committed offset of a group (tests and lag reporting). */
  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.groups.get(groupId)?.committedFor(topic, partition);
  }

  /** End offset of a partition. */
  highWatermark(topic: string, partition: number): number {
    return this.topic(topic)[partition]!.highWatermark;
  }

  forget(c: MemoryConsumer | MemoryProducer): void {
    if (c instanceof MemoryConsumer) this.consumers.delete(c);
    else this.producers.delete(c);
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.stop()));
    await Promise.all([...this.producers].map((p) => p.close()));
  }
}

class MemoryProducer implements Producer {
  private waiting = 0;
  /** Sends not yet settled, and the settling of the latest: the next send queues behind it. */
  private unsettled = 0;
  private last: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly produced;
  private readonly bufferedGauge;

  constructor(
    private readonly bus: MemoryBus,
    readonly capacity: number,
  ) {
    this.produced = bus.metrics.counter('pitwall_bus_produced_messages_total', 'Messages acknowledged by the bus', ['topic']);
    this.bufferedGauge = bus.metrics.gauge('pitwall_bus_producer_buffered_messages', 'Messages waiting for the bus to take them');
  }

  get buffered(): number {
    return this.waiting;
  }

  send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`producer closed: cannot send ${messages.length} messages to ${topic}`));
    let parts: MemoryPartition[];
    try {
      parts = this.bus.topic(topic);
    } catch (err) {
      return Promise.reject(err);
    }
    this.waiting += messages.length;
    this.bufferedGauge.set(this.waiting);
    // In order, as a Kafka producer: a send never overtakes one still waiting for room.
    const append = () => this.append(topic, parts, messages);
    const sent = this.unsettled === 0 ? append() : this.last.then(append);
    this.unsettled++;
    this.last = sent.then(
      () => void this.unsettled--,
      () => void this.unsettled--,
    );
    return sent;
  }

  private async append(topic: string, parts: MemoryPartition[], messages: OutgoingMessage[]): Promise<void> {
    try {
      let rr = 0;
      for (const msg of messages) {
        const p = msg.key === null ? rr++ % parts.length : partitionForKey(msg.key, parts.length);
        const part = parts[p]!;
        while (part.full) {
          this.bus.trimPartition(part);
          if (part.full) await part.waitForRoom();
        }
        part.append(msg);
        this.waiting--;
      }
      this.produced.inc({ topic }, messages.length);
    } finally {
      this.bufferedGauge.set(this.waiting);
    }
  }

  async flush(): Promise<void> {
    // Appends are acknowledged as they happen: nothing is ever held back.
  }

  async close(): Promise<void> {
    this.closed = true;
    this.bus.forget(this);
  }
}

interface PartitionLoop {
  tp: TopicPartition;
  position: number;
  paused: boolean;
  /** Resolves when the loop has stopped (after the batch in progress). */
  done: Promise<void>;
}

export class MemoryConsumer implements Consumer {
  readonly topics: string[];
  private readonly group: MemoryGroup;
  private handler: BatchHandler | null = null;
  private loops = new Map<string, PartitionLoop>();
  private generation = 0;
  private running = false;
  private readonly pausedKeys = new Set<string>();
  private readonly consumed;
  private readonly redelivered;

  constructor(
    private readonly bus: MemoryBus,
    private readonly opts: ConsumerOptions,
  ) {
    assertConsumerOptions(opts);
    this.topics = [...opts.topics];
    this.group = bus.group(opts.groupId);
    this.consumed = bus.metrics.counter('pitwall_bus_consumed_messages_total', 'Messages handled and committed', ['topic', 'group']);
    this.redelivered = bus.metrics.counter('pitwall_bus_batch_failures_total', 'Batches whose handler failed and will be delivered again', ['topic', 'group']);
  }

  async run(handler: BatchHandler): Promise<void> {
    if (this.running) throw new Error(`consumer of group ${this.opts.groupId} is already running`);
    this.running = true;
    this.handler = handler;
    await this.group.rebalance(() => this.group.members.push(this));
  }

  assignment(): TopicPartition[] {
    return [...this.loops.values()].map((l) => l.tp);
  }

  pause(partitions?: TopicPartition[]): void {
    for (const key of this.keysOf(partitions)) this.pausedKeys.add(key);
    for (const [key, loop] of this.loops) if (this.pausedKeys.has(key)) loop.paused = true;
  }

  resume(partitions?: TopicPartition[]): void {
    for (const key of this.keysOf(partitions)) this.pausedKeys.delete(key);
    for (const [key, loop] of this.loops) {
      if (!this.pausedKeys.has(key) && loop.paused) {
        loop.paused = false;
        this.bus.topic(loop.tp.topic)[loop.tp.partition]!.wakeAll();
      }
    }
  }

  private keysOf(partitions?: TopicPartition[]): string[] {
    const list = partitions ?? this.topics.flatMap((t) => this.bus.topic(t).map((_, p) => ({ topic: t, partition: p })));
    return list.map((tp) => tpKey(tp.topic, tp.partition));
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.group.rebalance(() => {
      const i = this.group.members.indexOf(this);
      if (i >= 0) this.group.members.splice(i, 1);
    });
    this.bus.forget(this);
  }

  /**
   * Simulates a process killed mid-batch (SIGKILL): the member vanishes at once, the batch in
   * progress is never committed, and the group rebalances its partitions to the others.
   */
  crash(): Promise<void> {
    this.running = false;
    this.generation++;
    this.handler = null;
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const l of loops) this.bus.topic(l.tp.topic)[l.tp.partition]!.wakeAll();
    this.bus.forget(this);
    return this.group.rebalance(() => {
      const i = this.group.members.indexOf(this);
      if (i >= 0) this.group.members.splice(i, 1);
    });
  }

  /** Stops every partition loop after its batch in progress (rebalance step 1). */
  async revokeAll(): Promise<void> {
    if (this.loops.size === 0) return;
    this.generation++;
    const loops = [...this.loops.values()];
    this.loops.clear();
    for (const l of loops) this.bus.topic(l.tp.topic)[l.tp.partition]!.wakeAll();
    await Promise.all(loops.map((l) => l.done));
    await this.opts.onRevoked?.(loops.map((l) => l.tp));
  }

  /** Starts partition loops for a new assignment (rebalance step 2). */
  async assign(partitions: TopicPartition[]): Promise<void> {
    if (!this.running || partitions.length === 0) return;
    const overrides = (await this.opts.onAssigned?.(partitions)) ?? [];
    const gen = this.generation;
    for (const tp of partitions) {
      const part = this.bus.topic(tp.topic)[tp.partition]!;
      let override = overrides.find((o: TopicPartitionOffset) => o.topic === tp.topic && o.partition === tp.partition);
      // An offset past the log's end belongs to another log (this bus started empty, the offsets
      // were stored by an earlier run): Kafka answers OFFSET_OUT_OF_RANGE and the client resets to
      // auto.offset.reset. Doing the same keeps a second `npm start` from skipping its first frames.
      if (override && override.offset > part.highWatermark) {
        this.bus.logger.warn('assigned offset is past the end of the log; starting as if none were stored', { ...override, groupId: this.opts.groupId, highWatermark: part.highWatermark });
        override = undefined;
      }
      const start = this.opts.live
        ? part.highWatermark
        : (override?.offset ?? this.group.committedFor(tp.topic, tp.partition) ?? (this.opts.fromBeginning === false ? part.highWatermark : part.logStart));
      const key = tpKey(tp.topic, tp.partition);
      // Resolving the start like Kafka's auto.offset.reset, and recording it, lets the partition be
      // trimmed behind a group that starts at the end and has not consumed anything yet.
      if (this.opts.live || this.group.committedFor(tp.topic, tp.partition) === undefined) this.group.committed.set(key, start);
      const loop: PartitionLoop = { tp, position: Math.max(start, part.logStart), paused: this.pausedKeys.has(key), done: Promise.resolve() };
      loop.done = this.loop(loop, gen);
      this.loops.set(key, loop);
    }
  }

  private async loop(loop: PartitionLoop, gen: number): Promise<void> {
    const part = this.bus.topic(loop.tp.topic)[loop.tp.partition]!;
    const max = this.opts.maxBatchMessages ?? 1000;
    let backoff = this.opts.retryBackoffMs ?? 100;
    const labels = { topic: loop.tp.topic, group: this.opts.groupId };
    while (this.generation === gen && this.running) {
      if (loop.paused || loop.position >= part.highWatermark) {
        await part.waitForData();
        continue;
      }
      const messages = part.read(loop.position, max);
      const handler = this.handler;
      if (!handler) return;
      try {
        await handler({ ...loop.tp, messages, heartbeat: async () => undefined });
      } catch (err) {
        if (this.generation !== gen) return;
        this.redelivered.inc(labels);
        this.bus.logger.warn('batch failed; it will be delivered again', {
          group: this.opts.groupId,
          topic: loop.tp.topic,
          partition: loop.tp.partition,
          offset: loop.position,
          retryInMs: backoff,
          err,
        });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
        continue;
      }
      // A crashed member's late success must not commit: its partition may already belong to another.
      if (this.generation !== gen) return;
      backoff = this.opts.retryBackoffMs ?? 100;
      loop.position = messages[messages.length - 1]!.offset + 1;
      this.group.committed.set(tpKey(loop.tp.topic, loop.tp.partition), loop.position);
      this.consumed.inc(labels, messages.length);
      if (part.full || part.size > 1024) this.bus.trimPartition(part);
    }
  }
}
