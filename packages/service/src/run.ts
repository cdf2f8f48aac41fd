import { ConfigError, EnvReader } from '@pitwall/config';
import { createLogger, type Logger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { Health } from './health';
import { startOpsServer } from './ops-server';

export interface Stoppable {
  /** Stop intake, flush, commit, disconnect: in that order. */
  stop(): Promise<void>;
}

export interface ServiceContext {
  name: string;
  env: EnvReader;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  /** Registers cleanup that runs after the app stopped, last registered first (bus after app, …). */
  onShutdown(cleanup: () => Promise<void>): void;
  /**
   * Something the app cannot recover from in-process (a consumer its client gave up on): logs it
   * and shuts down cleanly with exit code 1, so PM2 restarts the app.
   */
  fatal(reason: string, err: Error): void;
}

/** Exit code for a configuration error (sysexits EX_CONFIG): PM2 logs show it is not a crash. */
export const EXIT_CONFIG = 78;

/**
 * The main of every app: builds the service kit from the environment, serves /health and /metrics
 * on HEALTH_PORT, starts the app and stops it cleanly on SIGTERM/SIGINT within SHUTDOWN_TIMEOUT_MS
 * (below PM2's kill_timeout, so PM2 never has to SIGKILL a healthy app). A bad setting stops the
 * app at start with a message naming the variable and exit code 78.
 */
export interface RunOptions {
  /** HEALTH_PORT when the variable is unset; 0 = any free port. */
  defaultHealthPort?: number;
}

export async function runMain(name: string, start: (ctx: ServiceContext) => Promise<Stoppable>, opts: RunOptions = {}): Promise<void> {
  const env = new EnvReader();
  let logger: Logger;
  try {
    logger = createLogger({ service: name, level: env.oneOf('LOG_LEVEL', ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'], { default: 'info' }), format: env.oneOf('LOG_FORMAT', ['json', 'pretty'] as const, { default: 'json' }) });
  } catch (err) {
    process.stderr.write(`${name}: configuration error: ${(err as Error).message}\n`);
    process.exit(EXIT_CONFIG);
  }
  const metrics = new Metrics(name);
  metrics.collectProcessMetrics();
  const health = new Health();
  health.addApp(name);
  // /health answers from the first moment (PM2 and load balancers probe early), but says `down`
  // until the app has started and again once it is stopping: ok must mean it is serving.
  let lifecycle: 'starting' | 'running' | 'stopping' = 'starting';
  health.register('lifecycle', () => ({ status: lifecycle === 'running' ? 'ok' : 'down', detail: { state: lifecycle } }));
  const cleanups: (() => Promise<void>)[] = [];
  let failure: { reason: string; err: Error } | null = null;
  let shutdown: (signal: string) => Promise<void> = async () => undefined;
  const ctx: ServiceContext = {
    name,
    env,
    logger,
    metrics,
    health,
    onShutdown: (c) => void cleanups.unshift(c),
    fatal: (reason, err) => {
      if (failure) return;
      failure = { reason, err };
      logger.error(`fatal: ${reason}; shutting down so the process is restarted`, { err });
      void shutdown('fatal');
    },
  };

  let app: Stoppable;
  let shutdownTimeoutMs: number;
  try {
    shutdownTimeoutMs = env.int('SHUTDOWN_TIMEOUT_MS', { default: 8000, min: 100, max: 600_000 });
    const ops = await startOpsServer({ port: env.port('HEALTH_PORT', { default: opts.defaultHealthPort ?? 0 }), host: env.string('HEALTH_HOST', { default: '0.0.0.0' }), health, metrics, logger });
    cleanups.push(() => ops.close());
    app = await start(ctx);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.error(`configuration error: ${err.message}`, { variable: err.variable, expected: err.expected });
      await flushLogs(logger);
      process.exit(EXIT_CONFIG);
    }
    logger.error('failed to start', { err });
    await flushLogs(logger);
    process.exit(1);
  }
  lifecycle = 'running';
  logger.info('started', { pid: process.pid });

  let stopping = false;
  shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting now', { signal });
      process.exit(130);
    }
    stopping = true;
    lifecycle = 'stopping';
    const began = Date.now();
    // The pid tells PM2's merged per-app logs apart, instance by instance.
    logger.info('shutting down', { signal, timeoutMs: shutdownTimeoutMs, pid: process.pid });
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting with work possibly uncommitted (it will be redelivered)', { timeoutMs: shutdownTimeoutMs });
      void flushLogs(logger).then(() => process.exit(1));
    }, shutdownTimeoutMs);
    timer.unref();
    let code = 0;
    for (const step of [() => app.stop(), ...cleanups]) {
      try {
        await step();
      } catch (err) {
        code = 1;
        logger.error('shutdown step failed', { err });
      }
    }
    clearTimeout(timer);
    if (failure) code = 1;
    logger.info('stopped', { ms: Date.now() - began, code, pid: process.pid });
    await flushLogs(logger);
    process.exit(code);
  };
  // A fatal error raised while the app was still starting shuts it down now.
  if (failure) void shutdown('fatal');
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // PM2 sends this message instead of a signal on Windows and with shutdown_with_message.
  process.on('message', (msg) => {
    if (msg === 'shutdown') void shutdown('message');
  });
}

function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 500);
    logger.on('finish', () => {
      clearTimeout(t);
      resolve();
    });
    logger.end();
  });
}
