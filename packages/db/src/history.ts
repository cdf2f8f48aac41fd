import type { Pool } from 'pg';
import type { LapSummary, TelemetryFrame } from '@pitwall/proto';
import { FRAME_COLUMNS } from './frames';

/**
 * Reading history back: sessions, laps and frames, for the history API and replays. Frames are
 * rebuilt through the same column list that writes them (FRAME_COLUMNS), so the two directions
 * cannot drift apart.
 */

const quote = (name: string) => `"${name}"`;
/** Timestamps come back as µs since the epoch, bigints as numbers (via the column setters). */
const selectList = FRAME_COLUMNS.map((c) =>
  c.type === 'timestamptz' ? `(extract(epoch from ${quote(c.name)}) * 1000000)::float8 AS ${quote(c.name)}` : quote(c.name),
).join(', ');

export function frameFromRow(row: Record<string, unknown>): TelemetryFrame {
  const frame: TelemetryFrame = {};
  for (const c of FRAME_COLUMNS) c.set?.(frame, row[c.name]);
  return frame;
}

/** A µs parameter as an exact timestamptz (a Date or float would round to ms or ulps). */
const usParam = (n: number) => `(timestamptz 'epoch' + $${n}::bigint * interval '1 microsecond')`;

export interface SessionSummary {
  sessionId: string;
  track: string;
  sessionType: string;
  source: number;
  startedAtUs: number;
  updatedAtUs: number;
  ended: boolean;
  laps: number;
  cars: string[];
}

/**
 * Sessions with stored frames, laps or SessionInfo, newest first. Frame-only sessions are found
 * with a loose index scan (one index probe per distinct session), not a scan of every frame.
 */
