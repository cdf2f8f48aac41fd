import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@pitwall/logger';

/**
 * Group-protocol answers a consumer gets in every rebalance. kafkajs's Connection logs each at
 * ERROR (one per heartbeat, dozens a second while the group settles); its Runner then logs the
 * rejoin as a WARN, which is the line that matters.
 */
const REBALANCE_ANSWERS = /group is rebalancing|not aware of this member|generation id is not valid|not the correct coordinator/i;

/**
 * Routes kafkajs logs into our winston logger, with kafkajs's namespace and fields as metadata.
 * kafkajs INFO lines (group joins, pauses) are routine, so they go out at `verbose`, and so do
 * the per-request errors of a rebalance.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const meta = { kafkajs: namespace, ...fields };
      switch (level) {
        case logLevel.ERROR:
          if (namespace === 'Connection' && REBALANCE_ANSWERS.test(String(fields.error ?? ''))) logger.verbose(message, meta);
          else logger.error(message, meta);
          break;
        case logLevel.WARN:
          logger.warn(message, meta);
          break;
        case logLevel.INFO:
          logger.verbose(message, meta);
          break;
        default:
          logger.debug(message, meta);
      }
    };
}

/** The kafkajs level that emits only what the logger would keep. */
export function kafkaLogLevel(logger: Logger): logLevel {
  if (logger.isDebugEnabled()) return logLevel.DEBUG;
  if (logger.isVerboseEnabled()) return logLevel.INFO;
  if (logger.isWarnEnabled()) return logLevel.WARN;
  return logLevel.ERROR;
}
