import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Bus } from '@pitwall/bus';
import { FramePublisher } from '@pitwall/collector-kit';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { Health, Stoppable } from '@pitwall/service';
import type { CollectorF1Config } from './config';
import { F1Intake } from './intake';
import { IntakeMetrics } from './intake-metrics';
import { SessionAnnouncer } from './session-announcer';
import { SessionRegistry } from './session-registry';

export interface CollectorF1Deps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: CollectorF1Config;
}

export interface CollectorF1 extends Stoppable {
  /** The bound UDP port (config.port, or the one the OS chose for port 0). */
  readonly port: number;
  /** Sessions held in memory now. */
  readonly sessions: number;
  /** Frames waiting for the bus. */
  readonly queuedFrames: number;
  /** Sessions whose SessionInfo waits for the bus. */
  readonly pendingSessionInfos: number;
}

const SOURCE = 'f1';
const HEALTH_CHECK = 'collector-f1';
/** Idle sweep, gauges: once a second is plenty and keeps the per-datagram path free of them. */
const TICK_MS = 1000;

export async function startCollectorF1(deps: CollectorF1Deps): Promise<CollectorF1> {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'collector-f1' });
  const metrics = new IntakeMetrics(deps.metrics);
  const producer = deps.bus.producer();
  const publisher = new FramePublisher({
    producer,
    topic: deps.topics.telemetry,
    source: SOURCE,
    metrics: deps.metrics,
    logger,
    maxQueuedFrames: config.maxQueuedFrames,
  });
  const announcer = new SessionAnnouncer(producer, deps.topics.sessions, logger, (n) => metrics.sessionInfosPublished(n));
  const registry = new SessionRegistry(config.maxSessions, config.sessionIdleMs, (session, reason) => {
    metrics.sessionEvicted(reason);
    announcer.forget(session);
    logger.info('F1 session forgotten', { sessionId: session.id, reason, track: session.track });
  });

  const intake = new F1Intake({ registry, publisher, announcer, metrics, logger });

  const socket = dgram.createSocket({ type: config.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: config.recvBufferBytes });
  let socketError: Error | null = null;
  socket.on('message', (datagram: Buffer) => intake.onDatagram(datagram));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`collector-f1: UDP ${config.host}:${config.port} is already in use (set F1_UDP_PORT to another port)`) : err),
      );
      socket.bind(config.port, config.host, () => resolve());
    });
  } catch (err) {
    socket.close();
    await producer.close();
    throw err;
  }
  socket.removeAllListeners('error');
  socket.on('error', (err) => {
    socketError = err;
    logger.error('F1 UDP socket failed', { err });
  });
  const port = (socket.address() as AddressInfo).port;
  logger.info('listening for F1 23/24/25 UDP', { host: config.host, port, recvBufferBytes: socket.getRecvBufferSize() });

  const tick = setInterval(() => {
    registry.sweep(Date.now());
    metrics.sessionCount(registry.size);
    metrics.publishLastDatagram();
  }, TICK_MS);
  tick.unref();

  deps.health.register(HEALTH_CHECK, () => {
    const now = Date.now();
    return {
      // No game sending is not a fault of this process; a failed socket is.
      status: socketError ? 'down' : 'ok',
      detail: {
        listening: `${config.host}:${port}`,
        sessionsSeen: registry.started,
        sessionsActive: registry.size,
        lastPacketAt: metrics.lastPacketAtMs ? new Date(metrics.lastPacketAtMs).toISOString() : null,
        packetsPerSecond: metrics.packetsPerSecond(now),
        queuedFrames: publisher.queuedFrames,
        ...(socketError ? { error: socketError.message } : {}),
      },
    };
  });

  return {
    port,
    get sessions() {
      return registry.size;
    },
    get queuedFrames() {
      return publisher.queuedFrames;
    },
    get pendingSessionInfos() {
      return announcer.pendingCount;
    },
    async stop() {
      clearInterval(tick);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      metrics.flush();
      await publisher.drain();
      await announcer.drain();
      await producer.close();
      deps.health.unregister(HEALTH_CHECK);
    },
  };
}
