// Game → client datagrams built byte by byte as Kunos' SDK reads them
// (BroadcastingNetworkProtocol.cs, protocol v4), then decoded.
import { decodeInbound, encodeInbound, inbound, type InboundMessage } from '@pitwall/acc-broadcast';
import { Bytes, INT32_MAX } from './bytes';
import { inboundSamples } from './samples';

function decodeOk(buf: Buffer): InboundMessage {
  const result = decodeInbound(buf);
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  expect(result.trailingBytes).toBe(0);
  return result.message;
}

/** REALTIME_CAR_UPDATE with the 38-byte fixed part written at its offsets, then three laps. */
function carUpdate(gearByte: number, laps: Buffer = new Bytes()
  .lap(INT32_MAX, 5, 0, [], [0, 0, 0, 0])
  .lap(INT32_MAX, 5, 0, [], [0, 0, 0, 0])
  .lap(INT32_MAX, 5, 0, [], [0, 0, 0, 0])
  .build()): Buffer {
  const fixed = Buffer.alloc(38);
  fixed.writeUInt8(3, 0); // REALTIME_CAR_UPDATE
  fixed.writeUInt16LE(5, 1); // carIndex
  fixed.writeUInt16LE(1, 3); // driverIndex
  fixed.writeUInt8(2, 5); // driverCount
  fixed.writeUInt8(gearByte, 6);
  fixed.writeFloatLE(-10.5, 7); // worldPosX
  fixed.writeFloatLE(20.25, 11); // worldPosY
  fixed.writeFloatLE(3.0, 15); // yaw
  fixed.writeUInt8(1, 19); // carLocation Track
  fixed.writeUInt16LE(287, 20); // kmh
  fixed.writeUInt16LE(4, 22); // position
  fixed.writeUInt16LE(2, 24); // cupPosition
  fixed.writeUInt16LE(6, 26); // trackPosition
  fixed.writeFloatLE(0.5, 28); // splinePosition
  fixed.writeUInt16LE(9, 32); // laps
  fixed.writeInt32LE(-250, 34); // delta
  return Buffer.concat([fixed, laps]);
}

describe('REALTIME_CAR_UPDATE', () => {
  it('reads every fixed field at its SDK offset', () => {
    const m = decodeOk(carUpdate(5));
    expect(m).toMatchObject({
      type: 'REALTIME_CAR_UPDATE',
      carIndex: 5,
      driverIndex: 1,
      driverCount: 2,
      gear: 3,
      worldPosX: -10.5,
      worldPosY: 20.25,
      yaw: 3,
      carLocation: 1,
      kmh: 287,
      position: 4,
      cupPosition: 2,
      trackPosition: 6,
      splinePosition: 0.5,
      laps: 9,
      deltaMs: -250,
    });
  });

  // The SDK: `Gear = br.ReadByte() - 2; // -2 makes the R -1, N 0 and the rest as-is`, so reverse
  // is byte 1 and byte 0 (never seen from the game) comes out as -2, unclamped.
  it.each([
    [0, -2],
    [1, -1],
    [2, 0],
    [3, 1],
    [8, 6],
    [255, 253],
  ])('gear byte %i decodes as %i (byte − 2, per the SDK)', (byte, gear) => {
    const m = decodeOk(carUpdate(byte));
    expect(m.type === 'REALTIME_CAR_UPDATE' && m.gear).toBe(gear);
  });

  it('reads three lap records in order best, last, current; INT32_MAX is null for times and splits', () => {
    const laps = new Bytes()
      .lap(101_000, 5, 0, [30_000, 35_000, 36_000], [0, 1, 0, 0])
      .lap(INT32_MAX, 5, 1, [31_000, INT32_MAX], [1, 0, 0, 1])
      .lap(12_345, 5, 1, [INT32_MAX], [0, 0, 1, 0])
      .build();
    const m = decodeOk(carUpdate(3, laps));
    if (m.type !== 'REALTIME_CAR_UPDATE') throw new Error(m.type);
    expect(m.bestSessionLap).toEqual({
      laptimeMs: 101_000, carIndex: 5, driverIndex: 0, splitsMs: [30_000, 35_000, 36_000],
      isInvalid: false, isValidForBest: true, isOutlap: false, isInlap: false,
    });
    expect(m.lastLap).toEqual({
      laptimeMs: null, carIndex: 5, driverIndex: 1, splitsMs: [31_000, null],
      isInvalid: true, isValidForBest: false, isOutlap: false, isInlap: true,
    });
    expect(m.currentLap).toMatchObject({ laptimeMs: 12_345, splitsMs: [null], isOutlap: true });
  });

  it('INT32_MAX − 1 is a real time, not "none"', () => {
    const laps = new Bytes()
      .lap(INT32_MAX - 1, 0, 0, [INT32_MAX - 1], [0, 0, 0, 0])
      .lap(0, 0, 0, [], [0, 0, 0, 0])
      .lap(-1, 0, 0, [], [0, 0, 0, 0])
      .build();
    const m = decodeOk(carUpdate(2, laps));
    if (m.type !== 'REALTIME_CAR_UPDATE') throw new Error(m.type);
    expect(m.bestSessionLap.laptimeMs).toBe(INT32_MAX - 1);
    expect(m.bestSessionLap.splitsMs).toEqual([INT32_MAX - 1]);
    expect(m.lastLap.laptimeMs).toBe(0);
    expect(m.currentLap.laptimeMs).toBe(-1);
  });

  it('is truncated without the third lap record, naming the field', () => {
    const twoLaps = new Bytes().lap(1, 0, 0, [], [0, 0, 0, 0]).lap(1, 0, 0, [], [0, 0, 0, 0]).build();
    const result = decodeInbound(carUpdate(2, twoLaps));
    expect(result).toMatchObject({ ok: false, reason: 'truncated' });
    expect(!result.ok && result.detail).toMatch(/REALTIME_CAR_UPDATE .*currentLap\.laptimeMs needs 4 bytes at offset 64, 0 left/);
  });

  it('names the split being read when a split count overruns', () => {
    const laps = new Bytes().lap(1, 0, 0, [1, 2], [0, 0, 0, 0]).build().subarray(0, 4 + 2 + 2 + 1 + 4 + 2);
    const result = decodeInbound(carUpdate(2, laps));
    expect(!result.ok && result.detail).toMatch(/bestSessionLap\.splitsMs\[1\] needs 4 bytes/);
  });
});

