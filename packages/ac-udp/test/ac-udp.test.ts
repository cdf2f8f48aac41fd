import {
  AC_CLIENT_IDENTITY,
  AcOperation,
  classifyDatagram,
  decodeCarInfo,
  decodeHandshakeResponse,
  decodeHandshaker,
  decodeLap,
  encodeCarInfo,
  encodeHandshakeResponse,
  encodeHandshaker,
  encodeLap,
  type HandshakeResponse,
  type RTCarInfo,
  type RTLap,
} from '@pitwall/ac-udp';
import { carInfoDatagram, putWchar, wheels } from './spec';

function ok<T>(result: { ok: true; value: T } | { ok: false; reason: string; detail: string }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  return result.value;
}

describe('handshaker (12 bytes, client → game)', () => {
  it.each(Object.entries(AcOperation))('%s is i32 identifier, i32 version, i32 operationId %i', (_name, op) => {
    const hand = Buffer.alloc(12);
    hand.writeInt32LE(1, 0);
    hand.writeInt32LE(1, 4);
    hand.writeInt32LE(op, 8);
    expect(encodeHandshaker({ ...AC_CLIENT_IDENTITY, operationId: op })).toEqual(hand);
    expect(ok(decodeHandshaker(hand))).toEqual({ identifier: 1, version: 1, operationId: op });
  });

  it('rejects an unknown operation and a wrong length without throwing', () => {
    const b = Buffer.alloc(12);
    b.writeInt32LE(4, 8);
    expect(decodeHandshaker(b)).toMatchObject({ ok: false, reason: 'unknown_operation' });
    expect(decodeHandshaker(Buffer.alloc(11))).toEqual({ ok: false, reason: 'unexpected_length', detail: 'handshaker is 12 bytes, got 11' });
    expect(decodeHandshaker(Buffer.alloc(16))).toMatchObject({ ok: false, reason: 'unexpected_length' });
  });
});

describe('handshake response (408 bytes, wchar_t[50] strings)', () => {
  function response(): Buffer {
    const b = Buffer.alloc(408, 0x41); // junk everywhere the game does not write
    putWchar(b, 0, 'ks_ferrari_488_gt3', [0x25, 0, 0, 0x4a, 0x55, 0x4e, 0x4b]); // '%', NULs, then junk "JUNK"
    putWchar(b, 100, 'Kimi Räikkönen', [0x25, 0x42, 0x42]); // junk straight after the '%'
    b.writeInt32LE(4242, 200);
    b.writeInt32LE(1, 204);
    putWchar(b, 208, 'spa', [0, 0x25, 0x43]); // NUL first: cut there
    putWchar(b, 308, '', [0x25, 0x44]); // empty
    return b;
  }

  it('reads each string up to the first % or NUL, ignoring the junk after it', () => {
    expect(ok(decodeHandshakeResponse(response()))).toEqual({
      carName: 'ks_ferrari_488_gt3',
      driverName: 'Kimi Räikkönen',
      identifier: 4242,
      version: 1,
      trackName: 'spa',
      trackConfig: '',
    });
  });

  it('reads a full 50-unit string that has no terminator, and non-BMP characters', () => {
    const b = response();
    putWchar(b, 0, 'x'.repeat(50), []);
    putWchar(b, 100, 'Ünal 🏁 名前', [0x25]);
    const r = ok(decodeHandshakeResponse(b));
    expect(r.carName).toBe('x'.repeat(50));
    expect(r.driverName).toBe('Ünal 🏁 名前');
    expect(r.identifier).toBe(4242); // the full carName did not run into driverName
  });

  it('is written the game way: text, %, NULs', () => {
    const value: HandshakeResponse = { carName: 'abarth500', driverName: 'Zoë', identifier: 4242, version: 1, trackName: 'monza', trackConfig: '' };
    const bytes = encodeHandshakeResponse(value);
    const hand = Buffer.alloc(408);
    putWchar(hand, 0, 'abarth500');
    putWchar(hand, 100, 'Zoë');
    hand.writeInt32LE(4242, 200);
    hand.writeInt32LE(1, 204);
    putWchar(hand, 208, 'monza');
    putWchar(hand, 308, '');
    expect(bytes).toEqual(hand);
    expect(ok(decodeHandshakeResponse(bytes))).toEqual(value);
  });

  it('refuses strings the wire cannot carry', () => {
    const base: HandshakeResponse = { carName: '', driverName: '', identifier: 4242, version: 1, trackName: '', trackConfig: '' };
    expect(() => encodeHandshakeResponse({ ...base, carName: 'y'.repeat(51) })).toThrow(/^carName: 51 UTF-16 units, the field holds 50$/);
    expect(() => encodeHandshakeResponse({ ...base, trackName: '100% fun' })).toThrow(/trackName: '%' and NUL end the string/);
    expect(() => encodeHandshakeResponse({ ...base, trackConfig: 'a\0b' })).toThrow(/trackConfig/);
    expect(encodeHandshakeResponse({ ...base, carName: 'z'.repeat(50) }).length).toBe(408);
  });
});

