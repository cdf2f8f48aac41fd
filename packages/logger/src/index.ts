import * as winston from 'winston';

export type Logger = winston.Logger;

export interface LoggerOptions {
  /** The app or component name, carried on every line as `service`. */
  service: string;
  level?: string;
  /** `json` (default, one object a line for log shippers) or `pretty` for a terminal. */
  format?: 'json' | 'pretty';
  /** Extra context fields on every line. */
  context?: Record<string, unknown>;
  /** Where lines go; stdout by default (PM2 and containers collect it). */
  stream?: NodeJS.WritableStream;
}

const levels = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'];

/**
 * Errors passed as metadata (`log.error('x', { err })`) become plain fields with name, message and
 * stack, which winston's JSON format would otherwise print as `{}`.
 */
const errorFields = winston.format((info) => {
  for (const [k, v] of Object.entries(info)) {
    if (v instanceof Error) info[k] = { name: v.name, message: v.message, stack: v.stack, ...(v as object) };
  }
  return info;
});

export function createLogger(opts: LoggerOptions): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!levels.includes(level)) throw new Error(`LOG_LEVEL: expected one of ${levels.join(', ')}, got ${JSON.stringify(level)}`);
  const pretty = (opts.format ?? process.env.LOG_FORMAT) === 'pretty';
  const format = pretty
    ? winston.format.combine(errorFields(), winston.format.timestamp(), winston.format.colorize(), winston.format.simple())
    : winston.format.combine(errorFields(), winston.format.timestamp(), winston.format.json());
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level,
    format,
    defaultMeta: { service: opts.service, ...opts.context },
    transports: [transport],
  });
}

/** A logger that writes nothing, for tests and benchmarks that do not look at logs. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console({ silent: true })] });
}
