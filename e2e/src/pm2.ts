import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One process of `pm2 jlist`. */
export interface Pm2Process {
  name: string;
  pmId: number;
  pid: number;
  status: string;
  restarts: number;
  /** Unstable restarts and exits PM2 saw, from its own counters. */
  exitCode: number | null;
  memoryBytes: number;
  cpuPercent: number;
}

/**
 * The project's own PM2 (its dependency, not a global install) with a daemon of its own: PM2_HOME
 * under the run's directory, so a developer's fleet on the same machine is never touched.
 */
export class Pm2 {
  readonly home: string;
  private readonly bin: string;

  constructor(
    workDir: string,
    private readonly projectRoot: string,
  ) {
    this.home = path.join(workDir, 'pm2');
    mkdirSync(this.home, { recursive: true });
    this.bin = require.resolve('pm2/bin/pm2', { paths: [projectRoot] });
  }

  /** Runs `pm2 <args>` with the given environment on top of this process's. */
  async cli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<string> {
    try {
      const { stdout } = await run(process.execPath, [this.bin, ...args], {
        cwd: this.projectRoot,
        env: { ...process.env, ...env, PM2_HOME: this.home, PM2_DISABLE_VERSION_CHECK: 'true' },
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
      });
      return stdout;
    } catch (err) {
      const e = err as Error & { stdout?: string; stderr?: string };
      throw new Error(`pm2 ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`.trim());
    }
  }

  start(ecosystem: string, env: Record<string, string>): Promise<string> {
    return this.cli(['start', ecosystem, '--update-env'], env);
  }

  async list(): Promise<Pm2Process[]> {
    const out = await this.cli(['jlist']);
    // jlist prints the JSON array on its own; anything before it (a daemon start banner) is skipped.
    const json = out.slice(out.indexOf('['));
    const raw = JSON.parse(json) as {
      name: string;
      pm_id: number;
      pid: number;
      monit?: { memory?: number; cpu?: number };
      pm2_env: { status: string; restart_time: number; exit_code?: number };
    }[];
    return raw.map((p) => ({
      name: p.name,
      pmId: p.pm_id,
      pid: p.pid,
      status: p.pm2_env.status,
      restarts: p.pm2_env.restart_time,
      exitCode: p.pm2_env.exit_code ?? null,
      memoryBytes: p.monit?.memory ?? 0,
      cpuPercent: p.monit?.cpu ?? 0,
    }));
  }

  /** The PM2 daemon's own process id (to check it and its children are gone at the end). */
  async daemonPid(): Promise<number | null> {
    const out = await this.cli(['ping']).catch(() => '');
    if (!out) return null;
    try {
      return Number(readFileSync(path.join(this.home, 'pm2.pid'), 'utf8').trim());
    } catch {
      return null;
    }
  }

  /** Stops every app (SIGINT, then SIGKILL after its kill_timeout), then ends the daemon. */
  async shutdown(): Promise<void> {
    await this.cli(['stop', 'all'], {}, 120_000).catch(() => undefined);
    await this.cli(['kill'], {}, 60_000).catch(() => undefined);
  }

  logFile(name: string, kind: 'out' | 'error', instance?: number): string {
    return path.join(this.home, 'logs', `${name}-${kind}${instance === undefined ? '' : `-${instance}`}.log`);
  }
}
