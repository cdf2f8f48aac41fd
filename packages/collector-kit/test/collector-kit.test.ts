import { MemoryBus, type OutgoingMessage, type Producer } from '@pitwall/bus';
import { BusBusyError, FramePublisher, SequenceAssigner } from '@pitwall/collector-kit';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame } from '@pitwall/proto';

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe('SequenceAssigner', () => {
  it('counts per (session, car) from a base derived from the run start', () => {
    const s = new SequenceAssigner(100, 1_700_000_000_000);
    expect(s.assign('s1', 'a')).toBe(1_700_000_000_000_000);
    expect(s.assign('s1', 'a')).toBe(1_700_000_000_000_001);
    const b = s.assign('s1', 'b');
    expect(b).toBeGreaterThan(1_700_000_000_000_001);
    expect(s.assign('s1', 'b')).toBe(b + 1);
  });

  it('a later run issues numbers above everything an earlier run issued', () => {
    const first = new SequenceAssigner(100, 1_700_000_000_000);
    let last = 0;
    for (let i = 0; i < 5000; i++) last = first.assign('s', 'car');
    const second = new SequenceAssigner(100, 1_700_000_000_000 + 6); // restarted 6 ms later
    expect(second.assign('s', 'car')).toBeGreaterThan(last);
  });

  it('stays bounded and keeps numbers unique for a key seen again after eviction', () => {
    const s = new SequenceAssigner(3, 1_000);
    const first = s.assign('s', 'a');
    s.assign('s', 'a');
    for (const car of ['b', 'c', 'd']) s.assign('s', car);
    expect(s.size).toBe(3);
    expect(s.assign('s', 'a')).toBeGreaterThan(first + 1);
  });
});

describe('FramePublisher', () => {
  const frame = (i: number) => ({ sessionId: 'sess', carId: 'c', sequence: i, lap: 1 });

  it('offer never blocks: with the bus stalled it keeps the newest frames and counts the dropped', async () => {
    const bus = new MemoryBus({ maxMessagesPerPartition: 10 });
    bus.createTopic('telemetry', 1);
    const metrics = new Metrics('test');
    const pub = new FramePublisher({ producer: bus.producer(), topic: 'telemetry', source: 'f1', metrics, logger: silentLogger(), maxQueuedFrames: 20, maxBatchFrames: 5 });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const got: number[] = [];
    await bus.consumer({ groupId: 'g', topics: ['telemetry'], maxBatchMessages: 100 }).run(async (b) => {
      await gate;
      got.push(...b.messages.map((m) => decodeFrame(m.value).sequence as number));
    });
    for (let i = 1; i <= 100; i++) pub.offer(frame(i));
    expect(pub.queuedFrames).toBeLessThanOrEqual(20);
    open();
    await pub.drain();
    await until(() => got.length > 0 && bus.committed('g', 'telemetry', 0) === bus.highWatermark('telemetry', 0));
    const dropped = await metrics.counter('pitwall_collector_frames_dropped_total', '', ['source', 'reason']).value({ reason: 'queue_full' });
    expect(got.length + dropped).toBe(100);
    expect(dropped).toBeGreaterThan(0);
    expect(got).toContain(100); // the newest survived
    expect(got).toEqual([...got].sort((a, b) => a - b));
    await bus.close();
  });

  it('offer hands frames over without waiting for earlier acknowledgements, up to 8 sends, then batches what waited', async () => {
    // A producer whose acknowledgements the test releases, like a Kafka round trip in slow motion.
    const sends: { messages: OutgoingMessage[]; ack: () => void }[] = [];
    const producer: Producer = {
      capacity: 10_000,
      get buffered() {
        return 0;
      },
      send: (_topic, messages) => new Promise<void>((ack) => sends.push({ messages, ack })),
      flush: async () => undefined,
      close: async () => undefined,
    };
    const metrics = new Metrics('test');
    const pub = new FramePublisher({ producer, topic: 'telemetry', source: 'f1', metrics, logger: silentLogger() });
    const tick = () => new Promise((r) => setImmediate(r));
    for (let datagram = 0; datagram < 12; datagram++) {
      for (let car = 0; car < 20; car++) pub.offer(frame(datagram * 20 + car));
      await tick();
    }
    // One send per datagram while fewer than 8 are unacknowledged; the other 4 datagrams wait.
    expect(sends.map((s) => s.messages.length)).toEqual([20, 20, 20, 20, 20, 20, 20, 20]);
    expect(pub.queuedFrames).toBe(80);
    sends[0]!.ack();
    await until(() => sends.length === 9);
    expect(sends[8]!.messages.length).toBe(80);
    const drained = pub.drain();
    for (const s of sends.slice(1)) s.ack();
    await drained;
    const sequences = sends.flatMap((s) => s.messages.map((m) => decodeFrame(m.value).sequence as number));
    expect(sequences).toEqual(Array.from({ length: 240 }, (_, i) => i));
    expect(await metrics.counter('pitwall_collector_frames_published_total', '', ['source']).value({ source: 'f1' })).toBe(240);
  });

  it('publish resolves only after the bus took every frame, and refuses with BusBusyError when full', async () => {
    const bus = new MemoryBus({ maxMessagesPerPartition: 5 });
    bus.createTopic('telemetry', 1);
    const pub = new FramePublisher({ producer: bus.producer({ maxBufferedMessages: 5 }), topic: 'telemetry', source: 'http', metrics: new Metrics('t'), logger: silentLogger() });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    await bus.consumer({ groupId: 'g', topics: ['telemetry'] }).run(async () => gate);
    let done = false;
    const first = pub.publish(Array.from({ length: 10 }, (_, i) => frame(i))).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // 5 are in, 5 wait: no acknowledgement yet
    await expect(pub.publish([frame(99)])).rejects.toBeInstanceOf(BusBusyError);
    open();
    await first;
    expect(bus.highWatermark('telemetry', 0)).toBe(10);
    await bus.close();
  });
});
