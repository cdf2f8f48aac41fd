import type { Pool } from 'pg';

/** What the database holds for one (session, car). */
export interface StoredCar {
  source: number;
  sessionId: string;
  carId: string;
  frames: number;
  /** Distinct sequences: below `frames` would mean a frame stored twice. */
  distinct: number;
  minSequence: number;
  maxSequence: number;
  laps: number;
  insights: number;
}

/** Every (session, car) with frames, with its laps and insights counted. */
export async function readStoredCars(pool: Pool): Promise<StoredCar[]> {
  const { rows } = await pool.query<{ source: number; session_id: string; car_id: string; n: number; d: number; lo: string; hi: string; laps: number; insights: number }>(`
    SELECT f.source, f.session_id, f.car_id, f.n, f.d, f.lo, f.hi,
           COALESCE(l.n, 0)::int AS laps, COALESCE(i.n, 0)::int AS insights
      FROM (SELECT source, session_id, car_id, count(*)::int AS n, count(DISTINCT sequence)::int AS d,
                   min(sequence)::text AS lo, max(sequence)::text AS hi
              FROM frames GROUP BY 1, 2, 3) f
      LEFT JOIN (SELECT session_id, car_id, count(*) AS n FROM laps GROUP BY 1, 2) l USING (session_id, car_id)
      LEFT JOIN (SELECT session_id, car_id, count(*) AS n FROM insights GROUP BY 1, 2) i USING (session_id, car_id)
     ORDER BY 1, 2, 3`);
  return rows.map((r) => ({
    source: r.source,
    sessionId: r.session_id,
    carId: r.car_id,
    frames: r.n,
    distinct: r.d,
    minSequence: Number(r.lo),
    maxSequence: Number(r.hi),
    laps: r.laps,
    insights: r.insights,
  }));
}

/** Frames stored in all: rows and distinct (session, car, sequence) keys. */
export async function countFrames(pool: Pool): Promise<{ rows: number; distinct: number }> {
  const { rows } = await pool.query<{ rows: number; distinct: number }>(
    'SELECT count(*)::int AS rows, count(DISTINCT (session_id, car_id, sequence))::int AS distinct FROM frames',
  );
  return rows[0]!;
}
