/**
 * A built app main (or any node script) as a child process of a benchmark: its JSON log lines
 * watched for what it announces (ports, "started"), its resident memory read from /proc, and a
 * stop that always ends it, even when the benchmark fails or the benchmark process exits first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';

export type LogLine = Record<string, unknown>;

/** Output lines kept for error messages. */
const TAIL_LINES = 60;
/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;
/** SIGTERM first (apps shut down cleanly within SHUTDOWN_TIMEOUT_MS, default 8 s), SIGKILL after. */
const STOP_GRACE_MS = 10_000;

export class AppProcess {
  private readonly child: ChildProcess;
  private readonly tailLines: string[] = [];
  private readonly lines: LogLine[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly exited: Promise<void>;
  private exitedWith: string | null = null;
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
  ) {
    if (!fs.existsSync(script)) throw new Error(`${name}: ${script} does not exist (run \`npm run build\` first)`);
    // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the apps under load:
    // Node refuses those flags in NODE_OPTIONS.
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    process.once('exit', this.killOnExit);
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitedWith = signal ?? `code ${code}`;
        process.off('exit', this.killOnExit);
        for (const wake of this.waiters) wake();
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The first JSON line that `match` accepts, waiting for it at most `timeoutMs`. */
  async waitFor(what: string, match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.exitedWith) throw new Error(`${this.name} exited (${this.exitedWith}) before ${what}:\n${this.tail()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no ${what} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /** A port the app logged: the `port` field of its first log line with this message. */
  async loggedPort(message: string, timeoutMs: number): Promise<number> {
    const line = await this.waitFor(`"${message}"`, (l) => l.message === message && typeof l.port === 'number', timeoutMs);
    return line.port as number;
  }

  /** Resident set size in bytes (VmRSS), or null once the process is gone. */
  rssBytes(): number | null {
    try {
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1];
      return kb === undefined ? null : Number(kb) * 1024;
    } catch {
      return null;
    }
  }

  /**
   * CPU time the process has used so far (user + system, /proc/<pid>/stat), in seconds, or null
   * once it is gone. Unlike latency, CPU per frame hardly moves with other work on the machine.
   */
  cpuSeconds(): number | null {
    try {
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
      const stat = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
    } catch {
      return null;
    }
  }

  /** Fails if the process has ended (it must live for the whole benchmark). */
  assertRunning(): void {
    if (this.exitedWith) throw new Error(`${this.name} exited (${this.exitedWith}) during the benchmark:\n${this.tail()}`);
  }

  tail(): string {
    return this.tailLines.join('\n');
  }

  async stop(): Promise<void> {
    if (this.exitedWith) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(killer);
  }

  private onLine(line: string): void {
    this.tailLines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
    if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
    if (!line.startsWith('{')) return;
    try {
      const parsed = JSON.parse(line) as LogLine;
      // Only what waitFor looks for is kept: announcements before the load, not every log line.
      if (this.lines.length < 1000) this.lines.push(parsed);
    } catch {
      return;
    }
    for (const wake of this.waiters) wake();
  }
}

/** Stops every process, all of them even if one stop fails. */
export async function stopAll(processes: AppProcess[]): Promise<void> {
  await Promise.allSettled(processes.map((p) => p.stop()));
}
