import type { FramePublisher } from '@pitwall/collector-kit';
import { decodePacket, isMenuHeader, MAX_CARS, PacketId, type CarTelemetryPacket, type DecodedHeader, type Packet } from '@pitwall/f1-udp';
import type { Logger } from '@pitwall/logger';
import { nowMicros } from '@pitwall/proto';
import { carFrame } from './frame';
import type { IntakeMetrics } from './intake-metrics';
import type { SessionAnnouncer } from './session-announcer';
import type { SessionRegistry } from './session-registry';
import type { F1Session } from './session-state';

export interface F1IntakeParts {
  registry: SessionRegistry;
  publisher: FramePublisher;
  announcer: SessionAnnouncer;
  metrics: IntakeMetrics;
  logger: Logger;
}

/**
 * What happens to one datagram: decode (the codec picks the layout by packet format and checks
 * the length), count, join into its session, and for car telemetry offer one frame per active car.
 * Never throws and never waits: the socket calls it for every datagram.
 */
export class F1Intake {
  constructor(private readonly parts: F1IntakeParts) {}

  onDatagram(datagram: Buffer): void {
    const { metrics, logger } = this.parts;
    const nowMs = Date.now();
    metrics.received(nowMs);
    const decoded = decodePacket(datagram);
    if (!decoded.ok) {
      metrics.dropped(decoded.reason);
      logger.debug('F1 datagram dropped', { reason: decoded.reason, detail: decoded.detail });
      return;
    }
    try {
      this.apply(decoded.header, decoded.packet, nowMs);
    } catch (err) {
      // A bug of ours must not take the socket down with it: count the datagram as dropped.
      metrics.dropped('processing_failed');
      logger.error('F1 packet could not be applied', { packetFormat: decoded.header.packetFormat, packetId: decoded.packet.id, err });
      return;
    }
    metrics.accepted(decoded.header.packetFormat, decoded.packet.id);
  }

  /** Joins one decoded packet into its session; frames for car telemetry. */
  private apply(header: DecodedHeader, packet: Packet, nowMs: number): void {
    const { registry, announcer, metrics, logger } = this.parts;
    if (isMenuHeader(header)) {
      metrics.menuPacket();
      return;
    }
    const { session, started } = registry.resolve(header, nowMs);
    if (started) {
      metrics.sessionStarted();
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
        this.publishFrames(session, header, packet);
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
  }

  private publishFrames(session: F1Session, header: DecodedHeader, packet: CarTelemetryPacket): void {
    const { publisher, metrics, logger } = this.parts;
    const ingestTimeUs = nowMicros();
    const resetsBefore = session.sequence.resets;
    const sequence = session.sequence.next(header.overallFrameIdentifier);
    if (session.sequence.resets !== resetsBefore) {
      metrics.sequenceReset();
      logger.warn('F1 frame identifier went back; sequence continues from a fallback base', {
        sessionId: session.id,
        overallFrameIdentifier: header.overallFrameIdentifier,
        sequence,
      });
    }
    const timing = { sequence, ingestTimeUs, sourceTimeUs: session.clock.toWallUs(header.sessionTime, ingestTimeUs), sessionTimeS: header.sessionTime };
    for (let i = 0; i < MAX_CARS; i++) {
      if (session.isActive(i, header)) publisher.offer(carFrame(session, i, packet.carTelemetryData[i]!, timing));
    }
  }
}
