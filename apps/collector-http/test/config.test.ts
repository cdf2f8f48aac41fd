import { ConfigError, EnvReader } from '@pitwall/config';
import { loadCollectorHttpConfig } from '../src/config';

const load = (env: Record<string, string>) => loadCollectorHttpConfig(new EnvReader(env));

function variableOf(env: Record<string, string>): string {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.variable;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadCollectorHttpConfig', () => {
  test('laptop defaults: seed port 8081, UDP 20778, open ingest, no partner', () => {
    const c = load({});
    expect(c).toMatchObject({ port: 8081, host: '0.0.0.0', tokens: {}, maxBodyBytes: 10 * 1024 * 1024, partner: null });
    expect(c.udp).toMatchObject({ port: 20778, source: 'udp', csvHeader: null, recvBufferBytes: 4 * 1024 * 1024 });
    expect(c.mapping).toEqual({ brakeFullScaleBar: 100, steerFullScaleDeg: 450, maxExtras: 256 });
  });

  test('PORT (the seed name) is honoured; INGEST_PORT wins over it', () => {
    expect(load({ PORT: '9000' }).port).toBe(9000);
    expect(load({ PORT: '9000', INGEST_PORT: '9100' }).port).toBe(9100);
  });

  test('tokens per source, a CSV header, a partner feed, UDP off', () => {
    const c = load({
      INGEST_TOKENS: 'teamA=aaaaaaaa1,teamB=bbbbbbbb2',
      UDP_CSV_HEADER: 'vehicle_id, timestamp ,speed',
      PARTNER_WS_URL: 'wss://feed.example/live',
      UDP_ENABLED: 'false',
    });
    expect(c.tokens).toEqual({ teamA: 'aaaaaaaa1', teamB: 'bbbbbbbb2' });
    expect(c.udp.csvHeader).toEqual(['vehicle_id', 'timestamp', 'speed']);
    expect(c.udp.port).toBeNull();
    expect(c.partner).toMatchObject({ url: 'wss://feed.example/live', source: 'partner', reconnectMinMs: 500, reconnectMaxMs: 30_000, sendSince: true });
  });

  test('a malformed INGEST_TOKENS never quotes a token in the error', () => {
    for (const value of ['teamA:supersecret1', 'teamA=tiny', 'teamA=supersecret1,teamB=supersecret1']) {
      try {
        load({ INGEST_TOKENS: value });
        throw new Error('expected a ConfigError');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).not.toMatch(/supersecret1|tiny/);
      }
    }
  });

  test.each([
    [{ INGEST_TOKENS: 'teamA' }, 'INGEST_TOKENS'],
    [{ INGEST_TOKENS: 'teamA=short' }, 'INGEST_TOKENS'],
    [{ INGEST_TOKENS: 'teamA=same-token,teamB=same-token' }, 'INGEST_TOKENS'],
    [{ INGEST_TOKENS: 'team a=aaaaaaaa1' }, 'INGEST_TOKENS'],
    [{ INGEST_TOKENS: 'teamA=aaaaaaaa1,teamA=bbbbbbbb2' }, 'INGEST_TOKENS'],
    [{ INGEST_PORT: '70000' }, 'INGEST_PORT'],
    [{ DEVICE_HEARTBEAT_MS: '1000', DEVICE_STALE_MS: '1000' }, 'DEVICE_STALE_MS'],
    [{ STEER_FULL_SCALE_DEG: '0' }, 'STEER_FULL_SCALE_DEG'],
    [{ BRAKE_FULL_SCALE_BAR: '-1' }, 'BRAKE_FULL_SCALE_BAR'],
    [{ INGEST_MAX_BODY_BYTES: '2048', INGEST_MAX_STREAM_BYTES: '1024' }, 'INGEST_MAX_STREAM_BYTES'],
    [{ PARTNER_WS_URL: 'http://feed.example/' }, 'PARTNER_WS_URL'],
    [{ PARTNER_WS_URL: 'ws://f/', PARTNER_RECONNECT_MIN_MS: '5000', PARTNER_RECONNECT_MAX_MS: '1000' }, 'PARTNER_RECONNECT_MAX_MS'],
    [{ UDP_SOURCE: 'has space' }, 'UDP_SOURCE'],
    [{ UDP_ENABLED: 'maybe' }, 'UDP_ENABLED'],
  ])('%j is refused naming %s', (env, variable) => {
    expect(variableOf(env)).toBe(variable);
  });
});
