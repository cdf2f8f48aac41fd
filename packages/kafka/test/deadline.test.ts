import { settlesWithin, withDeadline } from '../src/deadline';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const failsAfter = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('refused')), ms));

describe('settlesWithin', () => {
  it('is true when the work fulfils in time, false when the time runs out first', async () => {
    await expect(settlesWithin(after(5, 'x'), 200)).resolves.toBe(true);
    await expect(settlesWithin(after(200, 'x'), 20)).resolves.toBe(false);
  });

  it("rethrows the work's own failure when it fails in time, and ignores one that comes later", async () => {
    await expect(settlesWithin(failsAfter(5), 200)).rejects.toThrow('refused');
    const late = failsAfter(60);
    await expect(settlesWithin(late, 10)).resolves.toBe(false);
    // The late rejection must not surface as an unhandled one.
    await new Promise((r) => setTimeout(r, 80));
  });
});

describe('withDeadline', () => {
  it("gives the work's value or failure, or says how long it waited", async () => {
    await expect(withDeadline(after(5, 42), 200)).resolves.toBe(42);
    await expect(withDeadline(failsAfter(5), 200)).rejects.toThrow('refused');
    await expect(withDeadline(after(200, 42), 20)).rejects.toThrow('no answer within 20 ms');
  });
});
