import { AlertSeverity, codecs, Source, type Alert, type Insight, type LapSummary, type SessionInfo, type TelemetryFrame } from '@pitwall/proto';

/**
 * The JSON viewers read. Field names follow the older PitWall server (`meta_time`, `chassis`,
 * `lapdist_m`, `speed_kmh`, `accx_can`, ...) so its dashboards keep working, with pitwall's own
 * fields beside them. Absent channels are left out rather than sent as zero.
 */
export type TelemetryPoint = Record<string, string | number | boolean | Record<string, number>>;

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * The source's enum name, as codecs' toJSON writes it (a value the schema does not know stays a
 * number), looked up directly: this runs for every point sent.
 */
const sourceName = (source: Source): string | number => (Source as unknown as Record<number, string | undefined>)[source] ?? source;

export function telemetryPoint(f: TelemetryFrame): TelemetryPoint {
  const p: TelemetryPoint = {
    meta_time: new Date((f.sourceTimeUs || f.ingestTimeUs || 0) / 1000).toISOString(),
    session_id: f.sessionId ?? '',
    chassis: f.carId ?? '',
    car_id: f.carId ?? '',
    track: f.track ?? '',
    lap: f.lap ?? 0,
    seq: f.sequence ?? 0,
    raw_source: sourceName(f.source ?? Source.SOURCE_UNSPECIFIED),
  };
  if (f.driverName) p.driver = f.driverName;
  if (f.lapDistanceM != null) p.lapdist_m = round(f.lapDistanceM, 2);
  if (f.normalizedPosition != null) p.lap_fraction = round(f.normalizedPosition, 5);
  if (f.speedKmh != null) p.speed_kmh = round(f.speedKmh, 2);
  if (f.throttle != null) p.throttle = round(f.throttle, 3);
  if (f.brake != null) p.brake = round(f.brake, 3);
  if (f.gear != null) p.gear = f.gear;
  if (f.rpm != null) p.rpm = Math.round(f.rpm);
  if (f.steer != null) p.steer = round(f.steer, 3);
  if (f.gLon != null) p.accx_can = round(f.gLon, 3);
  if (f.gLat != null) p.accy_can = round(f.gLat, 3);
  if (f.currentLapTimeMs != null) p.current_lap_time_ms = f.currentLapTimeMs;
  if (f.racePosition != null) p.position = f.racePosition;
  if (f.fuelKg != null) p.fuel_kg = round(f.fuelKg, 2);
  if (f.worldPositionM) {
    p.x = round(f.worldPositionM.x ?? 0, 2);
    p.y = round(f.worldPositionM.y ?? 0, 2);
    p.z = round(f.worldPositionM.z ?? 0, 2);
  }
  if (f.tyreSurfaceTempC) {
    const t = f.tyreSurfaceTempC;
    p.tyre_temp_c = { rl: round(t.rl ?? 0, 1), rr: round(t.rr ?? 0, 1), fl: round(t.fl ?? 0, 1), fr: round(t.fr ?? 0, 1) };
  }
  if (f.tyreWear) {
    const w = f.tyreWear;
    p.tyre_wear = { rl: round(w.rl ?? 0, 4), rr: round(w.rr ?? 0, 4), fl: round(w.fl ?? 0, 4), fr: round(w.fr ?? 0, 4) };
  }
  // The seed's channel names come through unchanged when the source sent them.
  const extras = f.extras ?? {};
  for (const name of ['Steering_Angle', 'pbrake_f', 'pbrake_r']) if (extras[name] != null) p[name] = extras[name]!;
  return p;
}

/** The seed's `insight_update` item, plus session, prediction confidence and explanation. */
export function insightItem(i: Insight): Record<string, unknown> {
  return {
    session_id: i.sessionId,
    chassis: i.carId,
    track: i.track,
    lap: i.lap,
    sector: i.sector ?? null,
    lap_tire_stress: i.lapTyreStress ?? 0,
    perSectorStress: Object.fromEntries(Object.entries(i.perSectorStress ?? {}).map(([k, v]) => [String(k), v])),
    predicted_loss_per_lap_seconds: i.predictedLossPerLapSeconds ?? 0,
    laps_until_0_5s_loss: i.lapsUntil_0_5sLoss ?? null,
    confidence: i.confidence ?? 0,
    top_factors: (i.topFactors ?? []).map((f) => ({ name: f.name, weight: f.weight })),
    explanation: i.explanation ?? '',
  };
}

export function lapItem(l: LapSummary): Record<string, unknown> {
  return { ...codecs.lap.toJSON(l), chassis: l.carId };
}

export function sessionItem(s: SessionInfo): Record<string, unknown> {
  return codecs.session.toJSON(s);
}

const levels: Record<number, string> = {
  [AlertSeverity.ALERT_SEVERITY_INFO]: 'info',
  [AlertSeverity.ALERT_SEVERITY_WARNING]: 'warning',
  [AlertSeverity.ALERT_SEVERITY_CRITICAL]: 'critical',
};

/**
 * The IoT hub's `vehicle_alert` / `crash_detected` shape: `{ type, imei, timestamp, data, alert:
 * { level, message, code } }`, with the car id where it had the device IMEI and the alert's
 * evidence as data.
 */
export function alertMessage(a: Alert): { type: 'vehicle_alert' | 'crash_detected'; body: Record<string, unknown> } {
  const type = a.code === 'CRASH' && !a.cleared ? 'crash_detected' : 'vehicle_alert';
  return {
    type,
    body: {
      type,
      imei: a.carId,
      session_id: a.sessionId,
      chassis: a.carId,
      timestamp: Math.round((a.atUs ?? 0) / 1000),
      data: a.evidence ?? {},
      alert: {
        id: a.alertId,
        level: levels[a.severity ?? 0] ?? 'info',
        message: a.message ?? '',
        code: a.code === 'CRASH' ? 'CRASH_DETECTED' : a.code,
        cleared: a.cleared ?? false,
        lap: a.lap ?? 0,
      },
    },
  };
}
