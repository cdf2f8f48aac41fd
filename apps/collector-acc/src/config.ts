import type { EnvReader } from '@pitwall/config';

export interface CollectorAccConfig {
  /** The game's broadcasting port (broadcasting.json `updListenerPort`); the collector never binds it. */
  gameHost: string;
  gamePort: number;
  /** Shown in the game's list of broadcasting clients. */
  displayName: string;
  /** broadcasting.json `connectionPassword`; a wrong one gets a refusal with the game's message. */
  connectionPassword: string;
  /** broadcasting.json `commandPassword`; without the right one the game takes the client as read-only and ignores commands. */
  commandPassword: string;
  /** How often the game sends realtime updates (one REALTIME_CAR_UPDATE per car each time). */
  updateIntervalMs: number;
  /** How long to wait for REGISTRATION_RESULT before trying again. */
  registerTimeoutMs: number;
  /** No realtime update for this long while registered: register again. */
  dataTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Least time between two entry-list (and track-data) requests, as Kunos' client does (1 s). */
  requestMinIntervalMs: number;
  /** Consumer group reading the `commands` topic. */
  commandsGroup: string;
  /** Frames held while the bus is slow; beyond it the oldest are dropped and counted. */
  maxQueuedFrames: number;
}

export function loadCollectorAccConfig(env: EnvReader): CollectorAccConfig {
  const updateIntervalMs = env.int('ACC_UPDATE_INTERVAL_MS', { default: 250, min: 1, max: 60_000 });
  const retryInitialMs = env.int('ACC_RETRY_INITIAL_MS', { default: 1000, min: 1, max: 600_000 });
  return {
    gameHost: env.string('ACC_HOST', { default: '127.0.0.1' }),
    gamePort: env.int('ACC_UDP_PORT', { default: 9000, min: 1, max: 65535 }),
    displayName: env.string('ACC_DISPLAY_NAME', { default: 'pitwall' }),
    // Kunos' default broadcasting.json ships "asd".
    connectionPassword: env.string('ACC_CONNECTION_PASSWORD', { default: 'asd' }),
    commandPassword: env.optionalString('ACC_COMMAND_PASSWORD') ?? '',
    updateIntervalMs,
    registerTimeoutMs: env.int('ACC_REGISTER_TIMEOUT_MS', { default: 3000, min: 10, max: 600_000 }),
    // At least two update intervals, or a healthy link would look silent between updates.
    dataTimeoutMs: env.int('ACC_DATA_TIMEOUT_MS', { default: Math.max(10_000, updateIntervalMs * 10), min: updateIntervalMs * 2, max: 3_600_000 }),
    retryInitialMs,
    retryMaxMs: env.int('ACC_RETRY_MAX_MS', { default: 30_000, min: retryInitialMs, max: 3_600_000 }),
    requestMinIntervalMs: env.int('ACC_REQUEST_MIN_INTERVAL_MS', { default: 1000, min: 0, max: 600_000 }),
    commandsGroup: env.string('ACC_COMMANDS_GROUP', { default: 'pitwall-collector-acc' }),
    maxQueuedFrames: env.int('ACC_MAX_QUEUED_FRAMES', { default: 50_000, min: 1, max: 10_000_000 }),
  };
}
