import { ConfigError, EnvReader } from '@pitwall/config';
import { lookupTrack } from '@pitwall/race-analysis';
import { loadCollectorF1Config } from '../src/config';
import { FrameSequence } from '../src/frame-sequence';
import { GameClock } from '../src/game-clock';
import { RateWindow } from '../src/rate-window';
import { f1TeamName } from '../src/teams';
import { f1TrackName } from '../src/tracks';

describe('FrameSequence', () => {
  it('uses the identifier itself while it does not go back, repeats included', () => {
    const s = new FrameSequence(() => 1_700_000_000_000);
    expect([7, 8, 8, 9, 20].map((id) => s.next(id))).toEqual([7, 8, 8, 9, 20]);
    expect(s.resets).toBe(0);
  });

  it('continues above everything issued, from a wall-clock base, when the identifier goes back', () => {
    let now = 1_700_000_000_000;
    const s = new FrameSequence(() => now);
    s.next(100);
    s.next(101);
    const afterReset = [0, 1, 1, 2].map((id) => s.next(id));
    expect(afterReset).toEqual([now * 1000, now * 1000 + 1, now * 1000 + 1, now * 1000 + 2]);
    now += 5;
    expect(s.next(0)).toBe(now * 1000);
    expect(s.resets).toBe(2);
  });

  it('never goes back even when the wall clock does', () => {
    let now = 1_700_000_000_000;
    const s = new FrameSequence(() => now);
    s.next(50);
    const first = s.next(1); // reset 1
    for (let id = 2; id < 3000; id++) s.next(id);
    const last = s.next(2999);
    now -= 60_000; // clock stepped back a minute
    const afterSecondReset = s.next(0);
    expect(afterSecondReset).toBe(last + 1);
    expect(first).toBeLessThan(last);
    expect(Number.isSafeInteger(afterSecondReset)).toBe(true);
  });
});

describe('GameClock', () => {
  it('maps game seconds to wall µs from the least delayed arrival', () => {
    const c = new GameClock();
    expect(c.toWallUs(10, 5_000_000_000)).toBe(5_000_000_000);
    // Arrives 3 ms late: keeps the game's spacing.
    expect(c.toWallUs(10.5, 5_000_503_000)).toBe(5_000_500_000);
    // Arrives earlier than the anchor predicts: that is the better anchor.
    expect(c.toWallUs(11, 5_000_998_000)).toBe(5_000_998_000);
    expect(c.toWallUs(11.5, 5_001_500_000)).toBe(5_001_498_000);
  });

  it('starts over when the game clock stops or goes back, and ignores a non-finite session time', () => {
    const c = new GameClock();
    c.toWallUs(100, 1_000_000_000);
    // Paused for 30 s: game time moved 0.1 s.
    expect(c.toWallUs(100.1, 1_030_000_000)).toBe(1_030_000_000);
    // Flashback 20 s.
    expect(c.toWallUs(80.1, 1_030_100_000)).toBe(1_030_100_000);
    expect(c.toWallUs(Number.NaN, 1_030_200_000)).toBe(1_030_200_000);
    expect(c.toWallUs(80.2, 1_030_200_500)).toBe(1_030_200_000);
  });
});

describe('RateWindow', () => {
  it('averages complete seconds of the window and forgets older ones', () => {
    const w = new RateWindow(4);
    for (let s = 0; s < 4; s++) w.add(10_000 + s * 1000, 40);
    w.add(14_500, 1000); // the current second: not complete
    expect(w.perSecond(14_999)).toBe(40);
    expect(w.perSecond(16_000)).toBe((40 * 2 + 1000) / 4);
    expect(w.perSecond(30_000)).toBe(0);
  });
});

describe('track and team names', () => {
  const calendar = [
    'Melbourne', 'Shanghai', 'Suzuka', 'Sakhir', 'Jeddah', 'Miami', 'Imola', 'Monaco', 'Montreal', 'Catalunya', 'Spielberg', 'Silverstone',
    'Hungaroring', 'Spa', 'Zandvoort', 'Monza', 'Baku', 'Singapore', 'Austin', 'Mexico', 'Interlagos', 'Las Vegas', 'Lusail', 'Yas Marina',
  ];

  it('names every track of the current calendar, each one the race-analysis table knows', () => {
    const names = Array.from({ length: 64 }, (_, id) => f1TrackName(id));
    for (const track of calendar) {
      expect(names).toContain(track);
      expect([track, lookupTrack(track).known]).toEqual([track, true]);
    }
    expect(f1TrackName(13)).toBe('Suzuka');
    expect(f1TrackName(3)).toBe('Sakhir');
    expect(f1TrackName(32)).toBe('Lusail');
  });

  it('names unknown ids by number', () => {
    expect(f1TrackName(-1)).toBe('f1-track--1');
    expect(f1TrackName(99)).toBe('f1-track-99');
    expect(f1TeamName(2025, 41)).toBe('f1-team-41');
    expect(f1TeamName(2023, 9)).toBe('Alfa Romeo');
    expect(f1TeamName(2024, 9)).toBe('Sauber');
  });
});

describe('loadCollectorF1Config', () => {
  it('has defaults that work on a laptop', () => {
    expect(loadCollectorF1Config(new EnvReader({}))).toEqual({
      host: '0.0.0.0',
      port: 20777,
      recvBufferBytes: 4 * 1024 * 1024,
      maxSessions: 64,
      sessionIdleMs: 120_000,
      maxQueuedFrames: 50_000,
    });
  });

  it.each([
    ['F1_UDP_PORT', '70000'],
    ['F1_UDP_PORT', 'twenty'],
    ['F1_MAX_SESSIONS', '0'],
    ['F1_SESSION_IDLE_MS', '5'],
    ['F1_MAX_QUEUED_FRAMES', '-1'],
    ['F1_UDP_RECV_BUFFER_BYTES', '1024'],
  ])('refuses %s=%s naming the variable', (variable, value) => {
    const load = () => loadCollectorF1Config(new EnvReader({ [variable]: value }));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^${variable}:`));
  });
});