describe('REGISTRATION_RESULT', () => {
  const build = (success: number, writable: number, message: string): Buffer =>
    new Bytes().u8(1).i32(17).u8(success).u8(writable).str(message).build();

  it('reads isReadonly as "byte == 0", like the SDK', () => {
    expect(decodeOk(build(1, 1, ''))).toEqual({
      type: 'REGISTRATION_RESULT', connectionId: 17, connectionSuccess: true, isReadonly: false, errorMessage: '',
    });
    expect(decodeOk(build(1, 0, ''))).toMatchObject({ isReadonly: true });
    expect(decodeOk(build(2, 7, ''))).toMatchObject({ connectionSuccess: true, isReadonly: false });
  });

  it('carries the refusal message for a wrong password', () => {
    expect(decodeOk(build(0, 0, 'Wrong password'))).toMatchObject({ connectionSuccess: false, errorMessage: 'Wrong password' });
  });
});

describe('REALTIME_UPDATE', () => {
  const head = (): Bytes =>
    new Bytes().u8(2).u16(4).u16(2).u8(10).u8(5).f32(600_000).f32(1_800_000).i32(9)
      .str('Drivable').str('Chase').str('Basic HUD');
  const tail = (b: Bytes): Buffer =>
    b.f32(43_200_000).u8(21).u8(28).u8(3).u8(10).u8(0).lap(INT32_MAX, 0, 0, [], [0, 0, 0, 0]).build();

  it('has no replay times when no replay plays', () => {
    const m = decodeOk(tail(head().u8(0)));
    expect(m).toEqual({
      type: 'REALTIME_UPDATE', eventIndex: 4, sessionIndex: 2, sessionType: 10, phase: 5,
      sessionTimeMs: 600_000, sessionEndTimeMs: 1_800_000, focusedCarIndex: 9,
      activeCameraSet: 'Drivable', activeCamera: 'Chase', currentHudPage: 'Basic HUD',
      replay: null, timeOfDayMs: 43_200_000, ambientTempC: 21, trackTempC: 28,
      clouds: 0.3, rainLevel: 1, wetness: 0,
      bestSessionLap: { laptimeMs: null, carIndex: 0, driverIndex: 0, splitsMs: [], isInvalid: false, isValidForBest: false, isOutlap: false, isInlap: false },
    });
  });

  it('reads the two replay floats only while a replay plays', () => {
    const m = decodeOk(tail(head().u8(1).f32(500_000).f32(7_500)));
    expect(m).toMatchObject({ replay: { sessionTime: 500_000, remainingTime: 7_500 }, timeOfDayMs: 43_200_000, ambientTempC: 21 });
  });
});

