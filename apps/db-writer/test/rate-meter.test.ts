import { RateMeter } from '../src/rate-meter';

describe('RateMeter', () => {
  test('averages the last completed seconds and forgets older ones', () => {
    let now = 1_000_000_000;
    const meter = new RateMeter(4, () => now);
    meter.add(100);
    now += 1000;
    meter.add(300);
    // The current second does not count until it is over.
    expect(meter.perSecond()).toBe(100 / 4);
    now += 1000;
    expect(meter.perSecond()).toBe(400 / 4);
    now += 3000; // the 100 is now 5 s old, out of the 4 s window; the 300 is 4 s old, still in
    expect(meter.perSecond()).toBe(300 / 4);
    now += 60_000; // a long silence clears the whole ring
    expect(meter.perSecond()).toBe(0);
    meter.add(8);
    now += 1000;
    expect(meter.perSecond()).toBe(2);
  });
});
