import type { InboundMessage, RealtimeCarUpdate } from '@pitwall/acc-broadcast';
import type { Bus } from '@pitwall/bus';
import { FramePublisher, LinkMetrics, SequenceAssigner } from '@pitwall/collector-kit';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { nowMicros } from '@pitwall/proto';
import type { Health, Stoppable } from '@pitwall/service';
import { ACC_LINK_STATES, AccLink, type AccLinkState } from './acc-link';
import { startCommandConsumer } from './commands';
import type { CollectorAccConfig } from './config';
import { carUpdateFrame } from './frame';
import { RaceState } from './race-state';

export interface CollectorAccDeps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: CollectorAccConfig;
}

export interface CollectorAcc extends Stoppable {
  /** The collector's own UDP port (ephemeral; never the game's config.gamePort). */
  readonly localPort: number;
  readonly state: AccLinkState;
  /** The current session id, null until registered and the track is known. */
  readonly sessionId: string | null;
}

const SOURCE = 'acc';

/** Message type → metrics kind label. */
const kindOf = (m: InboundMessage) => m.type.toLowerCase();

export async function startCollectorAcc(deps: CollectorAccDeps): Promise<CollectorAcc> {
  const { config, metrics } = deps;
  const logger = deps.logger.child({ component: 'collector-acc' });
  const producer = deps.bus.producer();
  const publisher = new FramePublisher({ producer, topic: deps.topics.telemetry, source: SOURCE, metrics, logger, maxQueuedFrames: config.maxQueuedFrames });
  const sequences = new SequenceAssigner();
  const race = new RaceState();
  const link = new LinkMetrics<AccLinkState>(metrics, SOURCE, ACC_LINK_STATES);
  const registrations = metrics.counter('pitwall_collector_registrations_total', 'Registrations with the game, by result', ['source', 'result']);
  const requests = metrics.counter('pitwall_collector_requests_total', 'Entry-list and track-data requests sent, by reason', ['source', 'request', 'reason']);
  const skipped = metrics.counter('pitwall_collector_updates_without_frame_total', 'Car updates that made no frame, by reason', ['source', 'reason']);

  // At most one request of each kind per requestMinIntervalMs, like Kunos' client.
  const lastRequestAt = { entryList: 0, trackData: 0 };
  const request = (what: 'entryList' | 'trackData', reason: string) => {
    const now = Date.now();
    if (now - lastRequestAt[what] < config.requestMinIntervalMs) return;
    lastRequestAt[what] = now;
    requests.inc({ source: SOURCE, request: what, reason });
    void accLink
      .request({ type: what === 'entryList' ? 'REQUEST_ENTRY_LIST' : 'REQUEST_TRACK_DATA' })
      .catch((err: Error) => logger.info(`could not request ${what}`, { err: err.message }));
  };

  const onCarUpdate = (u: RealtimeCarUpdate) => {
    const stale = race.staleEntryReason(u);
    if (stale) request('entryList', stale);
    const sessionId = race.sessionId();
    if (!sessionId || !race.track) {
      skipped.inc({ source: SOURCE, reason: 'awaiting_track_data' });
      request('trackData', 'awaiting_track_data');
      return;
    }
    publisher.offer(
      carUpdateFrame(u, {
        sessionId,
        sequence: sequences.assign(sessionId, String(u.carIndex)),
        receivedAtUs: nowMicros(),
        track: race.track,
        car: race.car(u.carIndex),
        realtime: race.realtime,
      }),
    );
  };

  const onMessage = (m: InboundMessage) => {
    link.accept(kindOf(m));
    switch (m.type) {
      case 'REALTIME_CAR_UPDATE':
        onCarUpdate(m);
        break;
      case 'REALTIME_UPDATE':
        race.onRealtimeUpdate(m);
        break;
      case 'ENTRY_LIST':
        race.onEntryList(m);
        logger.info('ACC entry list', { cars: m.carIndexes.length });
        break;
      case 'ENTRY_LIST_CAR':
        if (!race.onEntryListCar(m)) logger.debug('ACC entry for a car not in the entry list ignored', { carIndex: m.carIndex });
        break;
      case 'TRACK_DATA': {
        const before = race.sessionId();
        race.onTrackData(m);
        if (race.sessionId() !== before) logger.info('ACC session', { sessionId: race.sessionId(), track: m.trackName, trackMeters: m.trackMeters });
        break;
      }
      case 'BROADCASTING_EVENT':
        logger.info('ACC event', { eventType: m.eventType, message: m.message, carId: m.carId, timeMs: m.timeMs });
        break;
      case 'REGISTRATION_RESULT':
        break;
    }
  };

  const accLink = new AccLink(
    config,
    {
      registered: () => {
        race.reset(Date.now());
        lastRequestAt.entryList = lastRequestAt.trackData = 0;
        request('entryList', 'registered');
        request('trackData', 'registered');
      },
      message: onMessage,
      dropped: (reason, detail) => {
        link.drop(reason);
        logger.debug('ACC datagram dropped', { reason, detail });
      },
      state: (state) => {
        link.setState(state);
        logger.info('ACC link state', { state });
      },
      registration: (result) => registrations.inc({ source: SOURCE, result }),
    },
    logger,
  );
  link.setState(accLink.state);

  deps.health.register('collector-acc', () => ({
    status: accLink.state === 'connected' ? 'ok' : 'degraded',
    detail: {
      state: accLink.state,
      game: `${config.gameHost}:${config.gamePort}`,
      localPort: accLink.localPort,
      connectionId: accLink.connectionId,
      sessionId: race.sessionId(),
      lastPacketAt: accLink.lastUpdateAtMs ? new Date(accLink.lastUpdateAtMs).toISOString() : null,
      queuedFrames: publisher.queuedFrames,
    },
  }));

  await accLink.start();
  const commands = await startCommandConsumer({
    bus: deps.bus,
    topic: deps.topics.commands,
    groupId: config.commandsGroup,
    target: { sessionId: () => race.sessionId(), send: (r) => accLink.request(r) },
    metrics,
    logger,
  });

  return {
    get localPort() {
      return accLink.localPort;
    },
    get state() {
      return accLink.state;
    },
    get sessionId() {
      return race.sessionId();
    },
    async stop() {
      await commands.stop();
      await accLink.stop();
      await publisher.drain();
      await producer.close();
      deps.health.unregister('collector-acc');
    },
  };
}
