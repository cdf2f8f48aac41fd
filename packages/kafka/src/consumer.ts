import type { Batch, Consumer as KafkaJsConsumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { settlesWithin } from './deadline';

/** Group leaves that stop() stopped waiting for, finishing in the background. */
const lingeringLeaves = new Set<Promise<void>>();

/**
 * Waits at most `timeoutMs` for the group leaves stop() left running in the background (it gives
 * up on a pending join after leaveTimeoutMs); false when some are still going. A process that
 * exits simply drops them (the broker expires the member); one that carries on, such as a test
 * runner between files, needs them done first, or kafkajs works on after its caller has gone.
 */
export function settleLingeringLeaves(timeoutMs: number): Promise<boolean> {
  return settlesWithin(Promise.allSettled([...lingeringLeaves]), timeoutMs);
}

/** Structurally the bus's consumer types (@pitwall/bus builds on this package). */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestampMs: number;
}

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface TopicPartitionPosition extends TopicPartitionRef {
  offset: number;
}

export interface ConsumedBatch extends TopicPartitionRef {
  messages: ConsumedMessage[];
  heartbeat(): Promise<void>;
}

export type ConsumedBatchHandler = (batch: ConsumedBatch) => Promise<void>;

export interface KafkaConsumerOptions {
  kafka: Kafka;
  logger: Logger;
  metrics: Metrics;
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  onAssigned?(partitions: TopicPartitionRef[]): Promise<TopicPartitionPosition[] | void>;
  onRevoked?(partitions: TopicPartitionRef[]): Promise<void>;
  /** Most messages per handler call (a fetched batch is split). Default 1000. */
  maxBatchMessages?: number;
  /** First redelivery delay after a failed batch; doubles up to 30 s. Default 100 ms. */
  retryBackoffMs?: number;
  /** Group session timeout. Default 30 s. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Longest stop() waits, once the batch in progress has committed, for kafkajs to leave the group.
   * kafkajs's stop waits out a pending group join (a broker may hold one for up to the session
   * timeout); past this the member is left to expire, owning nothing uncommitted. Default 3 s.
   */
  leaveTimeoutMs?: number;
  /**
   * False: handled batches only advance the in-memory position, nothing is committed (a live
   * reader that seeks to the end on every assignment). Default true.
   */
  commitOffsets?: boolean;
  /** Longest a fetch waits for data. Default 1 s. */
  maxWaitTimeMs?: number;
  /** Bytes fetched per partition per request. Default 1 MiB. */
  maxBytesPerPartition?: number;
  /**
   * Called when kafkajs gives up on this consumer (a crash it will not restart from): it consumes
   * nothing from then on, so the owner should restart the process rather than run on idle.
   */
  onFatal?(err: Error): void;
}

const maxBackoffMs = 30_000;

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * The bus Consumer over kafkajs `eachBatch`, with kafkajs's own commits and auto-resolve off:
 * - the offset after a handler's last message is committed only once the handler resolved;
 * - a rejection resolves nothing, so kafkajs fetches the same offset again; the partition is paused
 *   for a backoff first (doubling, capped at 30 s) while the others carry on;
 * - on every group join, `onRevoked` gets what was lost and `onAssigned` the new assignment before
 *   any of its messages reach the handler; offsets it returns become seeks, and batches fetched
 *   before a seek are dropped, never delivered;
 * - the member heartbeats while a handler or `onAssigned` runs, so a slow one (longer than the
 *   session timeout) is not evicted and its batch delivered again.
 */
export class KafkaConsumer {
  private readonly consumer: KafkaJsConsumer;
  private readonly maxBatch: number;
  private readonly baseBackoff: number;
  private readonly leaveTimeoutMs: number;
  private owned: TopicPartitionRef[] = [];
  /** Resolves when the latest assignment's onRevoked/onAssigned work is done; batches wait on it. Never rejects. */
  private assignmentReady: Promise<void> = Promise.resolve();
  private readonly userPaused = new Set<string>();
  private allPaused = false;
  private readonly resumedWhileAllPaused = new Set<string>();
  private readonly backoff = new Map<string, { delayMs: number; timer: NodeJS.Timeout | null }>();
  private running = false;
  private stopped = false;
  /** Handler calls in progress: stop() lets them finish (and commit) before anything else. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Group joins so far: an assignment callback of an older one gives way to the newer. */
  private generation = 0;
  /** Ends the current onAssigned retry wait early (on stop or a newer group join). */
  private wake: () => void = () => undefined;
  private readonly labels;
  private readonly consumed;
  private readonly failures;
  private readonly commits;
  private readonly rebalances;
  private readonly lag;

