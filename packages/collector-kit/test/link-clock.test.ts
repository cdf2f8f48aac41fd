import { LinkClock, watchdogIntervalMs } from '@pitwall/collector-kit';

type S = 'trying' | 'live' | 'waiting';

const clockWithChanges = (retry = { initialMs: 100, maxMs: 400 }) => {
  const changes: S[] = [];
  const clock = new LinkClock<S>('waiting', retry, (s) => changes.push(s));
  return { clock, changes };
};

describe('LinkClock', () => {
  afterEach(() => jest.useRealTimers());

  it('reports state changes only, and times each state from its entry', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { clock, changes } = clockWithChanges();
    expect(clock.state).toBe('waiting');
    clock.enter('waiting');
    expect(changes).toEqual([]);

    clock.enter('trying');
    jest.advanceTimersByTime(70);
    expect(clock.inStateMs()).toBe(70);
    clock.enter('trying'); // already there: the clock keeps running
    expect(clock.inStateMs()).toBe(70);
    clock.restart();
    expect(clock.inStateMs()).toBe(0);
    clock.enter('live');
    expect(changes).toEqual(['trying', 'live']);
    expect(clock.state).toBe('live');
  });

  it('counts silence from the last data, but never from before the state was entered', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { clock } = clockWithChanges();
    expect(clock.lastDataAtMs).toBe(0);
    clock.enter('live');
    jest.advanceTimersByTime(30);
    expect(clock.silentMs()).toBe(30); // no data yet: silent since entering
    clock.heard();
    expect(clock.lastDataAtMs).toBe(1_000_030);
    jest.advanceTimersByTime(20);
    expect(clock.silentMs()).toBe(20);
    jest.advanceTimersByTime(10);
    clock.restart(); // a fresh subscription: silence counts from now
    expect(clock.silentMs()).toBe(0);
    expect(clock.silentMs(Date.now() + 5)).toBe(5);
  });

  it('backs off exponentially up to the ceiling, is due after the delay, and starts over once the game is heard', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { clock } = clockWithChanges({ initialMs: 100, maxMs: 400 });
    const delays = [1, 2, 3, 4].map(() => clock.backOff());
    // Jitter draws each delay from [½, 1] of the ceiling: 100, 200, 400, 400.
    [100, 200, 400, 400].forEach((ceiling, i) => {
      expect(delays[i]).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delays[i]).toBeLessThanOrEqual(ceiling);
    });
    expect(clock.attempts).toBe(4);
    const last = delays[3]!;
    expect(clock.attemptDue()).toBe(false);
    jest.advanceTimersByTime(last - 1);
    expect(clock.attemptDue()).toBe(false);
    jest.advanceTimersByTime(1);
    expect(clock.attemptDue()).toBe(true);

    clock.heard();
    expect(clock.attempts).toBe(0);
    const first = clock.backOff();
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
  });

  it('runs the watchdog at a fifth of the shortest timeout until stopped', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const { clock } = clockWithChanges();
    let checks = 0;
    clock.startWatchdog(() => checks++, 500, 150);
    jest.advanceTimersByTime(300);
    expect(checks).toBe(10); // every 30 ms
    clock.startWatchdog(() => checks++, 1000); // a restart replaces the timer, never adds one
    jest.advanceTimersByTime(200);
    expect(checks).toBe(11);
    clock.stopWatchdog();
    jest.advanceTimersByTime(1000);
    expect(checks).toBe(11);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('watchdogIntervalMs', () => {
  it('checks five times per the shortest timeout, between 5 and 250 ms', () => {
    expect(watchdogIntervalMs(150, 250)).toBe(30);
    expect(watchdogIntervalMs(5000, 2000)).toBe(250);
    expect(watchdogIntervalMs(3, 1000)).toBe(5);
    expect(watchdogIntervalMs(1249)).toBe(249);
  });
});
