import {
  HEADER_SIZE,
  PACKET_FORMATS,
  PACKET_SIZES,
  SESSION_TYPE_NAMES,
  WHEEL_ORDER,
  Wheel,
  bodyCodec,
  formatSupported,
  isMenuHeader,
  isRaceSession,
  packetSize,
  sessionTypeName,
} from '@pitwall/f1-udp';
import { SAMPLE_HEADER, SPEC_SIZES } from './support';

describe('size table', () => {
  it('matches the spec table of PROTOCOLS.md for every format and id, and nothing else', () => {
    expect(PACKET_SIZES).toEqual(SPEC_SIZES);
    for (const format of PACKET_FORMATS) {
      for (let id = 0; id < 256; id++) {
        expect([format, id, packetSize(format, id)]).toEqual([format, id, SPEC_SIZES[format]![id]]);
        const body = bodyCodec(format, id);
        expect([format, id, body && body.size + HEADER_SIZE]).toEqual([format, id, SPEC_SIZES[format]![id]]);
      }
    }
  });
});

describe('formatSupported', () => {
  it('accepts 2023, 2024, 2025 only', () => {
    expect([2023, 2024, 2025].map(formatSupported)).toEqual([true, true, true]);
    expect([0, 2022, 2026, 65535, 2024.5, NaN].map(formatSupported)).toEqual([false, false, false, false, false, false]);
  });
});

describe('session types', () => {
  it('Race is 10 in F1 23 and 15 in F1 24 and F1 25', () => {
    expect(sessionTypeName(2023, 10)).toBe('Race');
    expect(sessionTypeName(2024, 10)).toBe('Sprint Shootout 1');
    expect(sessionTypeName(2024, 15)).toBe('Race');
    expect(sessionTypeName(2025, 15)).toBe('Race');
    expect(sessionTypeName(2023, 13)).toBe('Time Trial');
    expect(sessionTypeName(2025, 18)).toBe('Time Trial');
    expect(isRaceSession(2023, 12)).toBe(true);
    expect(isRaceSession(2023, 13)).toBe(false);
    expect(isRaceSession(2024, 17)).toBe(true);
    expect(isRaceSession(2024, 12)).toBe(false);
  });

  it('names ids beyond the table as unknown with the id', () => {
    expect(sessionTypeName(2023, 14)).toBe('Unknown (14)');
    expect(sessionTypeName(2025, 200)).toBe('Unknown (200)');
    expect(SESSION_TYPE_NAMES[2023]).toHaveLength(14);
    expect(SESSION_TYPE_NAMES[2024]).toHaveLength(19);
  });
});

describe('menu headers and wheels', () => {
  it('a session UID of 0 marks a menu packet', () => {
    expect(isMenuHeader({ ...SAMPLE_HEADER, packetFormat: 2023, packetId: 0, sessionUID: 0n })).toBe(true);
    expect(isMenuHeader({ ...SAMPLE_HEADER, packetFormat: 2023, packetId: 0 })).toBe(false);
  });

  it('wheel arrays are RL, RR, FL, FR', () => {
    expect(WHEEL_ORDER).toEqual(['RL', 'RR', 'FL', 'FR']);
    expect(WHEEL_ORDER.map((w) => Wheel[w])).toEqual([0, 1, 2, 3]);
  });
});
