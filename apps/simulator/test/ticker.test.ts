import { Ticker } from '../src/ticker';
import { sleep } from './udp-client';

describe('Ticker', () => {
  it('keeps pace with wall time in fixed steps', async () => {
    const steps: number[] = [];
    const ticker = new Ticker({ rateHz: 100 }, (dt) => steps.push(dt));
    ticker.start();
    await sleep(300);
    ticker.stop();
    expect(new Set(steps)).toEqual(new Set([10]));
    expect(steps.length).toBeGreaterThanOrEqual(15); // 30 due; fewer only after a stall over 100 ms
    expect(steps.length).toBeLessThanOrEqual(31);
    expect(ticker.ticks).toBe(steps.length);
  });

  it('catches up at most maxCatchUp steps after a stall and counts the rest as skipped', async () => {
    let count = 0;
    const ticker = new Ticker({ rateHz: 100, maxCatchUp: 5 }, () => count++);
    ticker.start();
    await sleep(30);
    const before = count;
    const until = Date.now() + 300;
    while (Date.now() < until); // the event loop is blocked: 30 steps fall due
    await sleep(15);
    ticker.stop();
    expect(count - before).toBeLessThanOrEqual(5 + 2);
    expect(ticker.skipped).toBeGreaterThanOrEqual(20);
  });

  it('refuses a rate it cannot keep', () => {
    expect(() => new Ticker({ rateHz: 0 }, () => undefined)).toThrow(/tick rate/);
  });
});
