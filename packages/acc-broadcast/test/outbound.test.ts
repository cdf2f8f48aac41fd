// Client → game datagrams: the encoder must write exactly what Kunos' SDK writes
// (RequestConnection, Disconnect, RequestEntryList, RequestTrackData, RequestHUDPage,
// SetFocusInternal, RequestInstantReplay), and the game-side decoder must read them back.
import { BROADCASTING_PROTOCOL_VERSION, decodeOutbound, encodeOutbound, outbound, type OutboundMessage } from '@pitwall/acc-broadcast';
import { Bytes } from './bytes';
import { outboundSamples } from './samples';

const cases: Array<[string, OutboundMessage, Buffer]> = [
  [
    'REGISTER',
    { type: 'REGISTER', protocolVersion: BROADCASTING_PROTOCOL_VERSION, displayName: 'Pitwall ✓', connectionPassword: 'asd', msRealtimeUpdateInterval: 250, commandPassword: '' },
    new Bytes().u8(1).u8(4).str('Pitwall ✓').str('asd').i32(250).str('').build(),
  ],
  ['UNREGISTER (type byte only)', { type: 'UNREGISTER' }, Buffer.from([9])],
  ['REQUEST_ENTRY_LIST', { type: 'REQUEST_ENTRY_LIST', connectionId: 7 }, new Bytes().u8(10).i32(7).build()],
  ['REQUEST_TRACK_DATA', { type: 'REQUEST_TRACK_DATA', connectionId: -2 }, new Bytes().u8(11).i32(-2).build()],
  ['CHANGE_HUD_PAGE', { type: 'CHANGE_HUD_PAGE', connectionId: 7, hudPage: 'Basic HUD' }, new Bytes().u8(49).i32(7).str('Basic HUD').build()],
  [
    'CHANGE_FOCUS car only',
    { type: 'CHANGE_FOCUS', connectionId: 7, carIndex: 1001, camera: null },
    new Bytes().u8(50).i32(7).u8(1).u16(1001).u8(0).build(),
  ],
  [
    'CHANGE_FOCUS camera only',
    { type: 'CHANGE_FOCUS', connectionId: 7, carIndex: null, camera: { cameraSet: 'Onboard', camera: 'Onboard0' } },
    new Bytes().u8(50).i32(7).u8(0).u8(1).str('Onboard').str('Onboard0').build(),
  ],
  [
    'CHANGE_FOCUS neither',
    { type: 'CHANGE_FOCUS', connectionId: 7, carIndex: null, camera: null },
    new Bytes().u8(50).i32(7).u8(0).u8(0).build(),
  ],
  [
    'INSTANT_REPLAY_REQUEST',
    { type: 'INSTANT_REPLAY_REQUEST', connectionId: 7, startSessionTime: 600_000, durationMs: 10_000, initialFocusedCarIndex: -1, initialCameraSet: '', initialCamera: '' },
    new Bytes().u8(51).i32(7).f32(600_000).f32(10_000).i32(-1).str('').str('').build(),
  ],
];

describe('outbound messages', () => {
  it('have a round-trip sample and an SDK byte case for every outbound message type', () => {
    const all = new Set(outbound.names.values());
    expect(new Set(outboundSamples.map((m) => m.type))).toEqual(all);
    expect(new Set(cases.map(([, m]) => m.type))).toEqual(all);
    expect([...outbound.names.keys()].sort((a, b) => a - b)).toEqual([1, 9, 10, 11, 49, 50, 51]);
  });

  it.each(cases)('%s: encoder writes the SDK bytes', (_name, message, bytes) => {
    expect(encodeOutbound(message)).toEqual(bytes);
  });

  it.each(cases)('%s: game side decodes the SDK bytes', (_name, message, bytes) => {
    expect(decodeOutbound(bytes)).toEqual({ ok: true, message, trailingBytes: 0 });
  });

  it.each(outboundSamples.map((m, i) => [`${m.type}#${i}`, m] as const))('%s round-trips', (_name, message) => {
    expect(decodeOutbound(encodeOutbound(message)))
      .toEqual({ ok: true, message, trailingBytes: 0 });
  });

  it('UNREGISTER from a client that appends its connection id still decodes, with 4 trailing bytes', () => {
    expect(decodeOutbound(new Bytes().u8(9).i32(7).build())).toEqual({ ok: true, message: { type: 'UNREGISTER' }, trailingBytes: 4 });
  });

  it('REGISTER cut inside the command password is truncated, naming it', () => {
    const full = new Bytes().u8(1).u8(4).str('a').str('b').i32(100).str('secret').build();
    const result = decodeOutbound(full.subarray(0, full.length - 2));
    expect(result).toMatchObject({ ok: false, reason: 'truncated' });
    expect(!result.ok && result.detail).toMatch(/REGISTER .*commandPassword needs 6 bytes/);
  });

  it('inbound-only type bytes are unknown on the outbound side', () => {
    expect(decodeOutbound(Buffer.from([2, 0, 0]))).toMatchObject({ ok: false, reason: 'unknown_type' });
    expect(decodeOutbound(Buffer.from([52]))).toMatchObject({ ok: false, reason: 'unknown_type' });
  });

  it('encoding refuses an unknown type and a car index the u16 cannot carry', () => {
    expect(() => encodeOutbound({ type: 'NOPE' } as unknown as OutboundMessage)).toThrow(/unknown message type NOPE/);
    expect(() => encodeOutbound({ type: 'CHANGE_FOCUS', connectionId: 1, carIndex: 65536, camera: null }))
      .toThrow(/^carIndex: expected an integer in \[0, 65535\], got 65536$/);
    expect(() => encodeOutbound({ type: 'REQUEST_ENTRY_LIST', connectionId: 2 ** 31 })).toThrow(/connectionId/);
  });
});