describe('ENTRY_LIST, ENTRY_LIST_CAR, TRACK_DATA, BROADCASTING_EVENT', () => {
  it('ENTRY_LIST: u16 count of u16 car indexes', () => {
    expect(decodeOk(new Bytes().u8(4).i32(3).u16(3).u16(0).u16(12).u16(65535).build())).toEqual({
      type: 'ENTRY_LIST', connectionId: 3, carIndexes: [0, 12, 65535],
    });
  });

  it('ENTRY_LIST_CAR: car and driver nationality, multi-byte UTF-8 names, empty short name', () => {
    const buf = new Bytes()
      .u8(6).u16(12).u8(31).str('Team Zürich 東京').i32(46).u8(2).u8(1).u16(8)
      .u8(2)
      .str('Valentino').str('Rossi').str('ROS').u8(2).u16(1)
      .str('Zoë').str('Ñúñez 😀').str('').u8(255).u16(84)
      .build();
    expect(decodeOk(buf)).toEqual({
      type: 'ENTRY_LIST_CAR', carIndex: 12, carModelType: 31, teamName: 'Team Zürich 東京', raceNumber: 46,
      cupCategory: 2, currentDriverIndex: 1, nationality: 8,
      drivers: [
        { firstName: 'Valentino', lastName: 'Rossi', shortName: 'ROS', category: 2, nationality: 1 },
        { firstName: 'Zoë', lastName: 'Ñúñez 😀', shortName: '', category: 255, nationality: 84 },
      ],
    });
  });

  it('ENTRY_LIST_CAR in the pre-1.13.11 layout (no driver nationality) is truncated, not misread', () => {
    const old = new Bytes().u8(6).u16(1).u8(0).str('T').i32(1).u8(0).u8(0).u16(0).u8(1).str('A').str('B').str('C').u8(0).build();
    expect(decodeInbound(old)).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('TRACK_DATA: camera sets with their cameras, then HUD pages', () => {
    const buf = new Bytes()
      .u8(5).i32(3).str('monza').i32(2).i32(5793)
      .u8(2).str('Drivable').u8(2).str('Chase').str('Bonnet').str('TV1').u8(0)
      .u8(3).str('Blank').str('Basic HUD').str('Broadcasting')
      .build();
    expect(decodeOk(buf)).toEqual({
      type: 'TRACK_DATA', connectionId: 3, trackName: 'monza', trackId: 2, trackMeters: 5793,
      cameraSets: [{ name: 'Drivable', cameras: ['Chase', 'Bonnet'] }, { name: 'TV1', cameras: [] }],
      hudPages: ['Blank', 'Basic HUD', 'Broadcasting'],
    });
  });

  it('BROADCASTING_EVENT: type, message, time, car id', () => {
    expect(decodeOk(new Bytes().u8(7).u8(4).str('Accident').i32(123_456).i32(1001).build())).toEqual({
      type: 'BROADCASTING_EVENT', eventType: 4, message: 'Accident', timeMs: 123_456, carId: 1001,
    });
  });
});

describe('decodeInbound edge cases', () => {
  it('rejects empty datagrams and unknown types with a reason', () => {
    expect(decodeInbound(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'empty' });
    expect(decodeInbound(Buffer.from([0]))).toMatchObject({ ok: false, reason: 'unknown_type' });
    expect(decodeInbound(Buffer.from([8, 1, 2]))).toMatchObject({ ok: false, reason: 'unknown_type', detail: expect.stringContaining('8') });
  });

  it('reports a string length past the end as truncated', () => {
    const buf = new Bytes().u8(7).u8(1).u16(65535).raw(Buffer.from('short')).build();
    const result = decodeInbound(buf);
    expect(result).toMatchObject({ ok: false, reason: 'truncated' });
    expect(!result.ok && result.detail).toContain('message needs 65535 bytes at offset 4, 5 left');
  });

  it('counts trailing bytes instead of rejecting them (the SDK ignores them)', () => {
    const buf = new Bytes().u8(4).i32(1).u16(0).u8(0xee).u8(0xff).build();
    expect(decodeInbound(buf)).toEqual({ ok: true, message: { type: 'ENTRY_LIST', connectionId: 1, carIndexes: [] }, trailingBytes: 2 });
  });

  it('decodes from a Uint8Array view into a larger buffer', () => {
    const inner = new Bytes().u8(4).i32(1).u16(1).u16(9).build();
    const outer = new Uint8Array(inner.length + 10);
    outer.set(inner, 5);
    expect(decodeInbound(outer.subarray(5, 5 + inner.length))).toMatchObject({ ok: true, message: { carIndexes: [9] } });
  });
});

describe('inbound encoders', () => {
  it('have a round-trip sample for every inbound message type', () => {
    expect(new Set(inboundSamples.map((m) => m.type))).toEqual(new Set(inbound.names.values()));
    expect([...inbound.names.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it.each(inboundSamples.map((m, i) => [`${m.type}#${i}`, m] as const))('%s round-trips', (_name, message) => {
    expect(decodeInbound(encodeInbound(message))).toEqual({ ok: true, message, trailingBytes: 0 });
  });

  it('write the same bytes the hand-built datagram has', () => {
    const hand = new Bytes().u8(1).i32(17).u8(1).u8(0).str('ß').build();
    expect(encodeInbound({ type: 'REGISTRATION_RESULT', connectionId: 17, connectionSuccess: true, isReadonly: true, errorMessage: 'ß' })).toEqual(hand);
    const car = carUpdate(0);
    const decoded = decodeOk(car);
    expect(encodeInbound(decoded)).toEqual(car);
  });

  it('refuse a gear the byte cannot carry', () => {
    const m = inboundSamples.find((s) => s.type === 'REALTIME_CAR_UPDATE')!;
    expect(() => encodeInbound({ ...m, gear: -3 } as InboundMessage)).toThrow(/^gear: expected an integer in \[0, 255\], got -1$/);
    expect(() => encodeInbound({ ...m, gear: 254 } as InboundMessage)).toThrow(/gear/);
  });
});
