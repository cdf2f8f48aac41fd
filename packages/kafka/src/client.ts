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

type ProtocolError = Error & { type?: string };
const kafkaErrors = require('kafkajs/src/protocol/error') as {
  errorCodes: { code: number; retriable: boolean }[];
  createErrorFromCode(code: number): ProtocolError;
};

/**
 * INVALID_REQUEST is fatal to kafkajs. librdkafka's mock cluster sends it where a real coordinator
 * would answer REBALANCE_IN_PROGRESS or UNKNOWN_MEMBER_ID (a heartbeat or commit to a group that
 * emptied meanwhile). Restarting the consumer in process is always safe (it joins again), and a
 * request that really is malformed still fails after the retries.
 */
function restartOnInvalidRequest(): void {
  const entry = kafkaErrors.errorCodes.find((e) => e.code === 42);
  if (entry) entry.retriable = true;
}

/**
 * The mock coordinator completes a sync as soon as the leader's SyncGroup hands out every member's
 * assignment, so a follower whose SyncGroup arrives after the leader's is answered INVALID_REQUEST
 * (a real coordinator hands it its assignment). Were that a crash, kafkajs would restart the
 * consumer as a new member and leave the old one in the group, holding partitions until its session
 * expired, and that expiry rebalances again, with the same race: after one SIGKILL the fleet test's
 * db-writers rebalanced for minutes. Answered as REBALANCE_IN_PROGRESS, the member joins again
 * under its own id: one more rebalance, nobody left behind.
 */
function rejoinOnRefusedSync(): void {
  const Broker = require('kafkajs/src/broker') as { prototype: { syncGroup(this: unknown, request: unknown): Promise<unknown> } };
  const syncGroup = Broker.prototype.syncGroup;
  Broker.prototype.syncGroup = async function (this: unknown, request: unknown) {
    try {
      return await syncGroup.call(this, request);
    } catch (err) {
      if ((err as ProtocolError).type === 'INVALID_REQUEST') throw kafkaErrors.createErrorFromCode(27);
      throw err;
    }
  };
}

restartOnInvalidRequest();
rejoinOnRefusedSync();

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
