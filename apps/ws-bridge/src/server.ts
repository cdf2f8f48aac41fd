import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { Health } from '@pitwall/service';
import { opsHandler } from '@pitwall/service';
import type { WsBridgeConfig } from './config';
import { LiveHub, MESSAGE_TYPES, wants, type MessageType, type Subscription, type Viewer } from './live-hub';
import type { RecentFrames } from './recent';
import { MAX_REPLAY_SPEED, Replay } from './replay';
import { staticHandler } from './static';
import { telemetryPoint } from './wire';

/** A JSON error every endpoint answers with: an HTTP status and a reason a person can act on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    reason: string,
  ) {
    super(reason);
  }
}

export type Route = (req: http.IncomingMessage, url: URL, body: () => Promise<unknown>) => Promise<{ status?: number; json: unknown }>;

export interface BridgeServerOptions {
  config: WsBridgeConfig;
  hub: LiveHub;
  recent: RecentFrames;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  /** Routes beyond the built-in ones, by "METHOD /path" (a trailing `/*` matches a prefix). */
  routes: Record<string, Route>;
  /** The history database, for replays; null = replays answer that there is none. */
  pool: import('pg').Pool | null;
}

const MAX_BODY_BYTES = 64 * 1024;

export function bearerToken(req: http.IncomingMessage, url: URL): string | null {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  return url.searchParams.get('token');
}

/** 401 without a token, 403 with a wrong one; open when no tokens are configured. */
export function checkToken(tokens: string[], req: http.IncomingMessage, url: URL, what: string): void {
  if (tokens.length === 0) return;
  const token = bearerToken(req, url);
  if (!token) throw new HttpError(401, 'unauthorized', `${what} needs a token (Authorization: Bearer <token> or ?token=)`);
  if (!tokens.includes(token)) throw new HttpError(403, 'forbidden', `that token is not valid for ${what}`);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) throw new HttpError(415, 'unsupported_media_type', `send application/json, not ${type || 'nothing'}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'payload_too_large', `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpError(400, 'bad_json', `body is not JSON: ${(err as Error).message}`);
  }
}

function parseSubscription(input: { sessions?: unknown; cars?: unknown; types?: unknown }): Subscription {
  const set = (v: unknown, name: string): Set<string> | null => {
    if (v === undefined || v === null) return null;
    const list = typeof v === 'string' ? v.split(',').filter(Boolean) : v;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' || typeof x === 'number')) throw new Error(`${name} must be a list of strings`);
    return list.length ? new Set(list.map(String)) : null;
  };
  const types = set(input.types, 'types');
  for (const t of types ?? []) if (!(MESSAGE_TYPES as readonly string[]).includes(t)) throw new Error(`unknown message type ${t}; known: ${MESSAGE_TYPES.join(', ')}`);
  return { sessions: set(input.sessions, 'sessions'), cars: set(input.cars, 'cars'), types: types as Set<MessageType> | null };
}

const describeSub = (s: Subscription) => ({
  sessions: s.sessions ? [...s.sessions] : null,
  cars: s.cars ? [...s.cars] : null,
  types: s.types ? [...s.types] : null,
});

/**
 * The bridge's HTTP server: REST under /api, /health and /metrics, and the viewer WebSocket at
 * config.path. Every route answers JSON, errors included.
 */