describe('RTCarInfo (328 bytes)', () => {
  it('reads every field at its offset; junk in the padding does not leak into the identifier', () => {
    const c = ok(decodeCarInfo(carInfoDatagram({ gearRaw: 4, paddingByte: 0x7f })));
    expect(c).toEqual({
      identifier: 'a', size: 328,
      speedKmh: 201.5, speedMph: 125.25, speedMs: 55.75,
      isAbsEnabled: true, isAbsInAction: false, isTcInAction: true, isTcEnabled: true, isInPit: false, isEngineLimiterOn: true,
      accGVertical: 0.25, accGHorizontal: -1.5, accGFrontal: 2.75,
      lapTimeMs: 61_234, lastLapMs: 98_765, bestLapMs: 97_001, lapCount: 12,
      gas: 0.875, brake: 0.125, clutch: 1, engineRpm: 7250, steer: -0.5,
      gear: 3, gearRaw: 4,
      cgHeight: 0.3125,
      wheelAngularSpeed: wheels(0), slipAngle: wheels(1), slipAngleContactPatch: wheels(2), slipRatio: wheels(3),
      tyreSlip: wheels(4), ndSlip: wheels(5), load: wheels(6), dy: wheels(7), mz: wheels(8), tyreDirtyLevel: wheels(9),
      camberRad: wheels(10), tyreRadius: wheels(11), tyreLoadedRadius: wheels(12), suspensionHeight: wheels(13),
      carPositionNormalized: 0.5, carSlope: -0.0625, carCoordinates: [-512.5, 12.25, 1024],
    });
  });

  it.each([
    [0, -1, 'reverse'],
    [1, 0, 'neutral'],
    [2, 1, 'first'],
    [7, 6, 'sixth'],
  ])('raw gear %i is normalised to %i (%s)', (raw, gear) => {
    expect(ok(decodeCarInfo(carInfoDatagram({ gearRaw: raw })))).toMatchObject({ gear, gearRaw: raw });
  });

  it('rejects a datagram whose first byte is not "a", and wrong lengths', () => {
    expect(decodeCarInfo(carInfoDatagram({ gearRaw: 2, identifierByte: 0x62 }))).toEqual({
      ok: false, reason: 'bad_identifier', detail: 'RTCarInfo identifier is "b", expected \'a\'',
    });
    expect(decodeCarInfo(carInfoDatagram({ gearRaw: 2 }).subarray(0, 327))).toMatchObject({ ok: false, reason: 'unexpected_length' });
  });

  it('round-trips through the encoder, which zeroes the padding', () => {
    const decoded = ok(decodeCarInfo(carInfoDatagram({ gearRaw: 0 })));
    const bytes = encodeCarInfo(decoded);
    expect([...bytes.subarray(1, 4), ...bytes.subarray(26, 28)]).toEqual([0, 0, 0, 0, 0]);
    expect(ok(decodeCarInfo(bytes))).toEqual(decoded);
    // the hand-built datagram with clean padding, and its bool byte 7 written back as 1
    const hand = carInfoDatagram({ gearRaw: 0, paddingByte: 0 });
    hand.writeUInt8(1, 25);
    expect(bytes).toEqual(hand);
  });

  it('encodes from the normalised gear alone, and refuses a gearRaw that disagrees', () => {
    const { gearRaw: _raw, ...withoutRaw } = ok(decodeCarInfo(carInfoDatagram({ gearRaw: 3 })));
    expect(encodeCarInfo({ ...withoutRaw, gear: -1 }).readInt32LE(76)).toBe(0);
    expect(() => encodeCarInfo({ ...withoutRaw, gear: 2, gearRaw: 2 })).toThrow(/^gearRaw: 2 disagrees with gear 2/);
  });

  it('refuses arrays of the wrong length and integers out of range', () => {
    const c = ok(decodeCarInfo(carInfoDatagram({ gearRaw: 2 })));
    expect(() => encodeCarInfo({ ...c, load: [1, 2, 3] as unknown as RTCarInfo['load'] })).toThrow(/^load: expected 4 numbers, got 3$/);
    expect(() => encodeCarInfo({ ...c, lapCount: 2 ** 31 })).toThrow(/^lapCount: expected an int32/);
    expect(() => encodeCarInfo({ ...c, identifier: 'ab' })).toThrow(/^identifier/);
  });
});