export async function listSessions(pool: Pool, limit = 200): Promise<SessionSummary[]> {
  const { rows } = await pool.query(
    `WITH RECURSIVE frame_sessions AS (
       (SELECT session_id FROM frames ORDER BY session_id LIMIT 1)
       UNION ALL
       SELECT (SELECT f.session_id FROM frames f WHERE f.session_id > fs.session_id ORDER BY f.session_id LIMIT 1)
         FROM frame_sessions fs WHERE fs.session_id IS NOT NULL),
     lap_stats AS (
       SELECT session_id, min(track) AS track, count(*)::int AS laps, array_agg(DISTINCT car_id) AS cars,
              min(started_at) AS started_at, max(completed_at) AS updated_at
         FROM laps GROUP BY session_id),
     frame_stats AS (
       SELECT fs.session_id,
              (SELECT track FROM frames f WHERE f.session_id = fs.session_id LIMIT 1) AS track,
              (SELECT min(time) FROM frames f WHERE f.session_id = fs.session_id) AS started_at,
              (SELECT max(time) FROM frames f WHERE f.session_id = fs.session_id) AS updated_at,
              ARRAY(SELECT DISTINCT car_id FROM frames f WHERE f.session_id = fs.session_id LIMIT 100) AS cars
         FROM frame_sessions fs WHERE fs.session_id IS NOT NULL)
     SELECT coalesce(s.session_id, l.session_id, f.session_id) AS session_id,
            coalesce(s.track, l.track, f.track) AS track,
            coalesce(s.session_type, '') AS session_type,
            coalesce(s.source, 0) AS source,
            (extract(epoch from coalesce(s.started_at, l.started_at, f.started_at)) * 1000000)::float8 AS started_at_us,
            (extract(epoch from greatest(s.updated_at, l.updated_at, f.updated_at)) * 1000000)::float8 AS updated_at_us,
            coalesce(s.ended, false) AS ended,
            coalesce(l.laps, 0) AS laps,
            coalesce(l.cars, f.cars, ARRAY(SELECT jsonb_array_elements(s.cars)->>'carId')) AS cars
       FROM sessions s
       FULL JOIN lap_stats l ON l.session_id = s.session_id
       FULL JOIN frame_stats f ON f.session_id = coalesce(s.session_id, l.session_id)
      ORDER BY started_at_us DESC NULLS LAST
      LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    sessionId: r.session_id,
    track: r.track,
    sessionType: r.session_type,
    source: Number(r.source),
    startedAtUs: Number(r.started_at_us ?? 0),
    updatedAtUs: Number(r.updated_at_us ?? 0),
    ended: r.ended,
    laps: r.laps,
    cars: (r.cars ?? []).filter(Boolean),
  }));
}

export async function readLaps(pool: Pool, sessionId: string): Promise<LapSummary[]> {
  const { rows } = await pool.query(
    `SELECT *, (extract(epoch from started_at) * 1000000)::float8 AS started_at_us,
            (extract(epoch from completed_at) * 1000000)::float8 AS completed_at_us
       FROM laps WHERE session_id = $1 ORDER BY car_id, lap`,
    [sessionId],
  );
  return rows.map((r) => ({
    sessionId: r.session_id,
    carId: r.car_id,
    lap: r.lap,
    track: r.track,
    driverName: r.driver_name,
    lapTimeS: r.lap_time_s,
    sectorTimesS: r.sector_times_s,
    maxSpeedKmh: r.max_speed_kmh,
    avgSpeedKmh: r.avg_speed_kmh,
    throttleShare: r.throttle_share,
    brakeShare: r.brake_share,
    tyreStress: r.tyre_stress,
    sectorTyreStress: r.sector_tyre_stress,
    fuelUsedKg: r.fuel_used_kg ?? undefined,
    valid: r.valid,
    invalidReason: r.invalid_reason,
    startedAtUs: Number(r.started_at_us),
    completedAtUs: Number(r.completed_at_us),
    frames: Number(r.frames),
  }));
}

export interface FrameRange {
  sessionId: string;
  carId?: string;
  fromUs?: number;
  toUs?: number;
}

/** First and last frame time of a session (or one car of it); null when it has none. */
export async function frameTimeRange(pool: Pool, q: FrameRange): Promise<{ fromUs: number; toUs: number } | null> {
  const { rows } = await pool.query(
    `SELECT (extract(epoch from min(time)) * 1000000)::float8 AS from_us, (extract(epoch from max(time)) * 1000000)::float8 AS to_us
       FROM frames WHERE session_id = $1 AND ($2::text IS NULL OR car_id = $2)`,
    [q.sessionId, q.carId ?? null],
  );
  const r = rows[0];
  return r?.from_us == null ? null : { fromUs: Number(r.from_us), toUs: Number(r.to_us) };
}

/**
 * Frames in time order from `fromUs` (inclusive), at most `limit`: pages for a replay cursor. The
 * next page starts after the last (time, car, sequence) returned.
 */
export async function readFrames(pool: Pool, q: FrameRange & { limit: number; after?: { timeUs: number; carId: string; sequence: number } }): Promise<TelemetryFrame[]> {
  const params: unknown[] = [q.sessionId, q.carId ?? null, Math.round(q.fromUs ?? 0), q.toUs != null ? Math.round(q.toUs) : null, q.limit];
  let after = '';
  if (q.after) {
    params.push(Math.round(q.after.timeUs), q.after.carId, q.after.sequence);
    after = `AND (time, car_id, sequence) > (${usParam(6)}, $7::text, $8::bigint)`;
  }
  const { rows } = await pool.query(
    `SELECT ${selectList} FROM frames
      WHERE session_id = $1 AND ($2::text IS NULL OR car_id = $2) AND time >= ${usParam(3)} AND ($4::bigint IS NULL OR time <= ${usParam(4)})
      ${after}
      ORDER BY time, car_id, sequence LIMIT $5`,
    params,
  );
  return rows.map(frameFromRow);
}

/**
 * At most `points` frames per car spread evenly over [from, to]: the range is cut into equal
 * time buckets and each bucket gives its first frame. The database does the thinning, so a
 * long session never crosses the wire whole.
 */
export async function downsampledFrames(pool: Pool, q: FrameRange & { points: number }): Promise<TelemetryFrame[]> {
  const range = q.fromUs != null && q.toUs != null ? { fromUs: q.fromUs, toUs: q.toUs } : await frameTimeRange(pool, q);
  if (!range) return [];
  const fromUs = q.fromUs ?? range.fromUs;
  const toUs = q.toUs ?? range.toUs;
  const bucketUs = Math.max(1, Math.ceil((toUs - fromUs + 1) / q.points));
  const { rows } = await pool.query(
    `SELECT DISTINCT ON (car_id, bucket) ${selectList},
            floor((extract(epoch from time) * 1000000 - $3::bigint) / $5::bigint) AS bucket
       FROM frames
      WHERE session_id = $1 AND ($2::text IS NULL OR car_id = $2)
        AND time >= ${usParam(3)} AND time <= ${usParam(4)}
      ORDER BY car_id, bucket, time, sequence`,
    [q.sessionId, q.carId ?? null, Math.round(fromUs), Math.round(toUs), bucketUs],
  );
  return rows.map(frameFromRow).sort((a, b) => (a.sourceTimeUs ?? 0) - (b.sourceTimeUs ?? 0));
}