export async function startBridgeServer(opts: BridgeServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const { config, hub, recent, logger } = opts;
  const ops = opsHandler(opts.health, opts.metrics);
  const dashboard = staticHandler(config.dashboardDir);
  const requests = opts.metrics.counter('pitwall_ws_http_requests_total', 'REST requests by route and status', ['route', 'status']);

  const builtIn: Record<string, Route> = {
    'GET /api/recent/*': async (req, url) => {
      checkToken(config.viewerTokens, req, url, 'recent telemetry');
      const raw = url.pathname.slice('/api/recent/'.length);
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < 1) throw new HttpError(400, 'bad_count', `n must be a positive integer, got "${raw}"`);
      return { json: { recent: recent.latest(Math.min(n, config.recentMaxFrames)).map(telemetryPoint) } };
    },
    'GET /api/connections': async (req, url) => {
      checkToken(config.viewerTokens, req, url, 'connections');
      const viewers = [...hub.viewers.values()].map((v) => ({
        id: v.id,
        remote: v.remote,
        connectedAt: v.connectedAt,
        format: v.format,
        subscription: describeSub(v.sub),
        bufferedBytes: v.ws.bufferedAmount,
        droppedTelemetryUpdates: v.droppedTelemetry,
      }));
      return { json: { success: true, data: { viewers, totalConnections: viewers.length, timestamp: Date.now() } } };
    },
    'POST /api/broadcast': async (req, url, body) => {
      if (config.adminTokens.length === 0) throw new HttpError(403, 'forbidden', 'broadcasts need ADMIN_TOKENS to be configured');
      checkToken(config.adminTokens, req, url, 'broadcasts');
      const msg = (await body()) as Record<string, unknown> | null;
      if (!msg || typeof msg !== 'object' || Array.isArray(msg)) throw new HttpError(400, 'bad_request', 'body must be an object, e.g. {"message":"box this lap"}');
      const reached = hub.broadcast(msg);
      return { json: { success: true, reached } };
    },
  };
  const routes = { ...builtIn, ...opts.routes };
  const match = (method: string, path: string): [string, Route] | undefined =>
    Object.entries(routes).find(([key]) => {
      const [m, p] = key.split(' ') as [string, string];
      if (m !== method) return false;
      return p.endsWith('/*') ? path.startsWith(p.slice(0, -1)) && path.length > p.length - 1 : p === path;
    });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    const reply = (status: number, json: unknown) => {
      if (res.headersSent) return res.end();
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(json));
    };
    void (async () => {
      if (await ops(req, res)) return;
      if (dashboard(req, res, url.pathname)) return;
      const found = match(req.method ?? 'GET', url.pathname);
      if (!found) {
        const allowed = Object.keys(routes).filter((k) => k.split(' ')[1] === url.pathname);
        if (allowed.length) throw new HttpError(405, 'method_not_allowed', `use ${allowed.map((k) => k.split(' ')[0]).join(' or ')} for ${url.pathname}`);
        throw new HttpError(404, 'not_found', `no route ${req.method} ${url.pathname}`);
      }
      const out = await found[1](req, url, () => readJson(req));
      requests.inc({ route: found[0], status: out.status ?? 200 });
      reply(out.status ?? 200, out.json);
    })().catch((err: Error) => {
      const status = err instanceof HttpError ? err.status : 500;
      const code = err instanceof HttpError ? err.code : 'internal';
      if (status === 500) logger.error('request failed', { url: req.url, err });
      requests.inc({ route: 'error', status });
      reply(status, { error: code, reason: err.message });
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://bridge');
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error: http.STATUS_CODES[status], reason })}`);
    };
    if (url.pathname !== config.path) return refuse(404, `WebSocket endpoint is ${config.path}`);
    try {
      checkToken(config.viewerTokens, req, url, 'the live stream');
    } catch (err) {
      return refuse((err as HttpError).status, (err as Error).message);
    }
    if (hub.viewers.size >= config.maxViewers) return refuse(503, `viewer limit ${config.maxViewers} reached`);
    let sub: Subscription;
    try {
      sub = parseSubscription({ sessions: url.searchParams.get('sessions') ?? undefined, cars: url.searchParams.get('cars') ?? undefined, types: url.searchParams.get('types') ?? undefined });
    } catch (err) {
      return refuse(400, (err as Error).message);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const format = url.searchParams.get('format') === 'protobuf' ? 'protobuf' : 'json';
      const viewer = hub.add(ws, format, req.socket.remoteAddress ?? '?');
      viewer.sub = sub;
      onViewer(viewer);
    });
  });

  const replays = new Map<number, Replay>();
  const endReplay = (v: Viewer) => {
    replays.get(v.id)?.stop();
    replays.delete(v.id);
  };

  function onViewer(v: Viewer): void {
    const ws: WebSocket = v.ws;
    ws.on('pong', () => (v.awaitingPong = false));
    ws.on('close', () => {
      endReplay(v);
      hub.remove(v);
    });
    ws.on('error', () => {
      endReplay(v);
      hub.remove(v);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return hub.sendTo(v, 'error', { type: 'error', reason: 'send JSON text messages' });
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString()) as Record<string, unknown>;
        if (!msg || typeof msg !== 'object') throw new Error('not an object');
      } catch {
        return hub.sendTo(v, 'error', { type: 'error', reason: 'messages are JSON objects with a "type"' });
      }
      try {
        handleViewerMessage(v, msg);
      } catch (err) {
        hub.sendTo(v, 'error', { type: 'error', reason: (err as Error).message });
      }
    });
    hub.sendTo(v, 'welcome', { type: 'welcome', viewer: v.id, format: v.format, subscription: describeSub(v.sub), batch_ms: config.batchMs });
  }

  function handleViewerMessage(v: Viewer, msg: Record<string, unknown>): void {
    switch (msg.type) {
      case 'hello':
        if (msg.format !== undefined && msg.format !== 'json' && msg.format !== 'protobuf') throw new Error('format is json or protobuf');
        if (msg.format) v.format = msg.format as 'json' | 'protobuf';
        return hub.sendTo(v, 'hello', { type: 'hello', format: v.format });
      case 'subscribe':
        v.sub = parseSubscription(msg as { sessions?: unknown; cars?: unknown; types?: unknown });
        return hub.sendTo(v, 'subscribed', { type: 'subscribed', subscription: describeSub(v.sub) });
      case 'recent': {
        const seconds = Number(msg.seconds ?? 10);
        if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('seconds must be a positive number');
        const frames = recent.latest(config.recentMaxFrames, (f) => wants(v.sub, f.sessionId!, f.carId!), Date.now() - seconds * 1000);
        return hub.sendTo(v, 'telemetry_update', { type: 'telemetry_update', data: frames.map(telemetryPoint), meta: { recent: true, seconds } }, frames);
      }
      case 'ping':
        return hub.sendTo(v, 'pong', { type: 'pong', t: msg.t ?? null });
      case 'replay':
        return startReplay(v, msg);
      case 'replay_control': {
        const r = replays.get(v.id);
        if (!r) throw new Error('no replay is playing; send {"type":"replay","session_id":…} first');
        if (msg.action === 'pause') return r.pause();
        if (msg.action === 'resume') return r.resume();
        if (msg.action === 'speed') return r.setSpeed(replaySpeed(msg.speed));
        if (msg.action === 'seek') return r.seekTo(replayTime(msg.to, 'to'));
        throw new Error('action is pause, resume, speed or seek');
      }
      case 'replay_stop':
        return endReplay(v);
      default:
        throw new Error(`unknown message type ${JSON.stringify(msg.type)}; send hello, subscribe, recent, ping, replay, replay_control or replay_stop`);
    }
  }

  function replaySpeed(raw: unknown): number {
    const speed = raw === undefined ? 1 : Number(raw);
    if (!Number.isFinite(speed) || speed <= 0 || speed > MAX_REPLAY_SPEED) throw new Error(`speed must be above 0 and at most ${MAX_REPLAY_SPEED}`);
    return speed;
  }

  /** ms since the epoch or an ISO time → µs. */
  function replayTime(raw: unknown, name: string): number {
    const ms = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (!Number.isFinite(ms)) throw new Error(`${name} must be ms since the epoch or an ISO time`);
    return Math.round(ms * 1000);
  }

  function startReplay(v: Viewer, msg: Record<string, unknown>): void {
    if (!opts.pool) throw new Error('replays need the database: the bridge has no DATABASE_URL');
    if (typeof msg.session_id !== 'string' || !msg.session_id) throw new Error('replay needs a session_id');
    endReplay(v);
    const replay = new Replay(
      opts.pool,
      v,
      hub,
      {
        sessionId: msg.session_id,
        carId: typeof msg.car === 'string' && msg.car ? msg.car : undefined,
        speed: replaySpeed(msg.speed),
        fromUs: msg.from === undefined ? undefined : replayTime(msg.from, 'from'),
      },
      config.maxPointsPerCar,
      logger,
    );
    replays.set(v.id, replay);
    replay.start().then(
      (found) => {
        if (!found) {
          replays.delete(v.id);
          hub.sendTo(v, 'error', { type: 'error', reason: `no stored frames for session ${String(msg.session_id)}` });
        }
      },
      (err: Error) => {
        replays.delete(v.id);
        logger.error('replay failed to start', { sessionId: msg.session_id, err });
        hub.sendTo(v, 'error', { type: 'error', reason: `replay failed: ${err.message}` });
      },
    );
  }

  // Heartbeats: a viewer that did not answer the previous ping is gone (a half-open TCP
  // connection would otherwise hold its buffer for hours).
  const heartbeat = setInterval(() => {
    for (const v of hub.viewers.values()) {
      if (v.awaitingPong) {
        logger.info('viewer missed a heartbeat; disconnecting', { viewer: v.id, remote: v.remote });
        v.ws.terminate();
        hub.remove(v);
        continue;
      }
      v.awaitingPong = true;
      v.ws.ping();
    }
  }, config.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new Error(`ws-bridge: port ${config.port} is in use (set WS_PORT)`) : err));
    server.listen(config.port, config.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  if (config.viewerTokens.length === 0) logger.warn('no VIEWER_TOKENS configured: the live stream and REST are open to anyone who can reach the port');
  logger.info('ws-bridge listening', { port, path: config.path });

  return {
    port,
    async close() {
      clearInterval(heartbeat);
      for (const r of replays.values()) r.stop('server shutting down');
      for (const v of hub.viewers.values()) v.ws.close(1001, 'server shutting down');
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
