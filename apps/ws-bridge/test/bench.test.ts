import { benchWsFanout, benchWsLatency } from '../src';

// Smoke runs with tiny parameters: they prove the benchmarks run end to end over real sockets and
// report figures that hang together, not that the goals are met (a shared test machine cannot say).
describe('ws-bridge benchmarks', () => {
  it('fan-out delivers the stream to every viewer from both the bridge and the bare server', async () => {
    const clients = 10;
    const flushMs = 100;
    const r = await benchWsFanout({ clients, durationMs: 1000, warmupMs: 500, flushMs, rounds: 1 });
    expect(r.name).toBe('ws-fanout-10');
    const offered = clients * (1000 / flushMs);
    const messagesPerS = (side: string) => Number(new RegExp(`${side} ([\\d,]+) messages/s`).exec(r.notes ?? '')![1]!.replace(/,/g, ''));
    // Both sides deliver most of what is offered (timers on a busy machine may slip a flush or two).
    for (const side of ['ours', 'bare']) {
      expect(messagesPerS(side)).toBeGreaterThan(offered * 0.5);
      expect(messagesPerS(side)).toBeLessThan(offered * 1.5);
    }
    // 100 points of ~500 B JSON a message, to every viewer.
    expect(r.ours).toBeGreaterThan((offered * 0.5 * 20_000) / 1e6);
    expect(r.baseline).toBeGreaterThan((offered * 0.5 * 20_000) / 1e6);
    expect(r.ratio).toBeCloseTo(r.ours / r.baseline, 1);
    expect(r.met).toBe(r.ratio >= 0.8);
    expect(r.notes).toMatch(/Open files limit/);
  }, 30_000);

  it('latency reports p50 ≤ p99 ≤ max for the bridge and the bare server, and the batched run', async () => {
    const r = await benchWsLatency({ framesPerSecond: 2000, durationMs: 1000, warmupMs: 300, viewers: 2, rounds: 1, batchedDurationMs: 600 });
    expect(r.name).toBe('ws-latency');
    expect(r.ours).toBeGreaterThan(0);
    expect(r.baseline).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.baseline / r.ours, 1);
    const figures = (label: string) => {
      const m = new RegExp(`${label}[^:]*: p50 ([\\d.]+) ms, p99 ([\\d.]+) ms, max ([\\d.]+) ms over ([\\d,]+) received`).exec(r.notes ?? '');
      expect(m).not.toBeNull();
      const [p50, p99, max, count] = [Number(m![1]), Number(m![2]), Number(m![3]), Number(m![4]!.replace(/,/g, ''))];
      expect(p50).toBeLessThanOrEqual(p99);
      expect(p99).toBeLessThanOrEqual(max);
      return { p50, p99, count };
    };
    // Every frame after the warm-up reaches both viewers from the bare server.
    expect(figures('Bare').count).toBe(2 * 2000);
    expect(figures('Ours').count).toBeGreaterThan(0);
    // With the 300 ms window, latency is the window's: far above the unbatched bridge's median.
    expect(figures('WS_BATCH_MS=300').p50).toBeGreaterThan(figures('Ours').p50);
    expect(figures('WS_BATCH_MS=300').p50).toBeGreaterThan(50);
  }, 30_000);
});
