import type { HandshakeResponse, RTCarInfo, RTLap } from '@pitwall/ac-udp';
import type { Bus } from '@pitwall/bus';
import { FramePublisher, LinkMetrics, SequenceAssigner } from '@pitwall/collector-kit';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { nowMicros } from '@pitwall/proto';
import type { Health, Stoppable } from '@pitwall/service';
import { AC_LINK_STATES, AcLink, type AcLinkState } from './ac-link';
import type { CollectorAcConfig } from './config';
import { AC_PLAYER_CAR_ID, carInfoFrame, lapTimeMs } from './frame';
import { AcSessionTracker } from './session';

export interface CollectorAcDeps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: CollectorAcConfig;
}

export interface CollectorAc extends Stoppable {
  /** The collector's own UDP port (ephemeral; the game's is config.gamePort). */
  readonly localPort: number;
  readonly state: AcLinkState;
  /** The current session id, null before the first handshake response. */
  readonly sessionId: string | null;
}

const SOURCE = 'ac';

export async function startCollectorAc(deps: CollectorAcDeps): Promise<CollectorAc> {
  const { config, metrics } = deps;
  const logger = deps.logger.child({ component: 'collector-ac' });
  if (config.legacyVariablesUsed.length > 0) {
    logger.warn('read old variable names; rename them to AC_HOST / AC_PORT', { variables: config.legacyVariablesUsed });
  }
  const producer = deps.bus.producer();
  const publisher = new FramePublisher({ producer, topic: deps.topics.telemetry, source: SOURCE, metrics, logger, maxQueuedFrames: config.maxQueuedFrames });
  const sequences = new SequenceAssigner();
  const sessions = new AcSessionTracker();
  const link = new LinkMetrics<AcLinkState>(metrics, SOURCE, AC_LINK_STATES);
  const handshakes = metrics.counter('pitwall_collector_handshakes_total', 'Handshakes with the game, sent and answered', ['source', 'result']);
  const sessionsStarted = metrics.counter('pitwall_collector_sessions_started_total', 'Sessions started (new track, car or driver)', ['source']);
  const laps = metrics.counter('pitwall_collector_laps_total', 'Completed laps reported by the game (RTLap)', ['source', 'car']);

  let lastLapMs: number | undefined;
  let spotLaps = 0;

  const onHandshake = (r: HandshakeResponse) => {
    handshakes.inc({ source: SOURCE, result: 'answered' });
    const { session, started } = sessions.onHandshake(r);
    if (started) {
      sessionsStarted.inc({ source: SOURCE });
      lastLapMs = undefined;
      spotLaps = 0;
      logger.info('AC session started', { sessionId: session.id, track: r.trackName, config: r.trackConfig, car: r.carName, driver: r.driverName });
    } else {
      logger.info('AC answered again; same session', { sessionId: session.id });
    }
  };

  const onCarInfo = (info: RTCarInfo) => {
    // The link delivers car data only after a handshake response, which started a session.
    const session = sessions.session!;
    lastLapMs = lapTimeMs(info.lastLapMs) ?? lastLapMs;
    const receivedAtUs = nowMicros();
    publisher.offer(
      carInfoFrame(info, {
        session,
        sequence: sequences.assign(session.id, AC_PLAYER_CAR_ID),
        receivedAtUs,
        maxSteerDeg: config.maxSteerDeg,
        lastLapMs,
        spotLaps: config.subscribeSpot ? spotLaps : undefined,
      }),
    );
  };

  const onLap = (lap: RTLap) => {
    const session = sessions.session;
    const isPlayer = session !== null && lap.driverName === session.driverName && lap.carName === session.carModel;
    laps.inc({ source: SOURCE, car: isPlayer ? 'player' : 'other' });
    if (isPlayer) {
      spotLaps++;
      lastLapMs = lapTimeMs(lap.timeMs) ?? lastLapMs;
    }
    logger.info('AC lap completed', { sessionId: session?.id, car: lap.carIdentifierNumber, driver: lap.driverName, lap: lap.lap, timeMs: lap.timeMs, player: isPlayer });
  };

  const acLink = new AcLink(
    config,
    {
      handshake: onHandshake,
      carInfo: onCarInfo,
      lap: onLap,
      accepted: (kind) => link.accept(kind),
      dropped: (reason, detail) => {
        link.drop(reason);
        logger.debug('AC datagram dropped', { reason, detail });
      },
      state: (state) => {
        link.setState(state);
        logger.info('AC link state', { state });
      },
      handshakeSent: () => handshakes.inc({ source: SOURCE, result: 'sent' }),
    },
    logger,
  );
  link.setState(acLink.state);

  deps.health.register('collector-ac', () => ({
    // No game running is not a fault of this process, but worth seeing on a pit-wall screen.
    status: acLink.state === 'streaming' ? 'ok' : 'degraded',
    detail: {
      state: acLink.state,
      game: `${config.gameHost}:${config.gamePort}`,
      localPort: acLink.localPort,
      sessionId: sessions.session?.id ?? null,
      lastPacketAt: acLink.lastDataAtMs ? new Date(acLink.lastDataAtMs).toISOString() : null,
      queuedFrames: publisher.queuedFrames,
    },
  }));

  await acLink.start();

  return {
    get localPort() {
      return acLink.localPort;
    },
    get state() {
      return acLink.state;
    },
    get sessionId() {
      return sessions.session?.id ?? null;
    },
    async stop() {
      await acLink.stop();
      await publisher.drain();
      await producer.close();
      deps.health.unregister('collector-ac');
    },
  };
}
