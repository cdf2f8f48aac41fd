import type { Codec } from '@pitwall/proto';
import type { Metrics } from '@pitwall/metrics';
import type { Logger } from '@pitwall/logger';
import type { BatchHandler, IncomingMessage, PartitionBatch, Producer } from './types';

/** Headers a dead-lettered message carries, so an operator can find and replay its original. */
export const DLQ_HEADERS = {
  reason: 'dlq.reason',
  topic: 'dlq.topic',
  partition: 'dlq.partition',
  offset: 'dlq.offset',
  group: 'dlq.group',
  stage: 'dlq.stage',
  failedAt: 'dlq.failed-at',
} as const;

export interface Decoded<T> {
  message: IncomingMessage;
  value: T;
}

export interface DecodedBatch<T> extends Omit<PartitionBatch, 'messages'> {
  items: Decoded<T>[];
  /** Sends one item's original bytes to the DLQ (e.g. a row the database rejected). Resolves when acked. */
  deadLetter(item: IncomingMessage, stage: string, reason: string): Promise<void>;
}

export interface DeadLetterOptions<T> {
  codec: Codec<T>;
  producer: Producer;
  dlqTopic: string;
  groupId: string;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Wraps a typed handler into a bus handler: messages that do not decode go to the dead-letter
 * topic with the reason and their origin in headers, and the rest of the batch carries on. The DLQ
 * send is awaited before the handler runs, so the batch's commit covers the bad message only once
 * it is safely in the DLQ: it is never silently dropped and never blocks the partition.
 */
export function withDeadLetter<T>(opts: DeadLetterOptions<T>, handler: (batch: DecodedBatch<T>) => Promise<void>): BatchHandler {
  const deadLettered = opts.metrics.counter(
    'pitwall_bus_dead_lettered_messages_total',
    'Messages sent to the dead-letter topic',
    ['topic', 'group', 'stage'],
  );
  const deadLetter = async (message: IncomingMessage, stage: string, reason: string) => {
    await opts.producer.send(opts.dlqTopic, [
      {
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.reason]: reason,
          [DLQ_HEADERS.topic]: message.topic,
          [DLQ_HEADERS.partition]: String(message.partition),
          [DLQ_HEADERS.offset]: String(message.offset),
          [DLQ_HEADERS.group]: opts.groupId,
          [DLQ_HEADERS.stage]: stage,
          [DLQ_HEADERS.failedAt]: new Date().toISOString(),
        },
      },
    ]);
    deadLettered.inc({ topic: message.topic, group: opts.groupId, stage });
    opts.logger.warn('message sent to the dead-letter topic', {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
      stage,
      reason,
    });
  };

  return async (batch) => {
    const items: Decoded<T>[] = [];
    for (const message of batch.messages) {
      let value: T;
      try {
        value = opts.codec.decode(message.value);
      } catch (err) {
        await deadLetter(message, 'decode', (err as Error).message);
        continue;
      }
      items.push({ message, value });
    }
    const { messages: _messages, ...rest } = batch;
    await handler({ ...rest, items, deadLetter });
  };
}
