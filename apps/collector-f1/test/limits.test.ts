import * as http from 'node:http';
import { MAX_CARS } from '@pitwall/f1-udp';
import { silentLogger } from '@pitwall/logger';
import { startOpsServer } from '@pitwall/service';
import { Rig, run, until, type Running } from './support';

describe('collector-f1 at its limits', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  it('drops the oldest frames with a count when the bus is slow, never queues beyond the limit, and delivers the newest', async () => {
    const maxQueued = 100;
    // One partition of 50 messages and a consumer that does not read yet: the producer must wait.
    r = await run({ F1_MAX_QUEUED_FRAMES: String(maxQueued) }, { gated: true, busOptions: { maxMessagesPerPartition: 50 } });
    const rig = new Rig(2025, 1234n);
    await r.deliver(rig.participants());
    const packets = 40;
    let maxSeen = 0;
    for (let i = 0; i < packets; i++) {
      await r.deliver(rig.carTelemetry());
      rig.advance();
      maxSeen = Math.max(maxSeen, r.collector.queuedFrames);
    }
    expect(maxSeen).toBeLessThanOrEqual(maxQueued);
    expect(r.collector.queuedFrames).toBe(maxQueued);
    const dropped = await r.counter('pitwall_collector_frames_dropped_total', { reason: 'queue_full' });
    expect(dropped).toBeGreaterThan(0);

    r.open();
    const offered = packets * MAX_CARS;
    await until('every frame published or dropped', async () => (await r!.counter('pitwall_collector_frames_published_total')) + dropped >= offered);
    const published = await r.counter('pitwall_collector_frames_published_total');
    expect(published + dropped).toBe(offered);
    await until('the consumer to read what was published', () => r!.frames.length >= published);
    expect(r.frames).toHaveLength(published);
    // The newest frame of every car made it; the dropped ones are older.
    const newest = 1000 + packets - 1;
    expect(r.frames.filter((f) => f.sequence === newest)).toHaveLength(MAX_CARS);
    expect(Math.min(...r.frames.map((f) => Number(f.sequence)))).toBe(1000);
    expect(new Set(r.frames.map((f) => `${f.carId}/${f.sequence}`)).size).toBe(published);
  });

  it('holds at most F1_MAX_SESSIONS sessions, forgetting the least recently heard', async () => {
    r = await run({ F1_MAX_SESSIONS: '3' });
    const rigs = Array.from({ length: 10 }, (_, i) => new Rig(2024, 1000n + BigInt(i)));
    // Rig 0 keeps talking, so it is never the least recently heard.
    for (const rig of rigs) {
      await r.deliver(rig.carTelemetry());
      await new Promise((res) => setTimeout(res, 2));
      await r.deliver(rigs[0]!.carTelemetry());
      expect(r.collector.sessions).toBeLessThanOrEqual(3);
    }
    expect(r.collector.sessions).toBe(3);
    expect(await r.counter('pitwall_f1_sessions_evicted_total', { reason: 'capacity' })).toBe(7);
    expect(await r.counter('pitwall_collector_sessions_started_total')).toBe(10);
    await until('frames of every session', () => new Set(r!.frames.map((f) => f.sessionId)).size === 10);
  });

  it('keeps session infos waiting for a stalled bus bounded by the session cap, and sends the latest when it recovers', async () => {
    // Every partition takes one message and nothing is consumed: each send after the first waits.
    r = await run({ F1_MAX_SESSIONS: '4' }, { gated: true, busOptions: { maxMessagesPerPartition: 1 } });
    const rigs = Array.from({ length: 50 }, (_, i) => new Rig(2025, 5000n + BigInt(i)));
    for (const rig of rigs) {
      await r.deliver(rig.participants());
      expect(r.collector.pendingSessionInfos).toBeLessThanOrEqual(4);
    }
    expect(r.collector.sessions).toBe(4);
    r.open();
    // The sessions still held are announced once the bus moves again.
    await until('the last session\'s info', () => r!.sessions.some((s) => s.key === 'f1:5049'));
    await until('nothing left waiting', () => r!.collector.pendingSessionInfos === 0);
    expect(r.sessions.length).toBeLessThan(rigs.length);
  });

  it('forgets sessions idle for F1_SESSION_IDLE_MS', async () => {
    r = await run({ F1_SESSION_IDLE_MS: '200' });
    await r.deliver(new Rig(2023, 1n).carTelemetry(), new Rig(2023, 2n).carTelemetry());
    expect(r.collector.sessions).toBe(2);
    await until('idle sessions forgotten', () => r!.collector.sessions === 0, 5000);
    expect(await r.counter('pitwall_f1_sessions_evicted_total', { reason: 'idle' })).toBe(2);
    const report = await r.health.report();
    expect(report.checks['collector-f1']!.detail).toMatchObject({ sessionsSeen: 2, sessionsActive: 0 });
  });

  it('serves its counters on /metrics', async () => {
    r = await run();
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', health: r.health, metrics: r.metrics, logger: silentLogger() });
    try {
      const rig = new Rig(2025, 55n);
      await r.deliver(...rig.frame(), Buffer.alloc(3));
      await until('frames published', async () => (await r!.counter('pitwall_collector_frames_published_total')) >= MAX_CARS);
      const body = await new Promise<string>((resolve, reject) => {
        http.get(`http://127.0.0.1:${ops.port}/metrics`, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toContain('pitwall_collector_datagrams_received_total{source="f1",app="collector-f1"} 5');
      expect(body).toContain('pitwall_f1_packets_total{format="2025",packet="car_telemetry",app="collector-f1"} 1');
      expect(body).toContain('pitwall_f1_packets_total{format="2025",packet="lap_data",app="collector-f1"} 1');
      expect(body).toContain('pitwall_collector_datagrams_dropped_total{source="f1",reason="too_short",app="collector-f1"} 1');
      expect(body).toContain(`pitwall_collector_frames_published_total{source="f1",app="collector-f1"} ${MAX_CARS}`);
    } finally {
      await ops.close();
    }
  });
});