  constructor(private readonly opts: KafkaConsumerOptions) {
    this.maxBatch = opts.maxBatchMessages ?? 1000;
    this.baseBackoff = opts.retryBackoffMs ?? 100;
    this.leaveTimeoutMs = opts.leaveTimeoutMs ?? 3000;
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new Error(`KafkaConsumer: maxBatchMessages must be a positive integer, got ${this.maxBatch}`);
    this.consumer = opts.kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: opts.heartbeatIntervalMs ?? 3000,
      maxWaitTimeInMs: opts.maxWaitTimeMs ?? 1000,
      maxBytesPerPartition: opts.maxBytesPerPartition ?? 1_048_576,
      allowAutoTopicCreation: false,
    });
    const m = opts.metrics;
    this.labels = { group: opts.groupId };
    this.consumed = m.counter('pitwall_bus_consumed_messages_total', 'Messages handled and committed', ['topic', 'group']);
    this.failures = m.counter('pitwall_bus_batch_failures_total', 'Batches whose handler failed and will be delivered again', ['topic', 'group']);
    this.commits = m.counter('pitwall_kafka_commits_total', 'Offset commits after a handled batch', ['topic', 'group']);
    this.rebalances = m.counter('pitwall_kafka_rebalances_total', 'Group joins (each rebalance this member took part in)', ['group']);
    this.lag = m.gauge('pitwall_kafka_consumer_lag_messages', 'Messages behind the partition end, as of the last fetch', ['topic', 'partition', 'group']);
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => this.onGroupJoin(e.payload.memberAssignment));
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      opts.logger.error('kafka consumer crashed', { group: opts.groupId, restart: e.payload.restart, err: e.payload.error });
      if (!e.payload.restart && !this.stopped) {
        opts.onFatal?.(new Error(`kafka consumer of group ${opts.groupId} stopped for good: ${e.payload.error?.message ?? 'unknown error'}`, { cause: e.payload.error }));
      }
    });
  }

  async run(handler: ConsumedBatchHandler): Promise<void> {
    if (this.running) throw new Error(`consumer of group ${this.opts.groupId} is already running`);
    if (this.stopped) throw new Error(`consumer of group ${this.opts.groupId} was stopped`);
    this.running = true;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.opts.topics, fromBeginning: this.opts.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.tracked(this.onBatch(payload, handler)),
    });
  }

  pause(partitions?: TopicPartitionRef[]): void {
    if (!partitions) {
      this.allPaused = true;
      this.resumedWhileAllPaused.clear();
    }
    for (const tp of partitions ?? []) {
      this.userPaused.add(tpKey(tp.topic, tp.partition));
      this.resumedWhileAllPaused.delete(tpKey(tp.topic, tp.partition));
    }
    this.reconcilePauses();
  }

  resume(partitions?: TopicPartitionRef[]): void {
    if (!partitions) {
      this.allPaused = false;
      this.userPaused.clear();
      this.resumedWhileAllPaused.clear();
    }
    for (const tp of partitions ?? []) {
      this.userPaused.delete(tpKey(tp.topic, tp.partition));
      if (this.allPaused) this.resumedWhileAllPaused.add(tpKey(tp.topic, tp.partition));
    }
    this.reconcilePauses();
  }

  assignment(): TopicPartitionRef[] {
    return this.owned.map((tp) => ({ ...tp }));
  }

  /**
   * Lets the batch in progress finish and commit, then leaves the group, waiting at most
   * leaveTimeoutMs for that: a rebalance pending at the time must not hold up a shutdown.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const b of this.backoff.values()) if (b.timer) clearTimeout(b.timer);
    this.wake();
    const stopping = this.consumer.stop();
    await Promise.allSettled([...this.inFlight]);
    const left = await settlesWithin(stopping, this.leaveTimeoutMs);
    const lost = this.owned;
    this.owned = [];
    try {
      if (lost.length > 0) await this.opts.onRevoked?.(lost);
    } finally {
      this.running = false;
      if (left) {
        await this.consumer.disconnect();
      } else {
        this.opts.logger.warn('left without waiting for the pending group join; the broker will expire this member', {
          group: this.opts.groupId,
          waitedMs: this.leaveTimeoutMs,
        });
        // kafkajs leaves the group once the join returns; its connections close after that.
        const late = stopping
          .then(() => this.consumer.disconnect())
          .catch((err: unknown) => {
            this.opts.logger.warn('disconnecting after a late leave failed', { group: this.opts.groupId, err });
          });
        lingeringLeaves.add(late);
        void late.finally(() => lingeringLeaves.delete(late));
      }
    }
  }

  private tracked(work: Promise<void>): Promise<void> {
    this.inFlight.add(work);
    const untrack = () => void this.inFlight.delete(work);
    work.then(untrack, untrack);
    return work;
  }

  private onGroupJoin(memberAssignment: Record<string, number[]>): void {
    // A join that completes after stop() gave up waiting for it assigns nothing to a stopped consumer.
    if (this.stopped) return;
    this.rebalances.inc(this.labels);
    const next = Object.entries(memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    const nextKeys = new Set(next.map((tp) => tpKey(tp.topic, tp.partition)));
    const lost = this.owned.filter((tp) => !nextKeys.has(tpKey(tp.topic, tp.partition)));
    this.owned = next;
    // A new generation starts from committed offsets: failure backoffs start over too.
    for (const b of this.backoff.values()) if (b.timer) clearTimeout(b.timer);
    this.backoff.clear();
    this.reconcilePauses();
    const previous = this.assignmentReady;
    // kafkajs emits this synchronously before it fetches, so every batch of the new generation
    // waits for this promise: none is handed over before onAssigned decided where to start.
    const generation = ++this.generation;
    // The previous generation's onAssigned retry (if any) gives up now instead of after its backoff.
    this.wake();
    this.assignmentReady = previous.then(async () => {
      if (lost.length > 0 && this.opts.onRevoked) {
        await this.opts.onRevoked(lost).catch((err: unknown) =>
          this.opts.logger.error('onRevoked failed; the partitions are gone regardless', { group: this.opts.groupId, err }),
        );
      }
      if (!this.opts.onAssigned || next.length === 0) return;
      const starts = await this.untilSucceeds('onAssigned', generation, () => this.opts.onAssigned!(next));
      if (generation !== this.generation) return;
      for (const s of starts ?? []) {
        if (!nextKeys.has(tpKey(s.topic, s.partition))) continue;
        this.consumer.seek({ topic: s.topic, partition: s.partition, offset: String(s.offset) });
      }
    }).catch((err: unknown) => {
      this.opts.logger.error('applying the new assignment failed', { group: this.opts.groupId, err });
    });
  }

  /**
   * Runs a callback until it succeeds, backing off like a failed batch: nothing is delivered from the
   * new assignment meanwhile. Gives up quietly once a newer generation or stop() superseded it.
   */
  private async untilSucceeds<T>(what: string, generation: number, call: () => Promise<T>): Promise<T | undefined> {
    let delayMs = this.baseBackoff;
    for (;;) {
      try {
        return await call();
      } catch (err) {
        if (generation !== this.generation || this.stopped) return undefined;
        this.opts.logger.error(`${what} failed; trying again`, { group: this.opts.groupId, retryInMs: delayMs, err });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        delayMs = Math.min(delayMs * 2, maxBackoffMs);
        if (generation !== this.generation || this.stopped) return undefined;
      }
    }
  }

  private async onBatch(payload: EachBatchPayload, handler: ConsumedBatchHandler): Promise<void> {
    const { batch, isRunning, isStale, heartbeat, resolveOffset, commitOffsetsIfNecessary } = payload;
    const superseded = await this.whileHeartbeating(this.assignmentReady, heartbeat, 'abandon');
    if (superseded) throw superseded;
    // Fetched before a seek from onAssigned (or a rebalance) took effect: drop, never deliver.
    if (isStale() || !isRunning() || batch.isEmpty()) return;
    const { topic, partition } = batch;
    this.lag.set(Number(batch.offsetLag()), { topic, partition, group: this.opts.groupId });
    const messages = batch.messages.map((m) => toConsumedMessage(batch, m));
    const labels = { topic, group: this.opts.groupId };
    for (let i = 0; i < messages.length; i += this.maxBatch) {
      if (!isRunning() || isStale()) return;
      const chunk = messages.slice(i, i + this.maxBatch);
      let rebalanced: unknown;
      try {
        rebalanced = await this.whileHeartbeating(handler({ topic, partition, messages: chunk, heartbeat: () => heartbeat() }), heartbeat, 'finish');
      } catch (err) {
        this.failures.inc(labels);
        this.backOff(topic, partition, chunk[0].offset, err);
        return;
      }
      const last = chunk[chunk.length - 1].offset;
      resolveOffset(String(last));
      if (this.opts.commitOffsets !== false) {
        // The batch payload's commit, unlike consumer.commitOffsets, still works while stop() drains.
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: String(last + 1) }] }] });
        this.commits.inc(labels);
      }
      this.consumed.inc(labels, chunk.length);
      this.backoff.delete(tpKey(topic, partition));
      // The rest of the batch waits for the new generation; kafkajs rejoins on this error.
      if (rebalanced) throw rebalanced;
    }
  }

  /**
   * Heartbeats while slow work runs (a handler's writes, an onAssigned reading the database): the
   * member stays in the group however long it takes. A heartbeat that fails (the group is
   * rebalancing) ends the heartbeats and is returned: with 'abandon' at once (the work only decides
   * where the next batch starts, and the rejoin must not wait for it), with 'finish' once the work
   * has settled (a handler is never cut off mid-way; its batch is committed if the group still
   * takes the commit, and delivered again otherwise). A rejection of the work itself is thrown.
   */
  private async whileHeartbeating(work: Promise<void>, heartbeat: () => Promise<void>, onRebalance: 'abandon' | 'finish'): Promise<unknown> {
    const interval = this.opts.heartbeatIntervalMs ?? 3000;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finished = work.finally(() => {
      done = true;
      clearTimeout(timer);
    });
    while (!done) {
      await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, interval)))]);
      if (done) break;
      try {
        await heartbeat();
      } catch (err) {
        if (onRebalance === 'finish') await finished;
        else finished.catch(() => undefined);
        return err;
      }
    }
    await finished;
    return undefined;
  }

  /** Nothing was resolved, so kafkajs fetches from the failed offset again once the pause ends. */
  private backOff(topic: string, partition: number, offset: number, err: unknown): void {
    const key = tpKey(topic, partition);
    const state = this.backoff.get(key) ?? { delayMs: this.baseBackoff, timer: null };
    const delayMs = state.delayMs;
    this.opts.logger.warn('batch failed; it will be delivered again', { group: this.opts.groupId, topic, partition, offset, retryInMs: delayMs, err });
    state.timer = setTimeout(() => {
      state.timer = null;
      this.reconcilePauses();
    }, delayMs);
    state.delayMs = Math.min(delayMs * 2, maxBackoffMs);
    this.backoff.set(key, state);
    this.reconcilePauses();
  }

  /**
   * kafkajs keeps one paused set, shared by the caller's pause() and our failure backoff: a partition
   * is paused exactly while either wants it, recomputed after every change.
   */
  private reconcilePauses(): void {
    if (this.owned.length === 0) return;
    const pause: TopicPartitionRef[] = [];
    const resume: TopicPartitionRef[] = [];
    for (const tp of this.owned) {
      const key = tpKey(tp.topic, tp.partition);
      const byUser = this.userPaused.has(key) || (this.allPaused && !this.resumedWhileAllPaused.has(key));
      (byUser || this.backoff.get(key)?.timer ? pause : resume).push(tp);
    }
    for (const [topic, partitions] of byTopic(pause)) this.consumer.pause([{ topic, partitions }]);
    for (const [topic, partitions] of byTopic(resume)) this.consumer.resume([{ topic, partitions }]);
  }
}

function byTopic(list: TopicPartitionRef[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const tp of list) out.set(tp.topic, [...(out.get(tp.topic) ?? []), tp.partition]);
  return out;
}

function toConsumedMessage(batch: Batch, m: Batch['messages'][number]): ConsumedMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v === undefined) continue;
    headers[k] = Array.isArray(v) ? v.map(String).join(',') : v.toString();
  }
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: Number(m.offset),
    key: m.key === null ? null : m.key.toString(),
    value: m.value ?? Buffer.alloc(0),
    headers,
    timestampMs: Number(m.timestamp),
  };
}
