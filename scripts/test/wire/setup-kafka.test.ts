import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '@pitwall/logger';
import { topicCatalogue, topicNameVariable } from '@pitwall/kafka';
import { exitCodes, setupKafka, type SetupIo } from '../../src/setup-kafka';
import { itWithRealCluster, realCluster, startWireCluster, warnSkippedWithoutRealCluster, type WireCluster } from '../../../packages/kafka/test/wire/wire-cluster';

jest.setTimeout(60_000);

function captureIo(): SetupIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), logger: silentLogger() };
}

describe('kafka:setup against a cluster', () => {
  let cluster: WireCluster;

  beforeAll(async () => {
    cluster = await startWireCluster([]);
    warnSkippedWithoutRealCluster('kafka:setup creation tests');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  if (!realCluster) {
    it('dry run on the empty mock lists every catalogue topic as would-create', async () => {
      const io = captureIo();
      expect(await setupKafka(['--dry-run'], { KAFKA_BROKERS: cluster.brokers.join(',') }, io)).toBe(exitCodes.ok);
      const [table, summary] = io.stdout;
      const rows = table.split('\n').slice(1).map((row) => row.split(/\s+/));
      expect(rows.map((cells) => cells[0])).toEqual(topicCatalogue().map((t) => t.name));
      expect(new Set(rows.map((cells) => cells.at(-1)))).toEqual(new Set(['would-create']));
      expect(summary).toBe('dry run: nothing was changed');
    });

    it('reports that the mock cluster cannot create topics (exit 4), without a stack trace', async () => {
      const io = captureIo();
      const code = await setupKafka([], { KAFKA_BROKERS: cluster.brokers.join(',') }, io);
      expect(code).toBe(exitCodes.unsupported);
      expect(io.stderr).toEqual([expect.stringMatching(/^kafka:setup: the cluster at .* cannot create topics: it reports no controller/)]);
      expect(io.stdout).toEqual([]);
    });
  }

  describe('on a real cluster', () => {
    const suffix = randomBytes(3).toString('hex');
    const roles = topicCatalogue().map((t) => t.role);
    const env = (): Record<string, string | undefined> => ({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      ...Object.fromEntries(roles.map((role) => [topicNameVariable(role), `setup.${role}.${suffix}`])),
      KAFKA_TELEMETRY_PARTITIONS: '4',
    });

    afterAll(async () => {
      if (!realCluster) return;
      const admin = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      await admin.deleteTopics({ topics: Object.entries(env()).filter(([k]) => k.startsWith('KAFKA_TOPIC_')).map(([, v]) => v!) }).catch(() => undefined);
      await admin.disconnect();
    });

    itWithRealCluster('dry run lists every topic as would-create; a real run creates them; a second finds them ok', async () => {
      const dry = captureIo();
      expect(await setupKafka(['--dry-run'], env(), dry)).toBe(exitCodes.ok);
      expect(dry.stdout[0].match(/would-create/g)).toHaveLength(topicCatalogue().length);
      const first = captureIo();
      expect(await setupKafka([], env(), first)).toBe(exitCodes.ok);
      expect(first.stdout[0].match(/ created/g)).toHaveLength(topicCatalogue().length);
      const second = captureIo();
      expect(await setupKafka([], env(), second)).toBe(exitCodes.ok);
      expect(second.stdout[0].match(/ ok$/gm)).toHaveLength(topicCatalogue().length);
    });

    itWithRealCluster('exits 1 naming the topic when the catalogue wants fewer partitions than exist', async () => {
      const io = captureIo();
      expect(await setupKafka([], { ...env(), KAFKA_TELEMETRY_PARTITIONS: '2' }, io)).toBe(exitCodes.mismatch);
      expect(io.stdout[0]).toMatch(/partitions: want 2, have 4 \(Kafka cannot remove partitions\)/);
      expect(io.stderr[0]).toMatch(new RegExp(`setup\\.telemetry\\.${suffix}`));
    });
  });
});
