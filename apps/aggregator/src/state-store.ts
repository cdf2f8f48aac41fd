/**
 * Snapshots of each input partition's analysis on the compacted state topic, key = the input
 * partition number, each with the input offset it covers; and after every batch a small progress
 * record (key `<partition>.progress`): the offset up to which outputs are acknowledged, so after a
 * crash the frames between the snapshot and it are re-analysed without publishing again.
 *
 * Reading: every instance runs one reader over the whole state topic from the beginning, in a
 * consumer group of its own, and keeps the latest snapshot bytes per partition (at most one per
 * input partition). On an assignment it must know it has read everything written so far, and the
 * Bus has no end-offset query, so it writes a barrier: a record with a fresh nonce on each state
 * partition it needs, under a fixed key per state partition (compaction keeps one barrier each).
 * Records of a partition are read in order, so once the reader has seen its own barrier, every
 * snapshot acknowledged before the barrier was sent has been read.
 */
import { randomUUID } from 'node:crypto';
import { partitionForKey, type Bus, type Consumer, type IncomingMessage, type Producer } from '@pitwall/bus';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { SessionSnapshot } from './partition-analysis';

export interface PartitionSnapshot {
  version: 1;
  /** The input topic and partition the state belongs to. */
  topic: string;
  partition: number;
  /** The next input offset to read: every frame before it is in this state and its outputs are acknowledged. */
  nextOffset: number;
  writtenAtMs: number;
  sessions: SessionSnapshot[];
}

export interface PartitionProgress {
  version: 1;
  topic: string;
  partition: number;
  /** Outputs of every frame before this input offset are acknowledged. */
  nextOffset: number;
}

/** What the state topic holds for a partition. */
export interface PartitionState {
  snapshot?: PartitionSnapshot;
  progress?: PartitionProgress;
}

export const STATE_KIND_HEADER = 'pitwall.state';
const progressKey = (partition: number) => `${partition}.progress`;
/** More input partitions than the catalogue allows (KAFKA_TELEMETRY_PARTITIONS ≤ 10,000): a foreign key. */
const MAX_PARTITION = 10_000;

export interface StateStoreOptions {
  bus: Bus;
  producer: Producer;
  topic: string;
  /** The reader's group is `<groupId>.state.<uuid>`: its own, so it reads every partition. */
  groupId: string;
  readTimeoutMs: number;
  logger: Logger;
  metrics: Metrics;
}

export class StateReadTimeout extends Error {
  constructor(topic: string, ms: number) {
    super(`state topic ${topic}: the reader did not reach the end within ${ms} ms`);
    this.name = 'StateReadTimeout';
  }
}

export class StateStore {
  private reader: Consumer | null = null;
  private statePartitions = 0;
  private barrierKeys: string[] = [];
  private readonly latest = new Map<number, Buffer>();
  private readonly progress = new Map<number, Buffer>();
  private readonly waiters = new Map<string, () => void>();
  /** Rejects reads in progress when the store stops (their timers would hold the process up). */
  private readonly cancels = new Set<(err: Error) => void>();
  private readonly ignored;
  private readonly bytes;

  constructor(private readonly opts: StateStoreOptions) {
    this.ignored = opts.metrics.counter('pitwall_aggregator_state_records_ignored_total', 'State topic records that are not a snapshot of a partition', ['reason']);
    this.bytes = opts.metrics.gauge('pitwall_aggregator_state_held_bytes', 'Bytes of the latest snapshots the state reader holds');
  }

  async start(): Promise<void> {
    this.statePartitions = await this.opts.bus.partitionsFor(this.opts.topic);
    this.barrierKeys = barrierKeys(this.statePartitions);
    this.reader = this.opts.bus.consumer({
      groupId: `${this.opts.groupId}.state.${randomUUID()}`,
      topics: [this.opts.topic],
      fromBeginning: true,
      // Always from the start: the group is new, but say so rather than rely on it.
      onAssigned: async (partitions) => partitions.map((tp) => ({ ...tp, offset: 0 })),
    });
    await this.reader.run(async (batch) => {
      for (const message of batch.messages) this.absorb(message);
    });
  }

  /** Writes a partition's snapshot; resolves when acknowledged, with its size in bytes. */
  async write(snapshot: PartitionSnapshot): Promise<number> {
    const value = Buffer.from(JSON.stringify(snapshot));
    await this.opts.producer.send(this.opts.topic, [{ key: String(snapshot.partition), value, headers: { [STATE_KIND_HEADER]: 'snapshot' } }]);
    return value.length;
  }

  /** Records that outputs of every frame before `nextOffset` are acknowledged; resolves when acknowledged. */
  async writeProgress(progress: PartitionProgress): Promise<void> {
    const value = Buffer.from(JSON.stringify(progress));
    await this.opts.producer.send(this.opts.topic, [{ key: progressKey(progress.partition), value, headers: { [STATE_KIND_HEADER]: 'progress' } }]);
  }

