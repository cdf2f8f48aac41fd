import { ChannelMapper, DEFAULT_MAPPING, type PointDefaults } from '@pitwall/channel-map';
import { SequenceAssigner } from '@pitwall/collector-kit';
import { Source } from '@pitwall/proto';
import { readEnvelope } from '../src/envelope';

// The message shapes WebSocket peers send, reduced to points and mapped as collector-http does
// (the mapping's own tests are in packages/channel-map).
const origin: PointDefaults = { source: Source.SOURCE_DEVICE_WS, sourceName: 'teamA' };
const NOW = 1_800_000_000_000_000;
const mapper = () => new ChannelMapper(DEFAULT_MAPPING, { sequences: new SequenceAssigner() });

function points(message: unknown): unknown[] {
  const env = readEnvelope(message);
  if (env.kind !== 'points') throw new Error(`expected points, got ${env.kind}`);
  return env.points;
}

describe('seed message shapes', () => {
  test('a seed device message (imei, ms timestamp, nested data with position)', () => {
    const env = readEnvelope({ type: 'telemetry_data', imei: '123456789012345', timestamp: 1703123456789, data: { engineRpm: 2500, speed: 65, fuelLevel: 75, position: { latitude: 40.7128, longitude: -74.006 } } });
    expect(env.kind).toBe('points');
    const f = mapper().map((env as { points: unknown[] }).points[0], origin, NOW);
    expect(f).toMatchObject({ carId: '123456789012345', rpm: 2500, speedKmh: 65, sourceTimeUs: 1703123456789000 });
    expect(f.extras).toEqual({ fuelLevel: 75, 'position.latitude': 40.7128, 'position.longitude': -74.006 });
  });

  test('a seed partner message: each car inherits the top-level time and lap', () => {
    const frames = points({ timestamp: '2024-03-17T14:30:45.123Z', lap: 26, cars: [{ car_id: '44', driver: 'Hamilton', speed: 301.2 }, { car_id: '16', lap: 25, speed: 299 }] }).map((p) => mapper().map(p, origin, NOW));
    expect(frames.map((f) => [f.carId, f.lap, f.speedKmh, f.driverName])).toEqual([
      ['44', 26, 301.2, 'Hamilton'],
      ['16', 25, 299, undefined],
    ]);
    expect(frames[0]!.sourceTimeUs).toBe(Date.parse('2024-03-17T14:30:45.123Z') * 1000);
  });

  test('the seed realtime broadcast, heartbeats and registration', () => {
    expect(points({ type: 'telemetry_update', data: [{ chassis: 'a' }, { chassis: 'b' }] })).toEqual([{ chassis: 'a' }, { chassis: 'b' }]);
    expect(readEnvelope({ type: 'heartbeat', id: 3 })).toEqual({ kind: 'heartbeat', id: 3 });
    expect(readEnvelope({ type: 'register_device', imei: 12345 })).toEqual({ kind: 'register', id: undefined, deviceId: '12345' });
  });
});

describe('messages that carry no points', () => {
  test('another type is named, not read as a point (the seed feed also sends insight_update)', () => {
    expect(readEnvelope({ type: 'insight_update', data: [{ chassis: 'GR86-1', lap: 3 }] })).toEqual({ kind: 'other', id: undefined, type: 'insight_update' });
  });

  test('a telemetry message without data is refused, naming the field', () => {
    expect(() => readEnvelope({ type: 'telemetry_data', data: 'x' })).toThrow(/^data: a telemetry_data message needs data/);
    expect(() => readEnvelope({ type: 'telemetry' })).toThrow(/^data:/);
  });
});
