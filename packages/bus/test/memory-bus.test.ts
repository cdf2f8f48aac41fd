import { MemoryBus, partitionForKey, withDeadLetter, DLQ_HEADERS, type IncomingMessage } from '@pitwall/bus';
import { codecs, encodeFrame } from '@pitwall/proto';
import { Metrics } from '@pitwall/metrics';
import { silentLogger } from '@pitwall/logger';

const enc = (s: string) => Buffer.from(s);
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('MemoryBus', () => {
  let bus: MemoryBus;
  beforeEach(() => {
    bus = new MemoryBus({ defaultPartitions: 4 });
  });
  afterEach(() => bus.close());

  it('keeps per-key order on the partition murmur2 picks, across partitions', async () => {
    bus.createTopic('t', 3);
    const p = bus.producer();
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (let i = 0; i < 300; i++) await p.send('t', [{ key: keys[i % keys.length]!, value: enc(`${keys[i % keys.length]}:${i}`) }]);
    const seen = new Map<string, number[]>();
    const partitionOf = new Map<string, Set<number>>();
    const c = bus.consumer({ groupId: 'g', topics: ['t'] });
    await c.run(async (batch) => {
      for (const m of batch.messages) {
        const [k, i] = m.value.toString().split(':');
        seen.set(k!, [...(seen.get(k!) ?? []), Number(i)]);
        partitionOf.set(k!, new Set([...(partitionOf.get(k!) ?? []), m.partition]));
      }
    });
    await until(() => [...seen.values()].reduce((n, v) => n + v.length, 0) === 300);
    const used = new Set<number>();
    for (const k of keys) {
      const order = seen.get(k)!;
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect([...partitionOf.get(k)!]).toEqual([partitionForKey(k, 3)]);
      used.add(partitionForKey(k, 3));
    }
    expect(used.size).toBe(3);
  });

  it('splits partitions between two members of a group and rebalances when one leaves', async () => {
    bus.createTopic('t', 6);
    const a = bus.consumer({ groupId: 'g', topics: ['t'] });
    const b = bus.consumer({ groupId: 'g', topics: ['t'] });
    await a.run(async () => undefined);
    expect(a.assignment()).toHaveLength(6);
    await b.run(async () => undefined);
    expect(a.assignment()).toHaveLength(3);
    expect(b.assignment()).toHaveLength(3);
    const all = [...a.assignment(), ...b.assignment()].map((tp) => tp.partition).sort();
    expect(all).toEqual([0, 1, 2, 3, 4, 5]);
    await b.stop();
    expect(a.assignment()).toHaveLength(6);
  });

  it('redelivers uncommitted work to the next owner after a member crashes mid-batch', async () => {
    bus.createTopic('t', 1);
    const p = bus.producer();
    await p.send('t', Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: enc(String(i)) })));
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const first = bus.consumer({ groupId: 'g', topics: ['t'], maxBatchMessages: 4 });
    const firstSaw: string[] = [];
    await first.run(async (batch) => {
      firstSaw.push(...batch.messages.map((m) => m.value.toString()));
      if (firstSaw.length > 4) await stuck; // second batch never finishes
    });
    await until(() => firstSaw.length === 8);
    expect(bus.committed('g', 't', 0)).toBe(4);
    await (first as import('@pitwall/bus').MemoryConsumer).crash();
    release(); // the late success must not commit
    const second: string[] = [];
    const c2 = bus.consumer({ groupId: 'g', topics: ['t'] });
    await c2.run(async (batch) => {
      second.push(...batch.messages.map((m) => m.value.toString()));
    });
    await until(() => second.length === 6);
    expect(second).toEqual(['4', '5', '6', '7', '8', '9']);
    expect(bus.committed('g', 't', 0)).toBe(10);
  });

  it('delivers a failed batch again after backoff and commits only after success', async () => {
    bus.createTopic('t', 1);
    await bus.producer().send('t', [{ key: 'k', value: enc('x') }]);
    let attempts = 0;
    const c = bus.consumer({ groupId: 'g', topics: ['t'], retryBackoffMs: 5 });
    await c.run(async () => {
      attempts++;
      if (attempts < 3) throw new Error('database down');
    });
    await until(() => bus.committed('g', 't', 0) === 1);
    expect(attempts).toBe(3);
  });

  it('starts at offsets returned by onAssigned instead of the committed ones', async () => {
    bus.createTopic('t', 1);
    await bus.producer().send('t', Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: enc(String(i)) })));
    const got: string[] = [];
    const c = bus.consumer({
      groupId: 'g',
      topics: ['t'],
      onAssigned: async (tps) => tps.map((tp) => ({ ...tp, offset: 3 })),
    });
    await c.run(async (b) => void got.push(...b.messages.map((m) => m.value.toString())));
    await until(() => got.length === 2);
    expect(got).toEqual(['3', '4']);
  });

  it('treats an onAssigned offset past the end of the log as out of range and starts from the beginning, as Kafka does', async () => {
    bus.createTopic('t', 1);
    await bus.producer().send('t', Array.from({ length: 3 }, (_, i) => ({ key: 'k', value: enc(String(i)) })));
    const got: string[] = [];
    const c = bus.consumer({
      groupId: 'g',
      topics: ['t'],
      // An earlier run's stored offset: that log had 5000 messages, this one has 3.
      onAssigned: async (tps) => tps.map((tp) => ({ ...tp, offset: 5000 })),
    });
    await c.run(async (b) => void got.push(...b.messages.map((m) => m.value.toString())));
    await until(() => got.length === 3);
    expect(got).toEqual(['0', '1', '2']);
  });

  it('starts at the end for a group that asks for live data only', async () => {
    bus.createTopic('t', 1);
    const p = bus.producer();
    await p.send('t', [{ key: 'k', value: enc('old') }]);
    const got: string[] = [];
    const c = bus.consumer({ groupId: 'live', topics: ['t'], fromBeginning: false });
    await c.run(async (b) => void got.push(...b.messages.map((m) => m.value.toString())));
    await p.send('t', [{ key: 'k', value: enc('new') }]);
    await until(() => got.length === 1);
    expect(got).toEqual(['new']);
  });

  it('a live consumer starts every assignment at the end: a restart in the same group skips what it missed', async () => {
    bus.createTopic('t', 2);
    const p = bus.producer();
    const got: string[] = [];
    const read = async (b: { messages: IncomingMessage[] }) => void got.push(...b.messages.map((m) => m.value.toString()));
    const first = bus.consumer({ groupId: 'viewer', topics: ['t'], live: true });
    await first.run(read);
    await p.send('t', [{ key: 'a', value: enc('seen-a') }, { key: 'b', value: enc('seen-b') }]);
    await until(() => got.length === 2);
    await first.stop();
    await p.send('t', [{ key: 'a', value: enc('missed-a') }, { key: 'b', value: enc('missed-b') }]);
    // The group committed past seen-*, so a plain consumer of it would now get missed-*.
    const again = bus.consumer({ groupId: 'viewer', topics: ['t'], live: true });
    await again.run(read);
    await p.send('t', [{ key: 'a', value: enc('new-a') }, { key: 'b', value: enc('new-b') }]);
    await until(() => got.length === 4);
    await new Promise((r) => setTimeout(r, 20));
    expect(got.sort()).toEqual(['new-a', 'new-b', 'seen-a', 'seen-b']);
    expect(() => bus.consumer({ groupId: 'x', topics: ['t'], live: true, onAssigned: async () => undefined })).toThrow(/live starts every partition at its end/);
  });

  it('pauses and resumes delivery', async () => {
    bus.createTopic('t', 1);
    const p = bus.producer();
    const got: string[] = [];
    const c = bus.consumer({ groupId: 'g', topics: ['t'] });
    await c.run(async (b) => void got.push(...b.messages.map((m) => m.value.toString())));
    c.pause();
    await p.send('t', [{ key: 'k', value: enc('1') }]);
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([]);
    c.resume();
    await until(() => got.length === 1);
  });

  it('bounds a partition: a producer waits while an active group has not consumed, and nothing is lost', async () => {
    const small = new MemoryBus({ maxMessagesPerPartition: 10 });
    small.createTopic('t', 1);
    const p = small.producer({ maxBufferedMessages: 100 });
    let consume!: () => void;
    let gate = new Promise<void>((r) => (consume = r));
    const got: number[] = [];
    const c = small.consumer({ groupId: 'g', topics: ['t'], maxBatchMessages: 5 });
    await c.run(async (b) => {
      await gate;
      got.push(...b.messages.map((m) => Number(m.value.toString())));
    });
    let sent = false;
    const sending = p.send('t', Array.from({ length: 25 }, (_, i) => ({ key: 'k', value: enc(String(i)) }))).then(() => (sent = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(sent).toBe(false);
    expect(small.highWatermark('t', 0)).toBe(10); // held at the limit
    expect(p.buffered).toBe(15);
    consume();
    gate = Promise.resolve();
    await sending;
    await until(() => got.length === 25);
    expect(got).toEqual(Array.from({ length: 25 }, (_, i) => i));
    await small.close();
  });

  it('sends undecodable messages to the DLQ with reason and origin, and continues the partition', async () => {
    bus.createTopic('telemetry', 1);
    bus.createTopic('dlq', 1);
    const p = bus.producer();
    const good = (seq: number) => encodeFrame({ sessionId: 's1', carId: 'c', sequence: seq });
    await p.send('telemetry', [
      { key: 's1', value: good(1) },
      { key: 's1', value: enc('garbage that is not protobuf') },
      { key: 's1', value: good(2) },
    ]);
    const metrics = new Metrics('test');
    const frames: number[] = [];
    const c = bus.consumer({ groupId: 'writer', topics: ['telemetry'] });
    await c.run(
      withDeadLetter({ codec: codecs.frame, producer: p, dlqTopic: 'dlq', groupId: 'writer', metrics, logger: silentLogger() }, async (b) => {
        frames.push(...b.items.map((i) => i.value.sequence as number));
      }),
    );
    const dead: IncomingMessage[] = [];
    const d = bus.consumer({ groupId: 'ops', topics: ['dlq'] });
    await d.run(async (b) => void dead.push(...b.messages));
    await until(() => frames.length === 2 && dead.length === 1);
    expect(frames).toEqual([1, 2]);
    expect(dead[0]!.headers[DLQ_HEADERS.reason]).toMatch(/cannot decode pitwall.v1.TelemetryFrame/);
    expect(dead[0]!.headers[DLQ_HEADERS.topic]).toBe('telemetry');
    expect(dead[0]!.headers[DLQ_HEADERS.partition]).toBe('0');
    expect(dead[0]!.headers[DLQ_HEADERS.offset]).toBe('1');
    expect(dead[0]!.value.toString()).toBe('garbage that is not protobuf');
    expect(bus.committed('writer', 'telemetry', 0)).toBe(3);
    expect(await metrics.counter('pitwall_bus_dead_lettered_messages_total', '', ['topic', 'group', 'stage']).value({ stage: 'decode' })).toBe(1);
  });
});
