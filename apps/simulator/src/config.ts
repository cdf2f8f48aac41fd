import { ConfigError, type EnvReader } from '@pitwall/config';
import { MAX_CARS, PACKET_FORMATS, type PacketFormat } from '@pitwall/f1-udp';

export const PROTOCOLS = ['f1', 'ac', 'acc', 'http'] as const;
/** What runs when SIM_PROTOCOLS is unset: the three game sides (http needs SIM_HTTP_URL). */
const DEFAULT_PROTOCOLS = ['f1', 'ac', 'acc'];
export type Protocol = (typeof PROTOCOLS)[number];

export interface SimulatorConfig {
  protocols: Protocol[];
  seed: number;
  /** F1 per-step packets and AC RTCarInfo a second. */
  rateHz: number;
  /** Simulated ms per real ms (1 = real time). */
  timeScale: number;
  trackLengthM: number;
  /** Lap time added per lap of tyre age, seconds: the degradation the aggregator should find. */
  degradationSPerLap: number;
  /** Where the AC and ACC game sides listen. */
  bindHost: string;
  f1: { host: string; port: number; format: PacketFormat; rigs: number; cars: number };
  ac: { port: number; cars: number };
  acc: { port: number; cars: number; password: string; commandPassword: string };
  /** Present when 'http' is selected. */
  http: { url: string; token: string | undefined; cars: number; sampleRateHz: number } | null;
}

export function loadSimulatorConfig(env: EnvReader): SimulatorConfig {
  const protocols = env.list('SIM_PROTOCOLS', { default: DEFAULT_PROTOCOLS });
  const unknown = protocols.filter((p) => !(PROTOCOLS as readonly string[]).includes(p));
  if (unknown.length > 0 || protocols.length === 0) throw new ConfigError('SIM_PROTOCOLS', `a comma-separated subset of ${PROTOCOLS.join(', ')}`, protocols.join(','));
  const [target, ...more] = env.hostPorts('SIM_F1_TARGET', { default: ['127.0.0.1:20777'] });
  if (more.length > 0) throw new ConfigError('SIM_F1_TARGET', 'one host:port', [target, ...more].join(','));
  const colon = target!.lastIndexOf(':');
  const format = Number(env.oneOf('SIM_F1_FORMAT', PACKET_FORMATS.map(String), { default: '2025' })) as PacketFormat;
  return {
    protocols: [...new Set(protocols)] as Protocol[],
    seed: env.int('SIM_SEED', { default: 1, min: 0, max: 2 ** 31 - 1 }),
    rateHz: env.int('SIM_RATE_HZ', { default: 60, min: 1, max: 1000 }),
    timeScale: env.number('SIM_TIME_SCALE', { default: 1, min: 0.01, max: 1000 }),
    trackLengthM: env.int('SIM_TRACK_LENGTH_M', { default: 5000, min: 500, max: 65_000 }),
    degradationSPerLap: env.number('SIM_TYRE_DEG_S_PER_LAP', { default: 0.08, min: 0, max: 10 }),
    bindHost: env.string('SIM_BIND_HOST', { default: '127.0.0.1' }),
    f1: {
      host: target!.slice(0, colon).replace(/^\[|\]$/g, ''),
      port: Number(target!.slice(colon + 1)),
      format,
      rigs: env.int('SIM_F1_RIGS', { default: 1, min: 1, max: 100 }),
      cars: env.int('SIM_F1_CARS', { default: MAX_CARS, min: 1, max: MAX_CARS }),
    },
    ac: {
      port: env.port('SIM_AC_PORT', { default: 9996 }),
      cars: env.int('SIM_AC_CARS', { default: 12, min: 1, max: 100 }),
    },
    acc: {
      port: env.port('SIM_ACC_PORT', { default: 9000 }),
      cars: env.int('SIM_ACC_CARS', { default: 20, min: 1, max: 100 }),
      password: env.optionalString('SIM_ACC_PASSWORD') ?? 'asd',
      commandPassword: env.optionalString('SIM_ACC_COMMAND_PASSWORD') ?? '',
    },
    http: protocols.includes('http')
      ? {
          url: env.url('SIM_HTTP_URL'),
          token: env.optionalString('SIM_HTTP_TOKEN'),
          cars: env.int('SIM_HTTP_CARS', { default: 8, min: 1, max: 100 }),
          sampleRateHz: env.int('SIM_HTTP_RATE_HZ', { default: 10, min: 1, max: 1000 }),
        }
      : null,
  };
}