  /**
   * The latest snapshot and progress of each partition of `topic` written before this call
   * (absent: none, or not readable; the reason is logged). Throws StateReadTimeout when the
   * reader does not catch up.
   */
  async read(topic: string, partitions: number[]): Promise<Map<number, PartitionState>> {
    const keys = partitions.flatMap((p) => [String(p), progressKey(p)]);
    const stateParts = [...new Set(keys.map((k) => partitionForKey(k, this.statePartitions)))];
    const barriers = stateParts.map((sp) => ({ key: this.barrierKeys[sp]!, nonce: randomUUID() }));
    const seen = Promise.all(barriers.map((b) => new Promise<void>((resolve) => this.waiters.set(b.nonce, resolve))));
    let timer: NodeJS.Timeout | undefined;
    let cancel: ((err: Error) => void) | undefined;
    try {
      await this.opts.producer.send(
        this.opts.topic,
        barriers.map((b) => ({ key: b.key, value: Buffer.from(b.nonce), headers: { [STATE_KIND_HEADER]: 'barrier' } })),
      );
      const timeout = new Promise<never>((_, reject) => {
        cancel = reject;
        this.cancels.add(reject);
        timer = setTimeout(() => reject(new StateReadTimeout(this.opts.topic, this.opts.readTimeoutMs)), this.opts.readTimeoutMs);
      });
      await Promise.race([seen, timeout]);
    } finally {
      clearTimeout(timer);
      if (cancel) this.cancels.delete(cancel);
      for (const b of barriers) this.waiters.delete(b.nonce);
    }
    const out = new Map<number, PartitionState>();
    for (const p of partitions) {
      const snapshot = this.parse<PartitionSnapshot>(this.latest, topic, p, (s) => Array.isArray(s.sessions));
      const progress = this.parse<PartitionProgress>(this.progress, topic, p, () => true);
      out.set(p, { snapshot, progress });
    }
    return out;
  }

  /** Fails the reads in progress at once (the app is stopping: no assignment should wait). */
  cancelReads(): void {
    for (const cancel of this.cancels) cancel(new Error(`state store of ${this.opts.topic} stopping`));
  }

  async stop(): Promise<void> {
    this.cancelReads();
    await this.reader?.stop();
    this.reader = null;
  }

  private absorb(message: IncomingMessage): void {
    const kind = message.headers[STATE_KIND_HEADER];
    if (kind === 'barrier') {
      this.waiters.get(message.value.toString())?.();
      return;
    }
    const key = message.key ?? '';
    const number = /^(\d{1,5})(\.progress)?$/.exec(key);
    const partition = number ? Number(number[1]) : Number.NaN;
    const table = kind === 'snapshot' && !number?.[2] ? this.latest : kind === 'progress' && number?.[2] ? this.progress : null;
    if (!table || !(partition < MAX_PARTITION)) {
      this.ignored.inc({ reason: 'not a record of a partition' });
      return;
    }
    const previous = table.get(partition);
    // A copy: the message's bytes may be a view of a whole fetch response.
    const bytes = Buffer.from(message.value);
    table.set(partition, bytes);
    this.bytes.inc({}, bytes.length - (previous?.length ?? 0));
  }

  private parse<T extends PartitionProgress | PartitionSnapshot>(table: Map<number, Buffer>, topic: string, partition: number, valid: (record: T) => boolean): T | undefined {
    const bytes = table.get(partition);
    if (!bytes) return undefined;
    let record: T;
    try {
      record = JSON.parse(bytes.toString()) as T;
    } catch (err) {
      this.reject(partition, `not JSON: ${(err as Error).message}`);
      return undefined;
    }
    if (record?.version !== 1 || !Number.isSafeInteger(record.nextOffset) || record.nextOffset < 0 || !valid(record)) {
      this.reject(partition, 'expected { version: 1, nextOffset, ... }');
      return undefined;
    }
    if (record.topic !== topic || record.partition !== partition) {
      this.reject(partition, `it belongs to ${record.topic}[${record.partition}], not ${topic}[${partition}]`);
      return undefined;
    }
    return record;
  }

  private reject(partition: number, reason: string): void {
    this.ignored.inc({ reason: 'unreadable' });
    this.opts.logger.error('state record unreadable: the partition starts without it', { topic: this.opts.topic, partition, reason });
  }
}

/** One key per state partition that the bus's partitioner sends there: where that partition's barriers go. */
export function barrierKeys(partitions: number): string[] {
  const keys: string[] = new Array(partitions);
  let found = 0;
  for (let i = 0; found < partitions; i++) {
    if (i > partitions * 1000) throw new Error(`no barrier key found for every one of ${partitions} state partitions`);
    const key = `barrier-${i}`;
    const p = partitionForKey(key, partitions);
    if (keys[p] === undefined) {
      keys[p] = key;
      found++;
    }
  }
  return keys;
}
