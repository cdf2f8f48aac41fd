import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Bus } from '@pitwall/bus';
import { FramePublisher } from '@pitwall/collector-kit';
import { decodePacket, isMenuHeader, MAX_CARS, PacketId, type DecodedHeader, type Packet } from '@pitwall/f1-udp';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { nowMicros } from '@pitwall/proto';
import type { Health, Stoppable } from '@pitwall/service';
import type { CollectorF1Config } from './config';
import { carFrame } from './frame';
import { IntakeMetrics } from './intake-metrics';
import { SessionAnnouncer } from './session-announcer';
import { SessionRegistry } from './session-registry';
import type { F1Session } from './session-state';

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
}

const SOURCE = 'f1';
const HEALTH_CHECK = 'collector-f1';
/** Idle sweep, gauges: once a second is plenty and keeps the per-datagram path free of them. */
const TICK_MS = 1000;

export async function startCollectorF1(deps: CollectorF1Deps): Promise<CollectorF1> {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'collector-f1' });
  const intake = new IntakeMetrics(deps.metrics);
  const producer = deps.bus.producer();
  const publisher = new FramePublisher({
    producer,
    topic: deps.topics.telemetry,
    source: SOURCE,
    metrics: deps.metrics,
    logger,
    maxQueuedFrames: config.maxQueuedFrames,
  });
  const announcer = new SessionAnnouncer(producer, deps.topics.sessions, logger, (n) => intake.sessionInfosPublished(n));
  const registry = new SessionRegistry(config.maxSessions, config.sessionIdleMs, (session, reason) => {
    intake.sessionEvicted(reason);
    logger.info('F1 session forgotten', { sessionId: session.id, reason, track: session.track });
  });

  const publishFrames = (session: F1Session, header: DecodedHeader, packet: Extract<Packet, { id: typeof PacketId.CarTelemetry }>) => {
    const ingestTimeUs = nowMicros();
    const resetsBefore = session.sequence.resets;
    const sequence = session.sequence.next(header.overallFrameIdentifier);
    if (session.sequence.resets !== resetsBefore) {
      intake.sequenceReset();
      logger.warn('F1 frame identifier went back; sequence continues from a fallback base', { sessionId: session.id, overallFrameIdentifier: header.overallFrameIdentifier, sequence });
    }
    const timing = { sequence, ingestTimeUs, sourceTimeUs: session.clock.toWallUs(header.sessionTime, ingestTimeUs), sessionTimeS: header.sessionTime };
    for (let i = 0; i < MAX_CARS; i++) {
      if (session.isActive(i, header)) publisher.offer(carFrame(session, i, packet.carTelemetryData[i]!, timing));
    }
  };

  /** Joins one decoded packet into its session; frames for car telemetry. */
  const apply = (header: DecodedHeader, packet: Packet, nowMs: number) => {
    if (isMenuHeader(header)) {
      intake.menuPacket();
      return;
    }
    const { session, started } = registry.resolve(header, nowMs, nowMicros());
    if (started) {
      intake.sessionStarted();
      logger.info('F1 session started', { sessionId: session.id, packetFormat: header.packetFormat, gameVersion: session.gameVersion });
      announcer.announce(session);
    }
    switch (packet.id) {
      case PacketId.Motion:
        for (let i = 0; i < MAX_CARS; i++) session.motion[i] = packet.carMotionData[i];
        break;
      case PacketId.Session:
        if (session.applySession(packet)) announcer.announce(session);
        break;
      case PacketId.LapData:
        session.applyLapData(packet.lapData);
        break;
      case PacketId.Event:
        if (packet.code === 'SEND' && !session.ended) {
          session.ended = true;
          announcer.announce(session);
        }
        break;
      case PacketId.Participants:
        if (session.applyParticipants(packet)) announcer.announce(session);
        break;
      case PacketId.CarTelemetry:
        publishFrames(session, header, packet);
        break;
      case PacketId.CarStatus:
        for (let i = 0; i < MAX_CARS; i++) session.status[i] = packet.carStatusData[i];
        break;
      case PacketId.CarDamage:
        for (let i = 0; i < MAX_CARS; i++) session.damage[i] = packet.carDamageData[i];
        break;
      default:
        // Setups, classification, lobby, history, tyre sets, motion ex, time trial, lap
        // positions: validated by the decoder, not part of a frame.
        break;
    }
  };

  const onDatagram = (datagram: Buffer) => {
    const nowMs = Date.now();
    intake.received(nowMs);
    const decoded = decodePacket(datagram);
    if (!decoded.ok) {
      intake.dropped(decoded.reason);
      logger.debug('F1 datagram dropped', { reason: decoded.reason, detail: decoded.detail });
      return;
    }
    try {
      apply(decoded.header, decoded.packet, nowMs);
    } catch (err) {
      // A bug of ours must not take the socket down with it: count the datagram as dropped.
      intake.dropped('processing_failed');
      logger.error('F1 packet could not be applied', { packetFormat: decoded.header.packetFormat, packetId: decoded.packet.id, err });
      return;
    }
    intake.accepted(decoded.header.packetFormat, decoded.packet.id);
  };

  const socket = dgram.createSocket({ type: config.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: config.recvBufferBytes });
  let socketError: Error | null = null;
  socket.on('message', onDatagram);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`collector-f1: UDP ${config.host}:${config.port} is already in use (set F1_UDP_PORT to another port)`) : err),
    );
    socket.bind(config.port, config.host, () => resolve());
  });
  socket.removeAllListeners('error');
  socket.on('error', (err) => {
    socketError = err;
    logger.error('F1 UDP socket failed', { err });
  });
  const port = (socket.address() as AddressInfo).port;
  logger.info('listening for F1 23/24/25 UDP', { host: config.host, port, recvBufferBytes: socket.getRecvBufferSize() });

  const tick = setInterval(() => {
    registry.sweep(Date.now());
    intake.sessionCount(registry.size);
    intake.publishLastDatagram();
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
        lastPacketAt: intake.lastPacketAtMs ? new Date(intake.lastPacketAtMs).toISOString() : null,
        packetsPerSecond: intake.packetsPerSecond(now),
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
    async stop() {
      clearInterval(tick);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await publisher.drain();
      await announcer.drain();
      await producer.close();
      deps.health.unregister(HEALTH_CHECK);
    },
  };
}
