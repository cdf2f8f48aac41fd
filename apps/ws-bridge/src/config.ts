import * as os from 'node:os';
import * as path from 'node:path';
import type { EnvReader } from '@pitwall/config';

export interface WsBridgeConfig {
  port: number;
  host: string;
  path: string;
  /** Tokens a viewer may present; none = open (logged at start). */
  viewerTokens: string[];
  /** Tokens for POST /api/broadcast and /api/commands; none = those endpoints refuse. */
  adminTokens: string[];
  batchMs: number;
  maxPointsPerCar: number;
  maxViewerBufferBytes: number;
  hardViewerBufferBytes: number;
  heartbeatMs: number;
  recentMaxFrames: number;
  recentMaxAgeMs: number;
  maxViewers: number;
  maxCarsPerWindow: number;
  /** Each instance reads live data in a group of its own, from the end. */
  groupId: string;
  /** The built dashboard, served at `/`. */
  dashboardDir: string;
}

/** Names follow the older servers where they had one (WS_PORT, MAX_WS_BUFFER, RINGBUFFER_SIZE). */
export function loadWsBridgeConfig(env: EnvReader): WsBridgeConfig {
  const maxViewerBufferBytes = env.int('MAX_WS_BUFFER', { default: 2_000_000, min: 16_384 });
  return {
    port: env.port('WS_PORT', { default: 8080 }),
    host: env.string('WS_HOST', { default: '0.0.0.0' }),
    path: env.string('WS_PATH', { default: '/ws/realtime' }),
    viewerTokens: env.list('VIEWER_TOKENS', { default: [] }),
    adminTokens: env.list('ADMIN_TOKENS', { default: [] }),
    batchMs: env.int('WS_BATCH_MS', { default: 300, min: 0, max: 10_000 }),
    maxPointsPerCar: env.int('WS_MAX_POINTS_PER_CAR', { default: 40, min: 2, max: 10_000 }),
    maxViewerBufferBytes,
    hardViewerBufferBytes: env.int('MAX_WS_BUFFER_HARD', { default: maxViewerBufferBytes * 4, min: maxViewerBufferBytes }),
    heartbeatMs: env.int('WS_HEARTBEAT_MS', { default: 15_000, min: 100 }),
    recentMaxFrames: env.int('RINGBUFFER_SIZE', { default: 20_000, min: 10, max: 5_000_000 }),
    recentMaxAgeMs: env.int('RECENT_MAX_AGE_MS', { default: 120_000, min: 1000 }),
    maxViewers: env.int('WS_MAX_VIEWERS', { default: 5_000, min: 1 }),
    maxCarsPerWindow: env.int('WS_MAX_CARS', { default: 10_000, min: 1 }),
    groupId: env.string('WS_BRIDGE_GROUP', { default: `pitwall-ws-bridge-${os.hostname()}-${process.pid}` }),
    // Both src/ (tests) and dist/ (built) sit two levels below apps/.
    dashboardDir: env.string('DASHBOARD_DIR', { default: path.resolve(__dirname, '../../dashboard/dist') }),
  };
}
