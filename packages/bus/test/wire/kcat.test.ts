import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { KafkaBus } from '../../src/kafka-bus';
import { partitionForKey } from '../../src/murmur2';
import type { IncomingMessage } from '../../src/types';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../kafka/test/wire/wire-cluster';

jest.setTimeout(90_000);

const run = promisify(execFile);
const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (!hasKcat) console.warn('kcat cross-read tests skipped: kcat is not installed (apt-get install kcat)');
const describeWithKcat = hasKcat ? describe : describe.skip;

// librdkafka's own client (kcat) and ours read each other's messages, keys and partitions.
describeWithKcat('cross-reading with kcat', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;

  beforeAll(async () => {
    cluster = await startWireCluster([
      { name: 'from-kcat', partitions: 4 },
      { name: 'to-kcat', partitions: 4 },
    ]);
    bus = new KafkaBus({ settings: cluster.settings, catalogue: [], logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
  });

  afterAll(async () => {
    await bus?.close();
    await cluster?.stop();
  });

  const pairs = Array.from({ length: 40 }, (_, i) => ({ key: `session-${i % 10}`, value: `frame ${i} ünïcode` }));

  it('our consumer reads what kcat -P produced, on the murmur2 partition of each key', async () => {
    const topic = cluster.topic('from-kcat');
    const child = execFile('kcat', ['-P', '-b', cluster.brokers.join(','), '-t', topic, '-K', '\t', '-X', 'partitioner=murmur2_random']);
    const done = new Promise<number | null>((r) => child.once('exit', r));
    child.stdin!.end(pairs.map((p) => `${p.key}\t${p.value}\n`).join(''));
    expect(await done).toBe(0);

    const got: IncomingMessage[] = [];
    const consumer = bus.consumer({ groupId: 'from-kcat-g', topics: [topic] });
    await consumer.run(async (batch) => void got.push(...batch.messages));
    await waitFor('all kcat messages', () => got.length === pairs.length);
    await consumer.stop();
    const byKey = (a: { key: string | null }, b: { key: string | null }) => a.key!.localeCompare(b.key!);
    expect(got.map((m) => ({ key: m.key, value: m.value.toString() })).sort(byKey)).toEqual([...pairs].sort(byKey));
    for (const m of got) expect(m.partition).toBe(partitionForKey(m.key!, 4));
  });

  it('kcat -C reads what our producer sent, keys, values and partitions intact', async () => {
    const topic = cluster.topic('to-kcat');
    await bus.producer().send(topic, pairs.map((p) => ({ key: p.key, value: Buffer.from(p.value) })));
    const { stdout } = await run('kcat', ['-C', '-b', cluster.brokers.join(','), '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\t%p\n']);
    const read = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [key, value, partition] = line.split('\t');
        return { key, value, partition: Number(partition) };
      });
    expect(read).toHaveLength(pairs.length);
    for (const r of read) expect(r.partition).toBe(partitionForKey(r.key, 4));
    // Per key, kcat sees our order.
    for (const key of new Set(pairs.map((p) => p.key))) {
      expect(read.filter((r) => r.key === key).map((r) => r.value)).toEqual(pairs.filter((p) => p.key === key).map((p) => p.value));
    }
  });
});
