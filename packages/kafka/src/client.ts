import { Kafka, type RetryOptions, type SASLOptions } from 'kafkajs';
import type { Logger } from '@pitwall/logger';
import type { KafkaSettings } from './settings';
import { kafkaLogCreator, kafkaLogLevel } from './log-creator';

export interface ClientOptions {
  /** kafkajs retry policy for every request (defaults: 5 retries, 300 ms doubling to 10 s). */
  retry?: RetryOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/**
 * INVALID_REQUEST is fatal to kafkajs. librdkafka's mock cluster sends it for a SyncGroup that
 * races another member's session expiry (a real coordinator answers REBALANCE_IN_PROGRESS or
 * UNKNOWN_MEMBER_ID there), and a consumer that crashes on it and restarts leaves a dead member
 * that sets up the same race for the next one: the fleet test's db-writers crash-looped for
 * minutes after one SIGKILL. Retrying is always safe (the request is resent, a consumer rejoins in
 * process) and a request that really is malformed still fails after the retries.
 */
function retryInvalidRequest(): void {
  const table = (require('kafkajs/src/protocol/error') as { errorCodes: { code: number; retriable: boolean }[] }).errorCodes;
  const entry = table.find((e) => e.code === 42);
  if (entry) entry.retriable = true;
}
retryInvalidRequest();

/** The one place a kafkajs client is built, so every producer/consumer/admin logs and retries alike. */
export function createKafkaClient(settings: KafkaSettings, logger: Logger, opts: ClientOptions = {}): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    // Our settings hold one of the mechanisms kafkajs's SASLOptions union lists.
    sasl: settings.sasl as SASLOptions | undefined,
    connectionTimeout: opts.connectionTimeoutMs ?? 3000,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000, ...opts.retry },
    logLevel: kafkaLogLevel(logger),
    logCreator: kafkaLogCreator(logger),
  });
}
