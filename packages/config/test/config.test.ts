import { ConfigError, EnvReader } from '@pitwall/config';

const reader = (env: Record<string, string>) => new EnvReader(env);

describe('EnvReader', () => {
  it('returns defaults for unset or blank variables', () => {
    const e = reader({ BLANK: '  ' });
    expect(e.int('MISSING', { default: 5 })).toBe(5);
    expect(e.string('BLANK', { default: 'x' })).toBe('x');
    expect(e.has('BLANK')).toBe(false);
  });

  it('names the variable, what it expected and what it got', () => {
    const e = reader({ WS_PORT: '80a', KAFKA_BROKERS: 'kafka', LOG_LEVEL: 'loud', RATE: 'NaN' });
    expect(() => e.port('WS_PORT')).toThrow(new ConfigError('WS_PORT', 'an integer from 0 to 65535', '80a'));
    expect(() => e.port('WS_PORT')).toThrow('WS_PORT: expected an integer from 0 to 65535, got "80a"');
    expect(() => e.hostPorts('KAFKA_BROKERS')).toThrow('KAFKA_BROKERS: expected a comma-separated list of host:port, got "kafka"');
    expect(() => e.oneOf('LOG_LEVEL', ['info', 'debug'])).toThrow('LOG_LEVEL: expected one of info, debug, got "loud"');
    expect(() => e.number('RATE')).toThrow(ConfigError);
    expect(() => e.string('REQUIRED')).toThrow('REQUIRED: expected a non-empty string, got nothing');
  });

  it('parses ranges, booleans, lists, host:port lists, pairs and URLs', () => {
    const e = reader({
      N: '70000',
      B: 'Yes',
      L: 'a, b,,c',
      K: 'k1:9092, [::1]:9093,kafka-2.local:19092',
      T: 'ac=tok1,phone=tok2',
      U: 'ws://feed.example:8080/x',
    });
    expect(() => e.port('N')).toThrow('N: expected an integer from 0 to 65535, got "70000"');
    expect(e.int('N', { max: 100_000 })).toBe(70000);
    expect(e.bool('B')).toBe(true);
    expect(e.list('L')).toEqual(['a', 'b', 'c']);
    expect(e.hostPorts('K')).toEqual(['k1:9092', '[::1]:9093', 'kafka-2.local:19092']);
    expect(e.pairs('T')).toEqual({ ac: 'tok1', phone: 'tok2' });
    expect(e.url('U', { protocols: ['ws:', 'wss:'] })).toBe('ws://feed.example:8080/x');
    expect(() => e.url('U')).toThrow('U: expected a URL (http: or https:)');
    expect(() => reader({ K: 'k1:99999' }).hostPorts('K')).toThrow(ConfigError);
    expect(() => reader({ T: 'novalue=' }).pairs('T')).toThrow(ConfigError);
  });
});
