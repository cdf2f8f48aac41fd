import { WriteCoalescer } from '../src/write-coalescer';

/** A write that records what it got and finishes when the test says. */
function controlledWrites() {
  const calls: { records: number[]; finish(err?: Error): void }[] = [];
  const write = (records: number[]) =>
    new Promise<void>((resolve, reject) => calls.push({ records, finish: (err) => (err ? reject(err) : resolve()) }));
  return { calls, write };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WriteCoalescer', () => {
  test('batches handed over in the same turn share one write, and each resolves when it commits', async () => {
    const { calls, write } = controlledWrites();
    const c = new WriteCoalescer<number>({ maxRecords: 100, lingerMs: 0, maxInFlight: 1, write });
    const settled: string[] = [];
    const a = c.submit([1, 2]).then(() => settled.push('a'));
    const b = c.submit([3]).then(() => settled.push('b'));
    await tick();
    expect(calls.map((x) => x.records)).toEqual([[1, 2, 3]]);
    expect(settled).toEqual([]);
    calls[0]!.finish();
    await Promise.all([a, b]);
    expect(settled).toEqual(['a', 'b']);
  });

  test('while every slot is busy batches gather, and go in one write when a slot frees', async () => {
    const { calls, write } = controlledWrites();
    const c = new WriteCoalescer<number>({ maxRecords: 100, lingerMs: 0, maxInFlight: 1, write });
    const first = c.submit([1]);
    await tick();
    const later = [c.submit([2]), c.submit([3, 4])];
    await tick();
    expect(calls).toHaveLength(1);
    expect(c.waiting).toBe(3);
    calls[0]!.finish();
    await first;
    await tick();
    expect(calls.map((x) => x.records)).toEqual([[1], [2, 3, 4]]);
    calls[1]!.finish();
    await Promise.all(later);
    expect(c.waiting).toBe(0);
  });

  test('a write never exceeds maxRecords; a full queue starts writing without waiting for the linger', async () => {
    const { calls, write } = controlledWrites();
    const c = new WriteCoalescer<number>({ maxRecords: 5, lingerMs: 60_000, maxInFlight: 2, write });
    const all = [c.submit([1, 2, 3]), c.submit([4, 5]), c.submit([6, 7, 8]), c.submit([9])];
    await tick();
    // 3+2 fill the first write; the 4 records left are neither a full write nor due (60 s linger).
    expect(calls.map((x) => x.records)).toEqual([[1, 2, 3, 4, 5]]);
    c.submit([10]).catch(() => undefined);
    await tick();
    // 6,7,8,9,10 = 5: full, so it goes at once into the second slot.
    expect(calls.map((x) => x.records)).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]);
    for (const call of calls) call.finish();
    await Promise.all(all);
  });

  test('lingerMs holds a small batch back until it is due', async () => {
    const { calls, write } = controlledWrites();
    const c = new WriteCoalescer<number>({ maxRecords: 100, lingerMs: 80, maxInFlight: 1, write });
    const started = Date.now();
    const done = c.submit([1]);
    await new Promise((r) => setTimeout(r, 40));
    c.submit([2]).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(calls.map((x) => x.records)).toEqual([[1, 2]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
    calls[0]!.finish();
    await done;
  });

  test('a failed write rejects every batch in it, and later batches are written anew', async () => {
    const { calls, write } = controlledWrites();
    const c = new WriteCoalescer<number>({ maxRecords: 100, lingerMs: 0, maxInFlight: 1, write });
    const a = c.submit([1]);
    const b = c.submit([2]);
    await tick();
    calls[0]!.finish(new Error('connection refused'));
    await expect(a).rejects.toThrow('connection refused');
    await expect(b).rejects.toThrow('connection refused');
    const again = c.submit([1]);
    await tick();
    expect(calls.map((x) => x.records)).toEqual([[1, 2], [1]]);
    calls[1]!.finish();
    await again;
  });

  test('leaves no linger timer behind once everything waiting is written', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const { calls, write } = controlledWrites();
    const c = new WriteCoalescer<number>({ maxRecords: 3, lingerMs: 60_000, maxInFlight: 1, write });
    // The first batch waits for its 60 s linger; the second fills the write, which takes both.
    const first = c.submit([1, 2]);
    expect(timers()).toBe(before + 1);
    const all = [first, c.submit([3])];
    await tick();
    expect(calls.map((x) => x.records)).toEqual([[1, 2, 3]]);
    calls[0]!.finish();
    await Promise.all(all);
    expect(timers()).toBe(before);
  });

  test('nothing to write resolves at once; bad limits are refused', async () => {
    const { calls, write } = controlledWrites();
    await new WriteCoalescer<number>({ maxRecords: 1, lingerMs: 0, maxInFlight: 1, write }).submit([]);
    expect(calls).toHaveLength(0);
    expect(() => new WriteCoalescer<number>({ maxRecords: 0, lingerMs: 0, maxInFlight: 1, write })).toThrow(RangeError);
  });
});
