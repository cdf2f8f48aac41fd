import type { EnvReader } from '@pitwall/config';

export interface CollectorF1Config {
  /** Address the UDP socket binds (the game sends to it). */
  host: string;
  /** UDP port the game is told to send to (the game's own default is 20777). */
  port: number;
  /**
   * Kernel receive buffer asked for (SO_RCVBUF). The game bursts several packets per frame; a
   * larger buffer rides out event-loop pauses. Linux caps it at net.core.rmem_max.
   */
  recvBufferBytes: number;
  /** Sessions kept at once (one per rig); beyond it the least recently heard one is forgotten. */
  maxSessions: number;
  /** A session silent this long is forgotten (a rig in the menus or switched off). */
  sessionIdleMs: number;
  /** Frames held while the bus is slow; beyond it the oldest are dropped and counted. */
  maxQueuedFrames: number;
}

export function loadCollectorF1Config(env: EnvReader): CollectorF1Config {
  return {
    host: env.string('F1_UDP_HOST', { default: '0.0.0.0' }),
    port: env.port('F1_UDP_PORT', { default: 20777 }),
    recvBufferBytes: env.int('F1_UDP_RECV_BUFFER_BYTES', { default: 4 * 1024 * 1024, min: 65_536, max: 256 * 1024 * 1024 }),
    maxSessions: env.int('F1_MAX_SESSIONS', { default: 64, min: 1, max: 10_000 }),
    sessionIdleMs: env.int('F1_SESSION_IDLE_MS', { default: 120_000, min: 100, max: 86_400_000 }),
    maxQueuedFrames: env.int('F1_MAX_QUEUED_FRAMES', { default: 50_000, min: 1, max: 10_000_000 }),
  };
}