describe('RTLap (212 bytes)', () => {
  function lap(): Buffer {
    const b = Buffer.alloc(212, 0x99);
    b.writeInt32LE(3, 0);
    b.writeInt32LE(17, 4);
    putWchar(b, 8, 'Ayrton', [0x25, 0, 0x5a5a]);
    putWchar(b, 108, 'ks_mclaren_mp4', [0x25]);
    b.writeInt32LE(83_456, 208);
    return b;
  }

  it('reads car id, lap, two wchar_t[50] names and the time', () => {
    expect(ok(decodeLap(lap()))).toEqual({ carIdentifierNumber: 3, lap: 17, driverName: 'Ayrton', carName: 'ks_mclaren_mp4', timeMs: 83_456 });
  });

  it('round-trips', () => {
    const value: RTLap = { carIdentifierNumber: -1, lap: 0, driverName: '', carName: 'Ω'.repeat(50), timeMs: 2147483647 };
    expect(ok(decodeLap(encodeLap(value)))).toEqual(value);
  });
});

describe('classifyDatagram', () => {
  it('tells the three game replies apart by length', () => {
    const response = encodeHandshakeResponse({ carName: 'c', driverName: 'd', identifier: 4242, version: 1, trackName: 't', trackConfig: '' });
    expect(classifyDatagram(response)).toMatchObject({ ok: true, kind: 'handshakeResponse', value: { carName: 'c' } });
    expect(classifyDatagram(carInfoDatagram({ gearRaw: 1 }))).toMatchObject({ ok: true, kind: 'carInfo', value: { gear: 0 } });
    expect(classifyDatagram(encodeLap({ carIdentifierNumber: 1, lap: 2, driverName: 'a', carName: 'b', timeMs: 3 })))
      .toMatchObject({ ok: true, kind: 'lap', value: { lap: 2 } });
  });

  it('reports other lengths and a bad car-info identifier without throwing', () => {
    expect(classifyDatagram(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'unexpected_length' });
    expect(classifyDatagram(Buffer.alloc(12))).toMatchObject({ ok: false, reason: 'unexpected_length', detail: expect.stringContaining('12 bytes') });
    expect(classifyDatagram(Buffer.alloc(328))).toMatchObject({ ok: false, reason: 'bad_identifier' });
  });

  it('reads from a Uint8Array view into a larger buffer', () => {
    const car = carInfoDatagram({ gearRaw: 2 });
    const outer = new Uint8Array(400);
    outer.set(car, 30);
    expect(classifyDatagram(outer.subarray(30, 30 + 328))).toMatchObject({ ok: true, kind: 'carInfo', value: { gear: 1, speedKmh: 201.5 } });
  });
});
