import type { Pool } from 'pg';
import { downsampledFrames, listSessions, readLaps } from '@pitwall/db';
import type { WsBridgeConfig } from './config';
import { checkToken, HttpError, type Route } from './server';
import { lapItem, telemetryPoint } from './wire';

export const MAX_HISTORY_POINTS = 10_000;

/** A time in a query: ISO 8601 or ms since the epoch; returned in µs. */
export function parseTimeParam(name: string, raw: string | null): number | undefined {
  if (raw === null || raw === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new HttpError(400, 'bad_request', `${name} must be an ISO time or ms since the epoch, got "${raw}"`);
  return Math.round(ms * 1000);
}

/**
 * /api/sessions, /api/sessions/:id/laps, /api/sessions/:id/telemetry?car=&from=&to=&points= from
 * the database the db-writer fills. Without one (no DATABASE_URL) they answer 503 saying so.
 */
export function historyRoutes(config: WsBridgeConfig, pool: Pool | null): Record<string, Route> {
  const needPool = (): Pool => {
    if (!pool) throw new HttpError(503, 'history_unavailable', 'history needs the database: set DATABASE_URL for the ws-bridge (the one the db-writer writes to)');
    return pool;
  };
  return {
    'GET /api/sessions': async (req, url) => {
      checkToken(config.viewerTokens, req, url, 'history');
      const sessions = await listSessions(needPool());
      return {
        json: {
          sessions: sessions.map((s) => ({
            session_id: s.sessionId,
            track: s.track,
            session_type: s.sessionType,
            started_at: s.startedAtUs ? new Date(s.startedAtUs / 1000).toISOString() : null,
            updated_at: s.updatedAtUs ? new Date(s.updatedAtUs / 1000).toISOString() : null,
            ended: s.ended,
            laps: s.laps,
            cars: s.cars,
          })),
        },
      };
    },
    'GET /api/sessions/*': async (req, url) => {
      checkToken(config.viewerTokens, req, url, 'history');
      const rest = url.pathname.slice('/api/sessions/'.length);
      const slash = rest.lastIndexOf('/');
      const what = rest.slice(slash + 1);
      let sessionId: string;
      try {
        sessionId = decodeURIComponent(rest.slice(0, slash));
      } catch {
        throw new HttpError(400, 'bad_request', 'the session id in the path is not valid URL encoding');
      }
      if (slash <= 0 || !sessionId) throw new HttpError(404, 'not_found', 'use /api/sessions/:id/laps or /api/sessions/:id/telemetry');
      if (what === 'laps') {
        const laps = await readLaps(needPool(), sessionId);
        return { json: { session_id: sessionId, laps: laps.map(lapItem) } };
      }
      if (what === 'telemetry') {
        const pointsRaw = url.searchParams.get('points') ?? '1000';
        const points = Number(pointsRaw);
        if (!Number.isInteger(points) || points < 2 || points > MAX_HISTORY_POINTS) {
          throw new HttpError(400, 'bad_request', `points must be an integer from 2 to ${MAX_HISTORY_POINTS}, got "${pointsRaw}"`);
        }
        const fromUs = parseTimeParam('from', url.searchParams.get('from'));
        const toUs = parseTimeParam('to', url.searchParams.get('to'));
        if (fromUs !== undefined && toUs !== undefined && toUs < fromUs) throw new HttpError(400, 'bad_request', 'to is before from');
        const carId = url.searchParams.get('car') || undefined;
        const frames = await downsampledFrames(needPool(), { sessionId, carId, fromUs, toUs, points });
        return { json: { session_id: sessionId, car: carId ?? null, points: frames.map(telemetryPoint) } };
      }
      throw new HttpError(404, 'not_found', `no ${what} for a session; use laps or telemetry`);
    },
  };
}
