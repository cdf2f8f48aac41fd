import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

/**
 * librdkafka's mock Kafka cluster in a child process (native/mock-kafka.c), reached over real TCP.
 * It speaks enough of the protocol for kafkajs and kcat (metadata, produce, fetch, consumer groups,
 * offset commits) but has no CreateTopics: topics are created here, at start.
 */
export interface MockClusterOptions {
  /** Broker count; ids are 1..brokers. Default 3. */
  brokers?: number;
  /** Topics to create, with their partition counts. Others are auto-created with 4 partitions. */
  topics?: { name: string; partitions: number }[];
  /** How long to wait for the cluster to come up. Default 10 s. */
  startTimeoutMs?: number;
}

export interface MockCluster {
  /** host:port of every broker. */
  readonly bootstrap: string[];
  /** Disconnects a broker (-1 = all) and refuses new connections; leadership does not move. */
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  /** Adds round-trip delay to a broker's responses (-1 = all). */
  setRtt(id: number, ms: number): Promise<void>;
  /** Moves a partition's leadership to another broker. */
  setLeader(topic: string, partition: number, brokerId: number): Promise<void>;
  createTopic(name: string, partitions: number): Promise<void>;
  /** Stops the cluster; its ports close. */
  stop(): Promise<void>;
}

interface Launcher {
  build(): string;
}

// The build script sits beside src/ and dist/ alike, so one relative path serves tests and builds.
const launcher = require(path.join(__dirname, '..', 'scripts', 'build-launcher.js')) as Launcher;

const topicName = /^[A-Za-z0-9._-]{1,249}$/;

export async function startMockCluster(opts: MockClusterOptions = {}): Promise<MockCluster> {
  const brokers = opts.brokers ?? 3;
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 64) throw new Error(`mock cluster: brokers must be 1..64, got ${brokers}`);
  const topicArgs = (opts.topics ?? []).map((t) => {
    if (!topicName.test(t.name)) throw new Error(`mock cluster: invalid topic name ${JSON.stringify(t.name)}`);
    if (!Number.isInteger(t.partitions) || t.partitions < 1) throw new Error(`mock cluster: topic ${t.name} needs a positive partition count, got ${t.partitions}`);
    return `${t.name}:${t.partitions}`;
  });
  const binary = launcher.build();
  const child = spawn(binary, ['--brokers', String(brokers), ...topicArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  return MockClusterProcess.start(child, opts.startTimeoutMs ?? 10_000);
}

class MockClusterProcess implements MockCluster {
  private readonly replies: ((line: string) => void)[] = [];
  private commandChain: Promise<unknown> = Promise.resolve();
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly bootstrap: string[],
    lines: readline.Interface,
  ) {
    lines.on('line', (line) => this.replies.shift()?.(line));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    child.once('exit', () => {
      for (const reply of this.replies.splice(0)) reply(`error mock cluster exited: ${this.stderr.trim()}`);
    });
  }

  static start(child: ChildProcessWithoutNullStreams, timeoutMs: number): Promise<MockCluster> {
    const lines = readline.createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`mock cluster did not start: ${why}${stderr ? `: ${stderr.trim()}` : ''}`));
      };
      const timer = setTimeout(() => fail(`no bootstrap line within ${timeoutMs} ms`), timeoutMs);
      child.once('error', (err) => fail(err.message));
      child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
      lines.once('line', (line) => {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.removeAllListeners('error');
        const m = /^bootstrap (\S+)$/.exec(line);
        if (!m) return fail(`unexpected first line ${JSON.stringify(line)}`);
        resolve(new MockClusterProcess(child, m[1].split(','), lines));
      });
    });
  }

  brokerDown(id: number): Promise<void> {
    return this.command(`down ${id}`);
  }

  brokerUp(id: number): Promise<void> {
    return this.command(`up ${id}`);
  }

  setRtt(id: number, ms: number): Promise<void> {
    return this.command(`rtt ${id} ${ms}`);
  }

  setLeader(topic: string, partition: number, brokerId: number): Promise<void> {
    return this.command(`leader ${topic} ${partition} ${brokerId}`);
  }

  createTopic(name: string, partitions: number): Promise<void> {
    if (!topicName.test(name)) return Promise.reject(new Error(`mock cluster: invalid topic name ${JSON.stringify(name)}`));
    return this.command(`topic ${name} ${partitions}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killer);
  }

  /** Commands run one at a time: each waits for its own `ok`/`error` line. */
  private command(line: string): Promise<void> {
    const run = () =>
      new Promise<void>((resolve, reject) => {
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          return reject(new Error(`mock cluster: ${line}: the cluster has stopped`));
        }
        this.replies.push((reply) => (reply === 'ok' ? resolve() : reject(new Error(`mock cluster: ${line}: ${reply.replace(/^error /, '')}`))));
        this.child.stdin.write(`${line}\n`);
      });
    const result = this.commandChain.then(run, run);
    this.commandChain = result.catch(() => undefined);
    return result;
  }
}
