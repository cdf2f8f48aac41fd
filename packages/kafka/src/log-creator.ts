import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@pitwall/logger';

/**
 * Routes kafkajs logs into our winston logger, with kafkajs's namespace and fields as metadata.
 * kafkajs INFO lines (group joins, pauses) are routine, so they go out at `verbose`.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const meta = { kafkajs: namespace, ...fields };
      switch (level) {
        case logLevel.ERROR:
          logger.error(message, meta);
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
