import * as fs from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { codecs, decodeFrame, DecodeError, encodeFrame, Source, type TelemetryFrame } from '@pitwall/proto';

const protoText = fs.readFileSync(path.resolve(__dirname, '../../../proto/pitwall/v1/telemetry.proto'), 'utf8');

const sample: TelemetryFrame = {
  sessionId: '18446744073709551615',
  source: Source.SOURCE_F1,
  carId: '7',
  driverName: 'Räikkönen',
  track: 'silverstone',
  sequence: 123456789,
  sourceTimeUs: 1_763_596_800_123_456,
  ingestTimeUs: 1_763_596_800_124_000,
  lap: 12,
  lapDistanceM: 1234.5,
  speedKmh: 301.25,
  throttle: 1,
  brake: 0,
  gear: -1,
  worldPositionM: { x: 1, y: -2, z: 3.5 },
  tyreSurfaceTempC: { rl: 95, rr: 96, fl: 101, fr: 102 },
  extras: { pbrake_r: 12.5, VBOX_Lat_Min: 33.5 },
};

describe('TelemetryFrame codec', () => {
  it('round-trips every kind of field, 64-bit values as plain numbers', () => {
    const back = decodeFrame(encodeFrame(sample));
    expect(back.sessionId).toBe(sample.sessionId);
    expect(back.sequence).toBe(123456789);
    expect(typeof back.sourceTimeUs).toBe('number');
    expect(back.sourceTimeUs).toBe(1_763_596_800_123_456);
    expect(back.gear).toBe(-1);
    expect(back.brake).toBe(0);
    expect(back.speedKmh).toBeCloseTo(301.25, 5);
    expect(back.tyreSurfaceTempC).toMatchObject({ rl: 95, rr: 96, fl: 101, fr: 102 });
    expect(back.extras).toEqual({ pbrake_r: 12.5, VBOX_Lat_Min: 33.5 });
  });

  it('keeps an absent optional channel distinct from zero', () => {
    const back = decodeFrame(encodeFrame({ sessionId: 's', carId: 'c', brake: 0 }));
    expect(back.brake).toBe(0);
    expect(Object.prototype.hasOwnProperty.call(back, 'brake')).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(back, 'throttle')).toBe(false);
  });

  it('decodes a frame written by a newer schema with unknown fields (forward compatibility)', () => {
    // The next version of the schema adds a scalar, a message and a repeated field.
    const newer = protoText.replace(
      'map<string, double> extras = 40;',
      'map<string, double> extras = 40;\n  double ers_store_j = 41;\n  Vec3 velocity_ms = 42;\n  repeated string flags = 43;',
    );
    const root = protobuf.parse(newer, { keepCase: false }).root;
    const NewFrame = root.lookupType('pitwall.v1.TelemetryFrame');
    const bytes = NewFrame.encode(
      NewFrame.fromObject({ ...sample, ersStoreJ: 4e6, velocityMs: { x: 80, y: 1, z: 0 }, flags: ['yellow', 'drs'] }),
    ).finish();
    const old = decodeFrame(bytes);
    expect(old.sessionId).toBe(sample.sessionId);
    expect(old.carId).toBe('7');
    expect(old.lap).toBe(12);
    expect(old.extras).toEqual(sample.extras);
    expect(old.worldPositionM).toMatchObject({ x: 1, y: -2, z: 3.5 });
  });

  it('rejects malformed bytes and frames without identity with a DecodeError', () => {
    expect(() => decodeFrame(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).toThrow(DecodeError);
    expect(() => decodeFrame(encodeFrame({ sessionId: 's' }))).toThrow(/missing carId/);
    expect(() => decodeFrame(Buffer.from('not a protobuf at all, just text'))).toThrow(DecodeError);
  });

  it('renders JSON with enum names', () => {
    const json = codecs.frame.toJSON(sample);
    expect(json.source).toBe('SOURCE_F1');
    expect(json.sessionId).toBe(sample.sessionId);
  });
});
