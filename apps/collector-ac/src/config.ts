import { AC_UDP_PORT } from '@pitwall/ac-udp';
import type { EnvReader } from '@pitwall/config';

export interface CollectorAcConfig {
  /** Where the game listens (AC is the server; the collector sends from its own ephemeral port). */
  gameHost: string;
  gamePort: number;
  /** Also subscribe to spot events (RTLap, one per completed lap of any car). */
  subscribeSpot: boolean;
  /** How long to wait for the 408-byte handshake response before trying again. */
  handshakeTimeoutMs: number;
  /** No RTCarInfo for this long while subscribed: the game went away, handshake again. */
  dataTimeoutMs: number;
  /** Backoff between handshake attempts: doubles from initial up to max, with jitter. */
  retryInitialMs: number;
  retryMaxMs: number;
  /**
   * RTCarInfo's `steer` is the steering-wheel angle in degrees. The frame's `steer` is
   * angle / maxSteerDeg clamped to −1..1; 450° is half of the 900° lock most road and GT cars use.
   */
  maxSteerDeg: number;
  /** Frames held while the bus is slow; beyond it the oldest are dropped and counted. */
  maxQueuedFrames: number;
  /** Old variable names that were read because the new ones were unset (logged at start). */
  legacyVariablesUsed: string[];
}

/** Reads the new name, else the name the earlier collector used (kept so old .env files work). */
function withLegacy<T>(env: EnvReader, name: string, legacy: string, used: string[], read: (name: string) => T): T {
  if (!env.has(name) && env.has(legacy)) {
    used.push(legacy);
    return read(legacy);
  }
  return read(name);
}

export function loadCollectorAcConfig(env: EnvReader): CollectorAcConfig {
  const legacyVariablesUsed: string[] = [];
  const retryInitialMs = env.int('AC_RETRY_INITIAL_MS', { default: 1000, min: 1, max: 600_000 });
  return {
    gameHost: withLegacy(env, 'AC_HOST', 'TELEMETRY_UDP_HOST', legacyVariablesUsed, (n) => env.string(n, { default: '127.0.0.1' })),
    gamePort: withLegacy(env, 'AC_PORT', 'TELEMETRY_UDP_PORT', legacyVariablesUsed, (n) => env.int(n, { default: AC_UDP_PORT, min: 1, max: 65535 })),
    subscribeSpot: env.bool('AC_SUBSCRIBE_SPOT', { default: false }),
    handshakeTimeoutMs: env.int('AC_HANDSHAKE_TIMEOUT_MS', { default: 2000, min: 10, max: 600_000 }),
    dataTimeoutMs: env.int('AC_DATA_TIMEOUT_MS', { default: 5000, min: 10, max: 600_000 }),
    retryInitialMs,
    retryMaxMs: env.int('AC_RETRY_MAX_MS', { default: 30_000, min: retryInitialMs, max: 3_600_000 }),
    maxSteerDeg: env.number('AC_MAX_STEER_DEG', { default: 450, min: 1, max: 1800 }),
    maxQueuedFrames: env.int('AC_MAX_QUEUED_FRAMES', { default: 50_000, min: 1, max: 10_000_000 }),
    legacyVariablesUsed,
  };
}
