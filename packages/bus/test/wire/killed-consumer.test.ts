import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { KafkaBus } from '../../src/kafka-bus';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../kafka/test/wire/wire-cluster';

jest.setTimeout(90_000);

describe('a consumer process killed before its commit', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;

  beforeAll(async () => {
    cluster = await startWireCluster([{ name: 'killed', partitions: 3 }]);
    bus = new KafkaBus({ settings: cluster.settings, catalogue: [], logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
  });

  afterAll(async () => {
    await bus?.close();
    await cluster?.stop();
  });

  it('has its batch delivered again to the member that takes over', async () => {
    const topic = cluster.topic('killed');
    const groupId = 'killed-g';
    const total = 60;
    await bus.producer().send(topic, Array.from({ length: total }, (_, i) => ({ key: `k${i % 9}`, value: Buffer.from(String(i)) })));

    const child = spawn(process.execPath, [path.join(__dirname, 'child', 'run-ts.js'), path.join(__dirname, 'child', 'stuck-consumer.ts')], {
      env: { ...process.env, BROKERS: cluster.brokers.join(','), TOPIC: topic, GROUP: groupId },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    const held = await new Promise<{ partition: number; offsets: number[] }>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve(JSON.parse(l)));
      child.once('exit', (code) => reject(new Error(`child exited with ${code} before taking a batch`)));
    });
    expect(held.offsets.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await exited;

    const admin = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(committed.partitions.map((p) => Number(p.offset))).toEqual([-1, -1, -1]);

    const seen = new Map<number, number[]>();
    const survivor = bus.consumer({ groupId, topics: [topic] });
    await survivor.run(async (batch) => {
      seen.set(batch.partition, [...(seen.get(batch.partition) ?? []), ...batch.messages.map((m) => m.offset)]);
    });
    await waitFor('every message, the killed batch included', () => [...seen.values()].reduce((n, l) => n + l.length, 0) === total, 60_000);
    await survivor.stop();
    expect(seen.get(held.partition)!.slice(0, held.offsets.length)).toEqual(held.offsets);
  });
});
