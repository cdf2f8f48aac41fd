import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Bus, Consumer, IncomingMessage } from '@pitwall/bus';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { codecs, nowMicros, Source, type Command } from '@pitwall/proto';
import type { Health, Stoppable } from '@pitwall/service';
import type { WsBridgeConfig } from './config';
import { LiveHub } from './live-hub';
import { RecentFrames } from './recent';
import { historyRoutes } from './history-routes';
import { checkToken, HttpError, startBridgeServer, type Route } from './server';

export interface WsBridgeDeps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: WsBridgeConfig;
  /** The history database (what the db-writer fills), for /api/sessions and replays; null = none. */
  pool: Pool | null;
}

export interface RunningWsBridge extends Stoppable {
  port: number;
  hub: LiveHub;
}

/**
 * Reads the live topics from their end (a group of its own per process start, so a restart never
 * floods viewers with stale data nor waits for a crashed predecessor's session to expire; it
 * commits nothing, so Kafka removes the group once it is empty) and fans them out to browsers.
 */
export async function startWsBridge(deps: WsBridgeDeps): Promise<RunningWsBridge> {
  const { bus, topics, logger, metrics, config } = deps;
  const hub = new LiveHub({
    logger,
    metrics,
    maxPointsPerCar: config.maxPointsPerCar,
    maxViewerBufferBytes: config.maxViewerBufferBytes,
    hardViewerBufferBytes: config.hardViewerBufferBytes,
    maxCarsPerWindow: config.maxCarsPerWindow,
  });
  const recent = new RecentFrames(config.recentMaxFrames, config.recentMaxAgeMs);
  const undecodable = metrics.counter('pitwall_ws_undecodable_messages_total', 'Bus messages the bridge could not decode (skipped: the durable consumers dead-letter them)', ['topic']);
  const producer = bus.producer({ maxBufferedMessages: 1000 });

  const decodeOrSkip = <T>(m: IncomingMessage, decode: (b: Uint8Array) => T): T | null => {
    try {
      return decode(m.value);
    } catch {
      undecodable.inc({ topic: m.topic });
      return null;
    }
  };

  const handlers: Record<string, (m: IncomingMessage) => void> = {
    [topics.telemetry]: (m) => {
      const f = decodeOrSkip(m, codecs.frame.decode);
      if (!f) return;
      recent.add(m.value);
      hub.addFrame(f);
    },
    [topics.insights]: (m) => {
      const i = decodeOrSkip(m, codecs.insight.decode);
      if (i) hub.insight(i);
    },
    [topics.laps]: (m) => {
      const l = decodeOrSkip(m, codecs.lap.decode);
      if (l) hub.lap(l);
    },
    [topics.alerts]: (m) => {
      const a = decodeOrSkip(m, codecs.alert.decode);
      if (a) hub.alert(a);
    },
    [topics.sessions]: (m) => {
      const s = decodeOrSkip(m, codecs.session.decode);
      if (s) hub.session(s);
    },
  };

  const consumer: Consumer = bus.consumer({ groupId: config.groupId, topics: Object.keys(handlers), live: true, maxBatchMessages: 5000 });
  await consumer.run(async (batch) => {
    const handle = handlers[batch.topic]!;
    for (const m of batch.messages) handle(m);
    if (config.batchMs === 0 && batch.topic === topics.telemetry) hub.flush();
  });
  const flusher = config.batchMs > 0 ? setInterval(() => hub.flush(), config.batchMs) : null;

  const commandsRoute: Route = async (req, url, body) => {
    if (config.adminTokens.length === 0) throw new HttpError(403, 'forbidden', 'commands need ADMIN_TOKENS to be configured');
    checkToken(config.adminTokens, req, url, 'commands');
    const command = parseCommand(await body());
    await producer.send(topics.commands, [{ key: command.sessionId!, value: codecs.command.encode(command) }]);
    logger.info('command published', { commandId: command.commandId, sessionId: command.sessionId });
    return { status: 202, json: { success: true, command_id: command.commandId } };
  };

  const server = await startBridgeServer({
    config,
    hub,
    recent,
    logger,
    metrics,
    health: deps.health,
    pool: deps.pool,
    routes: { 'POST /api/commands': commandsRoute, ...historyRoutes(config, deps.pool) },
  });
  if (!deps.pool) logger.warn('no database: /api/sessions and replays answer 503 until DATABASE_URL is set');
  deps.health.register('ws-bridge', () => ({ status: 'ok', detail: { viewers: hub.viewers.size, recentFrames: recent.size, port: server.port } }));

  return {
    port: server.port,
    hub,
    async stop() {
      await consumer.stop();
      if (flusher) clearInterval(flusher);
      hub.flush();
      await server.close();
      await producer.close();
    },
  };
}

/** POST /api/commands body → Command. Only ACC takes commands today. */
export function parseCommand(input: unknown): Command {
  if (!input || typeof input !== 'object') throw new HttpError(400, 'bad_request', 'body must be a JSON object');
  const b = input as Record<string, unknown>;
  if (typeof b.session_id !== 'string' || !b.session_id) throw new HttpError(400, 'bad_request', 'session_id (string) is required');
  const optIndex = (name: string) => {
    const v = b[name];
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < 0) throw new HttpError(400, 'bad_request', `${name} must be a non-negative integer`);
    return v as number;
  };
  const str = (name: string) => (typeof b[name] === 'string' ? (b[name] as string) : '');
  const base: Command = { commandId: randomUUID(), sessionId: b.session_id, target: Source.SOURCE_ACC, issuedAtUs: nowMicros(), issuedBy: str('issued_by') || 'api' };
  switch (b.action) {
    case 'change_focus':
      return { ...base, changeFocus: { carIndex: optIndex('car_index'), cameraSet: str('camera_set'), camera: str('camera') } };
    case 'change_hud_page':
      if (!str('page')) throw new HttpError(400, 'bad_request', 'page (string) is required for change_hud_page');
      return { ...base, changeHudPage: { page: str('page') } };
    case 'instant_replay': {
      const start = Number(b.start_session_time_s);
      const duration = Number(b.duration_s);
      if (!Number.isFinite(start) || !Number.isFinite(duration) || duration <= 0) {
        throw new HttpError(400, 'bad_request', 'instant_replay needs start_session_time_s and a positive duration_s');
      }
      return { ...base, instantReplay: { startSessionTimeS: start, durationS: duration, carIndex: optIndex('car_index'), cameraSet: str('camera_set'), camera: str('camera') } };
    }
    default:
      throw new HttpError(400, 'bad_request', 'action must be change_focus, change_hud_page or instant_replay');
  }
}
