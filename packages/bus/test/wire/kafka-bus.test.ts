import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { settleLingeringLeaves, topicCatalogue } from '@pitwall/kafka';
import { KafkaBus } from '../../src/kafka-bus';
import { partitionForKey } from '../../src/murmur2';
import type { IncomingMessage, PartitionBatch } from '../../src/types';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../kafka/test/wire/wire-cluster';

jest.setTimeout(90_000);

// The bus contract over real TCP: librdkafka's mock cluster (or KAFKA_BROKERS).
describe('KafkaBus over the wire', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;
  let metrics: Metrics;
  const enc = (s: string) => Buffer.from(s);

  beforeAll(async () => {
    cluster = await startWireCluster([
      { name: 'order', partitions: 6 },
      { name: 'split', partitions: 6 },
      { name: 'seek', partitions: 3 },
      { name: 'seek-retry', partitions: 3 },
      { name: 'retry', partitions: 1 },
      { name: 'stop', partitions: 1 },
      { name: 'join', partitions: 2 },
      { name: 'live', partitions: 2 },
      { name: 'outage', partitions: 6 },
      { name: 'pause', partitions: 2 },
      { name: 'small', partitions: 2 },
    ]);
    metrics = new Metrics('wire-test');
    bus = new KafkaBus({
      settings: cluster.settings,
      catalogue: topicCatalogue(),
      logger: silentLogger(),
      metrics,
      groupTuning: fastGroup,
      client: { retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2000 } },
    });
  });

  afterAll(async () => {
    await bus?.close();
    await cluster?.stop();
  });

  async function committed(groupId: string, topic: string): Promise<Map<number, number>> {
    const admin = new Kafka({ brokers: cluster.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(t.partitions.map((p) => [p.partition, Number(p.offset)]));
    } finally {
      await admin.disconnect();
    }
  }

  /** Keys chosen per partition, so each of a topic's partitions holds `count` messages. */
  async function fillPartitions(topic: string, partitions: number, count: number): Promise<void> {
    const producer = bus.producer();
    for (let p = 0; p < partitions; p++) {
      const key = Array.from({ length: 100 }, (_, i) => `key-${i}`).find((k) => partitionForKey(k, partitions) === p)!;
      await producer.send(topic, Array.from({ length: count }, (_, i) => ({ key, value: enc(String(i)) })));
    }
  }

  it('keeps each key in order on its murmur2 partition, across at least 3 partitions', async () => {
    const topic = cluster.topic('order');
    const producer = bus.producer({ lingerMs: 2, maxBatchMessages: 50 });
    const keys = Array.from({ length: 12 }, (_, i) => `session-${i}`);
    const perKey = 40;
    // Many small concurrent sends: order must survive batching across calls.
    const sends: Promise<void>[] = [];
    for (let seq = 0; seq < perKey; seq++) sends.push(producer.send(topic, keys.map((k) => ({ key: k, value: enc(`${k}#${seq}`) }))));
    await Promise.all(sends);
    expect(producer.buffered).toBe(0);

    const seen = new Map<string, { seq: number; partition: number }[]>();
    const consumer = bus.consumer({ groupId: 'order-g', topics: [topic] });
    await consumer.run(async (batch) => {
      for (const m of batch.messages) {
        const [k, seq] = m.value.toString().split('#');
        expect(m.key).toBe(k);
        seen.set(k, [...(seen.get(k) ?? []), { seq: Number(seq), partition: m.partition }]);
      }
    });
    await waitFor('every message', () => [...seen.values()].reduce((n, l) => n + l.length, 0) === keys.length * perKey);
    await consumer.stop();

    const partitionsUsed = new Set<number>();
    for (const k of keys) {
      const list = seen.get(k)!;
      expect(list.map((e) => e.seq)).toEqual(Array.from({ length: perKey }, (_, i) => i));
      expect(new Set(list.map((e) => e.partition))).toEqual(new Set([partitionForKey(k, 6)]));
      partitionsUsed.add(list[0].partition);
    }
    expect(partitionsUsed.size).toBeGreaterThanOrEqual(3);
    const offsets = await committed('order-g', topic);
    expect([...offsets.values()].reduce((a, b) => a + Math.max(0, b), 0)).toBe(keys.length * perKey);
  });

  it('hands the handler at most maxBatchMessages at a time', async () => {
    const topic = cluster.topic('small');
    await bus.producer().send(topic, Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 5}`, value: enc(String(i)) })));
    const sizes: number[] = [];
    const consumer = bus.consumer({ groupId: 'small-batches-g', topics: [topic], maxBatchMessages: 7 });
    await consumer.run(async (batch) => void sizes.push(batch.messages.length));
    await waitFor('every message in small batches', () => sizes.reduce((a, b) => a + b, 0) === 200);
    await consumer.stop();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7);
    expect(sizes.filter((n) => n === 7).length).toBeGreaterThan(20);
    const offsets = await committed('small-batches-g', topic);
    expect([...offsets.values()].reduce((a, b) => a + Math.max(0, b), 0)).toBe(200);
  });

  it('delivers nothing from paused partitions until they are resumed', async () => {
    const topic = cluster.topic('pause');
    const got: IncomingMessage[] = [];
    const consumer = bus.consumer({ groupId: 'pause-g', topics: [topic] });
    await consumer.run(async (batch) => void got.push(...batch.messages));
    await waitFor('the assignment', () => consumer.assignment().length === 2);
    consumer.pause([{ topic, partition: 0 }]);
    const producer = bus.producer();
    const keyFor = (p: number) => Array.from({ length: 50 }, (_, i) => `p-${i}`).find((k) => partitionForKey(k, 2) === p)!;
    await producer.send(topic, [
      { key: keyFor(0), value: enc('on 0') },
      { key: keyFor(1), value: enc('on 1') },
    ]);
    await waitFor('the unpaused partition', () => got.length === 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(got.map((m) => m.value.toString())).toEqual(['on 1']);
    consumer.pause();
    await producer.send(topic, [{ key: keyFor(1), value: enc('on 1 again') }]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(got).toHaveLength(1);
    consumer.resume();
    await waitFor('both held messages', () => got.length === 3);
    await consumer.stop();
    expect(got.map((m) => m.value.toString()).sort()).toEqual(['on 0', 'on 1', 'on 1 again']);
  });

  it('splits partitions between two members of one group, each message handled once', async () => {
    const topic = cluster.topic('split');
    const a = bus.consumer({ groupId: 'split-g', topics: [topic] });
    const b = bus.consumer({ groupId: 'split-g', topics: [topic] });
    const byMember = { a: [] as IncomingMessage[], b: [] as IncomingMessage[] };
    await a.run(async (batch) => void byMember.a.push(...batch.messages));
    await waitFor('member a owning all 6 partitions', () => a.assignment().length === 6);
    await b.run(async (batch) => void byMember.b.push(...batch.messages));
    // Each member reports its own view: wait until the rebalance has reached both (a still holding
    // all 6 while b already has its 3 is the moment in between, not an overlap).
    await waitFor('both members owning partitions', () => a.assignment().length > 0 && b.assignment().length > 0 && a.assignment().length + b.assignment().length === 6);
    const owned = [...a.assignment(), ...b.assignment()].map((tp) => tp.partition).sort();
    expect(owned).toEqual([0, 1, 2, 3, 4, 5]);

    const producer = bus.producer();
    const total = 300;
    await producer.send(topic, Array.from({ length: total }, (_, i) => ({ key: `k${i % 30}`, value: enc(String(i)) })));
    await waitFor('all messages', () => byMember.a.length + byMember.b.length >= total);
    await new Promise((r) => setTimeout(r, 500));
    const all = [...byMember.a, ...byMember.b].map((m) => Number(m.value.toString())).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i));
    const aParts = new Set(byMember.a.map((m) => m.partition));
    for (const m of byMember.b) expect(aParts.has(m.partition)).toBe(false);
    expect(byMember.a.length).toBeGreaterThan(0);
    expect(byMember.b.length).toBeGreaterThan(0);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('starts each partition where onAssigned says, delivering nothing from before it', async () => {
    const topic = cluster.topic('seek');
    await fillPartitions(topic, 3, 20);
    const firstOffsets = new Map<number, number>();
    let delivered = 0;
    const assignedCalls: number[][] = [];
    const consumer = bus.consumer({
      groupId: 'seek-g',
      topics: [topic],
      onAssigned: async (partitions) => {
        assignedCalls.push(partitions.map((p) => p.partition).sort());
        // Slow, like a database lookup: fetching starts meanwhile and must not leak through.
        await new Promise((r) => setTimeout(r, 700));
        return partitions.map((tp) => ({ ...tp, offset: 10 + tp.partition }));
      },
    });
    await consumer.run(async (batch) => {
      if (!firstOffsets.has(batch.partition)) firstOffsets.set(batch.partition, batch.messages[0].offset);
      delivered += batch.messages.length;
    });
    await waitFor('the rest of each partition', () => delivered === 10 + 9 + 8);
    await consumer.stop();
    expect(assignedCalls).toEqual([[0, 1, 2]]);
    expect(Object.fromEntries(firstOffsets)).toEqual({ 0: 10, 1: 11, 2: 12 });
  });

  it('keeps trying a failing onAssigned, delivering nothing until it succeeds', async () => {
    const topic = cluster.topic('seek-retry');
    await fillPartitions(topic, 3, 20);
    let calls = 0;
    let delivered = 0;
    let deliveredBeforeSuccess = 0;
    const consumer = bus.consumer({
      groupId: 'seek-retry-g',
      topics: [topic],
      retryBackoffMs: 200,
      onAssigned: async (partitions) => {
        calls++;
        deliveredBeforeSuccess = delivered;
        if (calls < 3) throw new Error(`database not ready (${calls})`);
        return partitions.map((tp) => ({ ...tp, offset: 19 }));
      },
    });
    await consumer.run(async (batch) => void (delivered += batch.messages.length));
    await waitFor('the last message of each partition', () => delivered === 3);
    await consumer.stop();
    expect(calls).toBe(3);
    expect(deliveredBeforeSuccess).toBe(0);
  });

  it('redelivers a rejected batch after a backoff and commits only once the handler succeeds', async () => {
    const topic = cluster.topic('retry');
    await bus.producer().send(topic, Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: enc(String(i)) })));
    const attempts: { first: number; at: number; committedBefore: number }[] = [];
    const consumer = bus.consumer({ groupId: 'retry-g', topics: [topic], retryBackoffMs: 300 });
    await consumer.run(async (batch) => {
      const offsets = await committed('retry-g', topic);
      attempts.push({ first: batch.messages[0].offset, at: Date.now(), committedBefore: offsets.get(0)! });
      if (attempts.length < 3) throw new Error(`induced failure ${attempts.length}`);
    });
    await waitFor('the third attempt to succeed', () => attempts.length >= 3);
    await waitFor('the commit', async () => (await committed('retry-g', topic)).get(0) === 5);
    await consumer.stop();
    expect(attempts.map((a) => a.first)).toEqual([0, 0, 0]);
    // Nothing committed while the batch kept failing.
    expect(attempts.map((a) => a.committedBefore)).toEqual([-1, -1, -1]);
    const gaps = [attempts[1].at - attempts[0].at, attempts[2].at - attempts[1].at];
    expect(gaps[0]).toBeGreaterThanOrEqual(280);
    // Doubling: the second wait is about twice the first.
    expect(gaps[1]).toBeGreaterThanOrEqual(580);
    expect(await metrics.counter('pitwall_bus_batch_failures_total', '', ['topic', 'group']).value({ topic, group: 'retry-g' })).toBe(2);
  });

  it('stop() lets the batch in progress finish and commits it before leaving', async () => {
    const topic = cluster.topic('stop');
    await bus.producer().send(topic, Array.from({ length: 8 }, (_, i) => ({ key: 'k', value: enc(String(i)) })));
    let started!: () => void;
    const inProgress = new Promise<void>((r) => (started = r));
    let finished = false;
    const consumer = bus.consumer({ groupId: 'stop-g', topics: [topic] });
    await consumer.run(async (batch: PartitionBatch) => {
      started();
      await new Promise((r) => setTimeout(r, 800));
      await batch.heartbeat();
      finished = batch.messages.length === 8;
    });
    await inProgress;
    await consumer.stop();
    expect(finished).toBe(true);
    expect((await committed('stop-g', topic)).get(0)).toBe(8);
  });

  it('stop() does not wait out a pending group join, and the group carries on without the member', async () => {
    if (!cluster.mock) {
      console.warn('pending-join stop test skipped: it needs a join the broker holds, as the mock cluster does (KAFKA_BROKERS is set)');
      return;
    }
    // The mock holds a join whose membership changed for session timeout − 1 s: 11 s here.
    const slowJoins = new KafkaBus({
      settings: cluster.settings,
      catalogue: topicCatalogue(),
      logger: silentLogger(),
      metrics: new Metrics('wire-test-join'),
      groupTuning: { ...fastGroup, sessionTimeoutMs: 12_000 },
    });
    const topic = cluster.topic('join');
    try {
      await fillPartitions(topic, 2, 10);
      const seenByA: string[] = [];
      const seenByB: string[] = [];
      const a = slowJoins.consumer({ groupId: 'join-g', topics: [topic] });
      await a.run(async (batch) => void seenByA.push(...batch.messages.map((m) => m.value.toString())));
      await waitFor('member a consuming both partitions', () => seenByA.length === 20);
      const b = slowJoins.consumer({ groupId: 'join-g', topics: [topic] });
      void b.run(async (batch) => void seenByB.push(...batch.messages.map((m) => `${m.partition}:${m.value.toString()}`)));
      // a learns of the rebalance on its next heartbeat (500 ms) and rejoins; the join is then held.
      await new Promise((r) => setTimeout(r, 2000));
      const started = Date.now();
      await a.stop();
      const stopMs = Date.now() - started;
      // Still pending when a gave up on it: b has been assigned nothing yet.
      expect(b.assignment()).toEqual([]);
      // Within the default leave wait (3 s) plus margin, far below the 11 s the join is held.
      expect(stopMs).toBeLessThan(6000);
      // The leave goes on in the background until the join returns.
      expect(await settleLingeringLeaves(0)).toBe(false);
      expect([...(await committed('join-g', topic)).values()]).toEqual([10, 10]);

      // b ends up with both partitions and every message after a's commits. (A batch whose commit
      // met the next rebalance is delivered again: at least once, as the contract says.)
      const late = Array.from({ length: 20 }, (_, i) => `late-${i}`);
      await slowJoins.producer().send(topic, late.map((v) => ({ key: v, value: enc(v) })));
      await waitFor('member b owning both partitions', () => b.assignment().length === 2, 60_000);
      expect(await settleLingeringLeaves(5000)).toBe(true);
      await waitFor('the late messages', () => late.every((v) => seenByB.some((s) => s.endsWith(`:${v}`))), 30_000);
      expect(seenByB.filter((s) => !late.some((v) => s.endsWith(`:${v}`)))).toEqual([]);
    } finally {
      await slowJoins.close();
    }
  });

  it('a live consumer starts each assignment at the end and commits nothing: restarted in its group, it skips what it missed', async () => {
    const topic = cluster.topic('live');
    const producer = bus.producer({ lingerMs: 1 });
    const keyOf = (p: number) => Array.from({ length: 100 }, (_, i) => `key-${i}`).find((k) => partitionForKey(k, 2) === p)!;
    const onBoth = (tag: string) => [0, 1].map((p) => ({ key: keyOf(p), value: enc(`${tag}-${p}`) }));
    const got: string[] = [];
    const read = async (b: PartitionBatch) => void got.push(...b.messages.map((m) => m.value.toString()));
    /** One run of a member of the live group: started, positioned, reads `tag`, stopped. */
    const liveRun = async (name: string, tag: string) => {
      const member = bus.consumer({ groupId: 'live-g', topics: [topic], live: true });
      await member.run(read);
      // Positioned once a probe sent now arrives on both partitions (the end is looked up after the join).
      let round = 0;
      await waitFor(`${name} reading both partitions from their end`, async () => {
        const probe = `${name}-probe${++round}`;
        await producer.send(topic, onBoth(probe));
        await new Promise((r) => setTimeout(r, 300));
        return [0, 1].every((p) => got.includes(`${probe}-${p}`));
      });
      await producer.send(topic, onBoth(tag));
      await waitFor(`${name} to read what was sent while it ran`, () => got.includes(`${tag}-0`) && got.includes(`${tag}-1`));
      await member.stop();
    };

    // The group holds offsets (as one an older bridge committed in): a plain member reads the
    // history and commits past it.
    await producer.send(topic, onBoth('history'));
    const plain = bus.consumer({ groupId: 'live-g', topics: [topic] });
    await plain.run(read);
    await waitFor('the plain member to read the history', () => got.includes('history-0') && got.includes('history-1'));
    await plain.stop();
    expect([...(await committed('live-g', topic)).values()]).toEqual([1, 1]);

    await producer.send(topic, onBoth('missed'));
    await liveRun('first', 'seen');
    await producer.send(topic, onBoth('missed-again'));
    await liveRun('again', 'after');
    // What was sent before a live member started is not delivered to it, though the group's
    // offsets point before it; and it commits nothing (the broker removes such a group once empty).
    expect(got.filter((v) => !v.includes('-probe'))).toEqual(expect.arrayContaining(['seen-0', 'seen-1', 'after-0', 'after-1']));
    expect(got.filter((v) => v.startsWith('missed'))).toEqual([]);
    expect([...(await committed('live-g', topic)).values()]).toEqual([1, 1]);
  });

  it('loses nothing the producer acknowledged while a broker goes down and comes back', async () => {
    if (!cluster.mock) {
      console.warn('broker outage test skipped: fault injection needs the mock cluster (KAFKA_BROKERS is set)');
      return;
    }
    const topic = cluster.topic('outage');
    // The mock places each partition's leader at random; pin them so broker 1 surely leads some.
    for (let p = 0; p < 6; p++) await cluster.mock.setLeader(topic, p, (p % 3) + 1);
    const producer = bus.producer({ lingerMs: 5, maxBufferedMessages: 500 });
    const acked: string[] = [];
    const failed: string[] = [];
    let n = 0;
    let running = true;
    const pump = (async () => {
      while (running) {
        const batch = Array.from({ length: 20 }, () => `m${n++}`);
        const sent = producer.send(topic, batch.map((v) => ({ key: v, value: enc(v) })));
        await sent.then(
          () => acked.push(...batch),
          () => failed.push(...batch),
        );
      }
    })();
    await waitFor('some acknowledged traffic', () => acked.length > 200);
    await cluster.mock.brokerDown(1);
    const ackedBeforeOutage = acked.length;
    await new Promise((r) => setTimeout(r, 2000));
    const ackedDuringOutage = acked.length - ackedBeforeOutage;
    await cluster.mock.brokerUp(1);
    await waitFor('traffic after the outage', () => acked.length > ackedBeforeOutage + 400);
    running = false;
    await pump;
    await producer.flush();

    const seen = new Set<string>();
    const consumer = bus.consumer({ groupId: 'outage-g', topics: [topic] });
    await consumer.run(async (batch) => {
      for (const m of batch.messages) seen.add(m.value.toString());
    });
    await waitFor('every acknowledged message', () => acked.every((v) => seen.has(v)), 60_000);
    await consumer.stop();
    expect(acked.filter((v) => !seen.has(v))).toEqual([]);
    // The outage was felt (sends to broker 1's partitions stalled) and ridden out by retries.
    expect(ackedDuringOutage).toBeLessThan(100);
    expect(failed).toEqual([]);
    expect(acked.length).toBe(n);
  });
});
