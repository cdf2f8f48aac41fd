/** What the page knows, built from the bridge's messages. Every list is bounded. */

export interface Point {
  meta_time: string;
  session_id: string;
  chassis: string;
  driver?: string;
  track: string;
  lap: number;
  seq: number;
  speed_kmh?: number;
  throttle?: number;
  brake?: number;
  gear?: number;
  rpm?: number;
  position?: number;
  x?: number;
  y?: number;
  z?: number;
  lapdist_m?: number;
  pbrake_f?: number;
}

export interface LapRow {
  carId: string;
  lap: number;
  lapTimeS: number;
  sectorTimesS: number[];
  tyreStress: number;
  valid: boolean;
  invalidReason: string;
}

export interface InsightView {
  chassis: string;
  lap: number;
  lap_tire_stress: number;
  predicted_loss_per_lap_seconds: number;
  laps_until_0_5s_loss: number | null;
  confidence: number;
  explanation: string;
}

export interface AlertView {
  code: string;
  level: string;
  message: string;
  chassis: string;
  cleared: boolean;
  at: number;
}

export interface CarState {
  id: string;
  driver: string;
  last: Point;
  lastLapS: number | null;
  /** Time (s), speed, throttle, brake, rpm: the trace window. */
  trace: { t: number[]; speed: (number | null)[]; throttle: (number | null)[]; brake: (number | null)[]; rpm: (number | null)[] };
  trail: [number, number][];
  insight: InsightView | null;
}

export interface SessionState {
  id: string;
  track: string;
  cars: Map<string, CarState>;
  laps: LapRow[];
  alerts: AlertView[];
}

const TRACE_SECONDS = 30;
const TRAIL_POINTS = 4000;
const MAX_LAPS = 200;
const MAX_ALERTS = 50;
const MAX_SESSIONS = 50;

export class DashboardState {
  readonly sessions = new Map<string, SessionState>();
  pointsReceived = 0;

  session(id: string, track = ''): SessionState {
    let s = this.sessions.get(id);
    if (!s) {
      if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
      s = { id, track, cars: new Map(), laps: [], alerts: [] };
      this.sessions.set(id, s);
    }
    if (track && !s.track) s.track = track;
    return s;
  }

  addPoints(points: Point[]): void {
    for (const p of points) {
      this.pointsReceived++;
      const s = this.session(p.session_id, p.track);
      let car = s.cars.get(p.chassis);
      // Replies to `recent` can overlap live batches: sequence numbers only grow per car.
      if (car && p.seq <= car.last.seq) continue;
      if (!car) {
        car = { id: p.chassis, driver: p.driver ?? '', last: p, lastLapS: null, trace: { t: [], speed: [], throttle: [], brake: [], rpm: [] }, trail: [], insight: null };
        s.cars.set(p.chassis, car);
      }
      car.last = p;
      if (p.driver) car.driver = p.driver;
      const t = Date.parse(p.meta_time) / 1000;
      const tr = car.trace;
      tr.t.push(t);
      tr.speed.push(p.speed_kmh ?? null);
      tr.throttle.push(p.throttle != null ? p.throttle * 100 : null);
      tr.brake.push(p.brake != null ? p.brake * 100 : null);
      tr.rpm.push(p.rpm ?? null);
      let drop = 0;
      while (drop < tr.t.length && tr.t[drop]! < t - TRACE_SECONDS) drop++;
      if (drop > 0) for (const k of ['t', 'speed', 'throttle', 'brake', 'rpm'] as const) tr[k].splice(0, drop);
      if (p.x != null && p.y != null) {
        car.trail.push([p.x, p.y]);
        if (car.trail.length > TRAIL_POINTS) car.trail.splice(0, car.trail.length - TRAIL_POINTS);
      }
    }
  }

  addLap(l: { sessionId: string; carId: string; lap: number; lapTimeS: number; sectorTimesS?: number[]; tyreStress?: number; valid?: boolean; invalidReason?: string }): void {
    const s = this.session(l.sessionId);
    s.laps.unshift({ carId: l.carId, lap: l.lap, lapTimeS: l.lapTimeS, sectorTimesS: l.sectorTimesS ?? [], tyreStress: l.tyreStress ?? 0, valid: l.valid ?? false, invalidReason: l.invalidReason ?? '' });
    if (s.laps.length > MAX_LAPS) s.laps.length = MAX_LAPS;
    const car = s.cars.get(l.carId);
    if (car && l.valid) car.lastLapS = l.lapTimeS;
  }

  addInsight(sessionId: string, i: InsightView): void {
    const car = this.session(sessionId).cars.get(i.chassis);
    if (car) car.insight = i;
  }

  addAlert(sessionId: string, a: AlertView): void {
    const s = this.session(sessionId);
    s.alerts.unshift(a);
    if (s.alerts.length > MAX_ALERTS) s.alerts.length = MAX_ALERTS;
  }
}

export function formatLapTime(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s) || s <= 0) return '—';
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return m > 0 ? `${m}:${rest.toFixed(3).padStart(6, '0')}` : rest.toFixed(3);
}
