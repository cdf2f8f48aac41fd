import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { Health } from './health';

/**
 * Serves `/health` (JSON; 200 while ok or degraded, 503 when down) and `/metrics` (Prometheus
 * text). Apps with their own HTTP server mount the same handler there.
 */
export function opsHandler(health: Health, metrics: Metrics) {
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/health' || path === '/api/health') {
      const report = await health.report();
      const body = JSON.stringify(report);
      res.writeHead(report.status === 'down' ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(body);
      return true;
    }
    if (path === '/metrics') {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
      return true;
    }
    return false;
  };
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(opts: {
  port: number;
  host?: string;
  health: Health;
  metrics: Metrics;
  logger: Logger;
}): Promise<OpsServer> {
  const handle = opsHandler(opts.health, opts.metrics);
  const server = http.createServer((req, res) => {
    handle(req, res)
      .then((handled) => {
        if (!handled) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'not_found', reason: `no route ${req.method} ${req.url}; try /health or /metrics` }));
        }
      })
      .catch((err: Error) => {
        opts.logger.error('ops endpoint failed', { url: req.url, err });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal', reason: err.message }));
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`ops server: port ${opts.port} is already in use (set HEALTH_PORT to another port)`) : err),
    );
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info('serving /health and /metrics', { port });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
