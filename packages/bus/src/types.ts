/**
 * The transport apps use. Two implementations keep the same semantics: Kafka (kafkajs, via
 * @pitwall/kafka) and in-memory (one process, for `npm start` and tests).
 *
 * Semantics both honour:
 * - A message goes to partition murmur2(key) mod partitions, like Kafka's Java client, so one
 *   session's messages stay in order on one partition.
 * - `Producer.send` resolves only when every message is acknowledged (Kafka: acks=all). A full
 *   in-flight buffer makes `send` wait: that wait is the backpressure a caller feels.
 * - Consumers in one group split a topic's partitions; an offset is committed only after the
 *   handler's promise for the batch resolves; work not committed is delivered again to whichever
 *   member owns the partition next (at least once).
 * - Offsets are plain numbers: the next offset to read, as Kafka commits them.
 */

export type Headers = Record<string, string>;

export interface OutgoingMessage {
  /** Partitioning key (the session id for telemetry). null = round robin. */
  key: string | null;
  value: Uint8Array;
  headers?: Headers;
  /** Producer timestamp in ms since the epoch; now when absent. */
  timestampMs?: number;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer;
  headers: Headers;
  timestampMs: number;
}

export interface ProducerOptions {
  /** Most messages queued or awaiting acknowledgement before `send` waits. */
  maxBufferedMessages?: number;
  /** How long to gather messages into one request (Kafka linger.ms). */
  lingerMs?: number;
  /** Most messages per produce request. */
  maxBatchMessages?: number;
}

export interface Producer {
  /** Resolves when every message is acknowledged; waits first while the buffer is full. */
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Messages queued or in flight now. */
  readonly buffered: number;
  /** The buffer's limit (maxBufferedMessages). */
  readonly capacity: number;
  /** Resolves when everything sent so far is acknowledged. */
  flush(): Promise<void>;
  /** Flushes, then releases the connection. */
  close(): Promise<void>;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read. */
  offset: number;
}

export interface PartitionBatch extends TopicPartition {
  messages: IncomingMessage[];
  /** Call during long work, so the group does not evict this member. */
  heartbeat(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a partition with no committed offset starts: the beginning (default) or the end. */
  fromBeginning?: boolean;
  /**
   * A live view (the ws-bridge): every assignment starts at the partition's end, whatever the group
   * committed, and nothing is committed. On Kafka a group with no offsets is removed by the broker
   * once empty, so a reader that takes a new group per start leaves nothing behind. Not combined
   * with onAssigned.
   */
  live?: boolean;
  /**
   * Called when partitions are assigned, before any of their messages are delivered. Offsets it
   * returns replace the group's committed ones (the db-writer starts from the offsets stored with
   * its rows).
   */
  onAssigned?(partitions: TopicPartition[]): Promise<TopicPartitionOffset[] | void>;
  /** Called before partitions are taken away (after the batch in progress finished). */
  onRevoked?(partitions: TopicPartition[]): Promise<void>;
  /** Most messages handed to the handler at once. */
  maxBatchMessages?: number;
  /** Delay before a failed batch is delivered again; doubles up to 30 s while it keeps failing. */
  retryBackoffMs?: number;
}

export type BatchHandler = (batch: PartitionBatch) => Promise<void>;

export interface Consumer {
  /**
   * Starts delivering. The handler's promise resolving means the batch's work is durable: the
   * offset after its last message is committed then. A rejection commits nothing; the same
   * messages are delivered again after a backoff.
   */
  run(handler: BatchHandler): Promise<void>;
  pause(partitions?: TopicPartition[]): void;
  resume(partitions?: TopicPartition[]): void;
  /** Partitions this member owns now. */
  assignment(): TopicPartition[];
  /** Lets the batch in progress finish and commit, then leaves the group. */
  stop(): Promise<void>;
}

export interface Bus {
  readonly kind: 'kafka' | 'memory';
  producer(opts?: ProducerOptions): Producer;
  consumer(opts: ConsumerOptions): Consumer;
  /** Partition count of a topic (from the cluster, or the catalogue in memory). */
  partitionsFor(topic: string): Promise<number>;
  /** Closes every producer and consumer this bus created. */
  close(): Promise<void>;
}
