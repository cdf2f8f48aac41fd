import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '@pitwall/bus';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { opsHandler, type Health, type Stoppable } from '@pitwall/service';
import { TokenAuth } from './auth';
import type { CollectorHttpConfig } from './config';
import { DeviceGateway } from './device-ws';
import { httpIngestHandler } from './http-ingest';
import { Intake } from './intake';
import { PartnerFeed } from './partner-feed';
import { UdpTextIngest } from './udp-text';

export interface CollectorHttpDeps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: CollectorHttpConfig;
}

export interface CollectorHttp extends Stoppable {
  /** The bound HTTP port (useful when the config asked for 0). */
  port: number;
  /** The bound UDP port, or null when UDP ingest is off. */
  udpPort: number | null;
}

/** How long stop waits for requests in flight before closing their connections. */
const STOP_GRACE_MS = 5000;

/**
 * Push sources for teams without a game: HTTP POST /api/ingest, device WebSocket /ws/ingest,
 * UDP text lines and an outbound partner feed, all through one mapping onto the telemetry topic.
 * /health, /api/health and /metrics are served on the same HTTP port.
 */
export async function startCollectorHttp(deps: CollectorHttpDeps): Promise<CollectorHttp> {
  const { config, logger, metrics, health } = deps;
  const producer = deps.bus.producer({ maxBufferedMessages: config.producerMaxBuffered });
  const intake = new Intake({ producer, topic: deps.topics.telemetry, metrics, logger, config });
  const auth = new TokenAuth(config.tokens);
  if (auth.open) logger.warn('ingest is open: INGEST_TOKENS is not set, so anyone who can reach the ports can publish telemetry');
  else logger.info('ingest tokens loaded', { sources: Object.keys(config.tokens) });

  const ingest = httpIngestHandler({ intake, auth, config, logger });
  const ops = opsHandler(health, metrics);
  const devices = new DeviceGateway({ intake, auth, config, logger: logger.child({ component: 'device-ws' }) });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://collector');
    const fail = (err: Error) => {
      // The path only: a `?token=` must not reach the logs.
      logger.error('request failed', { method: req.method, path: url.pathname, err });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal', reason: err.message }));
    };
    if (url.pathname === '/api/ingest') {
      ingest(req, res, url).catch(fail);
      return;
    }
    ops(req, res)
      .then((handled) => {
        if (handled) return;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not_found', reason: `no route ${req.method} ${url.pathname}; ingest is POST /api/ingest or WebSocket /ws/ingest` }));
      })
      .catch(fail);
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://collector');
    if (url.pathname === '/ws/ingest') devices.handleUpgrade(req, socket, head, url);
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  // An NDJSON or delimited stream may run for a whole session, so no limit on a request's total
  // time (Node's default is 5 min); a stalled sender is cut by the idle timeout instead.
  server.requestTimeout = 0;
  server.timeout = config.idleTimeoutMs;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  let udp: UdpTextIngest | null = null;
  let port: number;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`collector-http: port ${config.port} is already in use (set INGEST_PORT)`) : err),
      );
      server.listen(config.port, config.host, () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    logger.info('HTTP ingest listening', { host: config.host, port, ingest: '/api/ingest', devices: '/ws/ingest' });
    if (config.udp.port !== null) udp = await UdpTextIngest.start({ intake, config, logger: logger.child({ component: 'udp-text' }) });
  } catch (err) {
    // Leave nothing behind: a failed start must not keep a port or a timer.
    server.close();
    await devices.stop();
    await producer.close();
    throw err;
  }
  let partner: PartnerFeed | null = null;
  if (config.partner) {
    partner = new PartnerFeed({
      intake,
      config: config.partner,
      logger: logger.child({ component: 'partner-feed' }),
      retryAfterMs: config.retryAfterS * 1000,
      maxMessageBytes: config.maxBodyBytes,
    });
    partner.start();
  }

  health.register('collector-http', () => {
    const partnerReport = partner?.report();
    return {
      // A configured feed we cannot reach is worth a look; devices coming and going are normal.
      status: partnerReport && !partnerReport.connected ? 'degraded' : 'ok',
      detail: {
        open: auth.open,
        port,
        udpPort: udp?.port ?? null,
        sources: intake.stats.report(),
        devices: devices.report(),
        ...(partnerReport ? { partner: partnerReport } : {}),
      },
    };
  });

  return {
    port,
    udpPort: udp?.port ?? null,
    async stop() {
      health.unregister('collector-http');
      // Stop intake: no new connections, datagrams or feed messages.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([udp?.stop(), partner?.stop(), devices.stop()]);
      // Requests in flight finish (their frames are acknowledged or refused); keep-alive connections
      // are closed as soon as they go idle, and whatever is left after the grace period is cut.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const grace = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
      await closed;
      clearInterval(idle);
      clearTimeout(grace);
      await intake.drain();
      await producer.flush();
      await producer.close();
      logger.info('collector-http stopped');
    },
  };
}
