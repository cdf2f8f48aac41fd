/**
 * Producer throughput: 1 KB frames through our KafkaProducer (kafkajs, acks=all) against `kcat -P`
 * (librdkafka, acks=all) on the same librdkafka mock cluster, same count, same partitions, same run.
 *
 *   node scripts/dist/bench/kafka-producer.js [messages]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createKafkaClient, KafkaAdmin, KafkaProducer } from '@pitwall/kafka';
import { startMockCluster, type MockCluster } from '@pitwall/kafka-mock';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import type { Benchmark, BenchResult } from '@pitwall/bench';

export interface KafkaProducerBenchOptions {
  messages?: number;
  valueBytes?: number;
  partitions?: number;
  keys?: number;
}

const goalRatio = 0.5;

export async function benchKafkaProducer(opts: KafkaProducerBenchOptions = {}): Promise<BenchResult> {
  const messages = opts.messages ?? 200_000;
  const valueBytes = opts.valueBytes ?? 1024;
  const partitions = opts.partitions ?? 6;
  const keyCount = opts.keys ?? 64;
  const mock = await startMockCluster({
    brokers: 3,
    topics: [
      { name: 'bench.kcat', partitions },
      { name: 'bench.ours', partitions },
      { name: 'bench.warmup', partitions },
    ],
  });
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-bench-'));
  try {
    // The same keys and 1 KB printable values for both (kcat reads lines, so no newlines or tabs).
    const keys = Array.from({ length: keyCount }, (_, i) => `session-${i}`);
    const value = (i: number) => `${i}:`.padEnd(valueBytes, 'abcdefghijklmnopqrstuvwxyz0123456789');
    const input = path.join(workDir, 'frames.txt');
    const lines = fs.createWriteStream(input);
    for (let i = 0; i < messages; i++) lines.write(`${keys[i % keyCount]}\t${value(i)}\n`);
    await new Promise<void>((resolve, reject) => lines.end((err?: Error | null) => (err ? reject(err) : resolve())));

    const kcatSeconds = await timeKcat(mock, input);
    await expectHighWatermark(mock, 'bench.kcat', messages);
    const { seconds: oursSeconds, cpuSeconds } = await timeOurs(mock, messages, (i) => ({ key: keys[i % keyCount], value: Buffer.from(value(i)) }));
    await expectHighWatermark(mock, 'bench.ours', messages);

    const ours = messages / oursSeconds;
    const baseline = messages / kcatSeconds;
    return {
      name: 'kafka-producer',
      unit: 'frames/s',
      ours,
      baselineName: 'kcat -P',
      baseline,
      ratio: ours / baseline,
      goal: `≥ ${goalRatio * 100} % of kcat`,
      met: ours / baseline >= goalRatio,
      notes: `${messages.toLocaleString('en-US')} × ${valueBytes} B, ${partitions} partitions on 3 mock brokers, acks=all, no compression; kcat timed from spawn to exit, ours from first send to last ack (connected, warmed up); ours used ${((cpuSeconds / messages) * 1e6).toFixed(1)} µs CPU per frame (${Math.round((100 * cpuSeconds) / oursSeconds)} % of its wall time)`,
    };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
    await mock.stop();
  }
}

async function timeKcat(mock: MockCluster, input: string): Promise<number> {
  const started = process.hrtime.bigint();
  const args = ['-P', '-b', mock.bootstrap.join(','), '-t', 'bench.kcat', '-K', '\t', '-X', 'acks=all', '-X', 'partitioner=murmur2_random', '-l', input];
  const child = spawn('kcat', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`cannot run kcat (apt-get install kcat): ${err.message}`)));
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`kcat -P exited with ${code}: ${stderr.trim()}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function timeOurs(
  mock: MockCluster,
  messages: number,
  message: (i: number) => { key: string; value: Buffer },
): Promise<{ seconds: number; cpuSeconds: number }> {
  const settings = { brokers: mock.bootstrap, clientId: 'bench', idempotent: false, ssl: false };
  const producer = new KafkaProducer({
    kafka: createKafkaClient(settings, silentLogger()),
    brokers: mock.bootstrap,
    logger: silentLogger(),
    metrics: new Metrics('bench'),
  });
  // Connection and JIT warm-up outside the timing, on another topic.
  await producer.send('bench.warmup', Array.from({ length: 20_000 }, (_, i) => message(i)));
  const prepared = Array.from({ length: messages }, (_, i) => message(i));
  const chunk = 1000;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < messages; i += chunk) sends.push(producer.send('bench.ours', prepared.slice(i, i + chunk)));
  await Promise.all(sends);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  await producer.close();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Both sides really wrote every message: the partitions' end offsets add up. */
async function expectHighWatermark(mock: MockCluster, topic: string, messages: number): Promise<void> {
  const admin = new KafkaAdmin({ settings: { brokers: mock.bootstrap, clientId: 'bench', idempotent: false, ssl: false }, logger: silentLogger() });
  await admin.connect();
  try {
    const total = (await admin.endOffsets(topic)).reduce((sum, n) => sum + n, 0);
    if (total !== messages) throw new Error(`benchmark topic ${topic} holds ${total} messages, expected ${messages}`);
  } finally {
    await admin.disconnect();
  }
}

export const kafkaProducerBenchmark: Benchmark = { name: 'kafka-producer', run: () => benchKafkaProducer() };

if (require.main === module) {
  const messages = process.argv[2] ? Number(process.argv[2]) : undefined;
  benchKafkaProducer({ messages }).then(
    (r) => {
      process.stdout.write(
        `${r.name}: ours ${Math.round(r.ours)} ${r.unit}, ${r.baselineName} ${Math.round(r.baseline)} ${r.unit}, ratio ${(r.ratio * 100).toFixed(0)} % (goal ${r.goal}: ${r.met ? 'met' : 'not met'})\n  ${r.notes}\n`,
      );
    },
    (err: unknown) => {
      process.stderr.write(`kafka-producer benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
