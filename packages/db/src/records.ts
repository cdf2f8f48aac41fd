import type { Alert, Insight, LapSummary, SessionInfo } from '@pitwall/proto';
import { jsonbText } from './pg-text';
import type { Column, TableSpec } from './table-writer';

/** A PostgreSQL array literal of numbers ({1.5,NaN,Infinity} reads back as written). */
function numberArray(values: number[] | null | undefined): string {
  return `{${(values ?? []).map(String).join(',')}}`;
}

function col<T>(name: string, type: Column<T>['type'], get: Column<T>['get']): Column<T> {
  return { name, type, get };
}

export const SESSIONS_TABLE: TableSpec<SessionInfo> = {
  table: 'sessions',
  conflict: { kind: 'newest', key: ['session_id'], version: 'updated_at' },
  columns: [
    col('session_id', 'text', (s) => s.sessionId ?? ''),
    col('source', 'smallint', (s) => s.source ?? 0),
    col('track', 'text', (s) => s.track ?? ''),
    col('session_type', 'text', (s) => s.sessionType ?? ''),
    col('track_length_m', 'real', (s) => s.trackLengthM),
    col('started_at', 'timestamptz', (s) => s.startedAtUs ?? 0),
    col('updated_at', 'timestamptz', (s) => s.updatedAtUs ?? 0),
    col('ended', 'boolean', (s) => s.ended ?? false),
    col('cars', 'jsonb', (s) =>
      jsonbText(
        (s.cars ?? []).map((c) => ({
          car_id: c.carId ?? '',
          driver_name: c.driverName ?? '',
          car_model: c.carModel ?? '',
          race_number: c.raceNumber ?? null,
          team: c.team ?? '',
        })),
      ),
    ),
    col('attributes', 'jsonb', (s) => jsonbText(s.attributes ?? {})),
  ],
};

export const LAPS_TABLE: TableSpec<LapSummary> = {
  table: 'laps',
  conflict: { kind: 'newest', key: ['session_id', 'car_id', 'lap'], version: 'completed_at' },
  columns: [
    col('session_id', 'text', (l) => l.sessionId ?? ''),
    col('car_id', 'text', (l) => l.carId ?? ''),
    col('lap', 'integer', (l) => l.lap ?? 0),
    col('track', 'text', (l) => l.track ?? ''),
    col('driver_name', 'text', (l) => l.driverName ?? ''),
    col('lap_time_s', 'double precision', (l) => l.lapTimeS ?? 0),
    col('sector_times_s', 'double precision[]', (l) => numberArray(l.sectorTimesS)),
    col('max_speed_kmh', 'double precision', (l) => l.maxSpeedKmh ?? 0),
    col('avg_speed_kmh', 'double precision', (l) => l.avgSpeedKmh ?? 0),
    col('throttle_share', 'double precision', (l) => l.throttleShare ?? 0),
    col('brake_share', 'double precision', (l) => l.brakeShare ?? 0),
    col('tyre_stress', 'double precision', (l) => l.tyreStress ?? 0),
    col('sector_tyre_stress', 'double precision[]', (l) => numberArray(l.sectorTyreStress)),
    col('fuel_used_kg', 'double precision', (l) => l.fuelUsedKg),
    col('valid', 'boolean', (l) => l.valid ?? false),
    col('invalid_reason', 'text', (l) => l.invalidReason ?? ''),
    col('started_at', 'timestamptz', (l) => l.startedAtUs ?? 0),
    col('completed_at', 'timestamptz', (l) => l.completedAtUs ?? 0),
    col('frames', 'bigint', (l) => l.frames ?? 0),
  ],
};

export const INSIGHTS_TABLE: TableSpec<Insight> = {
  table: 'insights',
  conflict: { kind: 'newest', key: ['session_id', 'car_id', 'lap', 'sector'], version: 'generated_at' },
  columns: [
    col('session_id', 'text', (i) => i.sessionId ?? ''),
    col('car_id', 'text', (i) => i.carId ?? ''),
    col('lap', 'integer', (i) => i.lap ?? 0),
    col('sector', 'integer', (i) => i.sector),
    col('track', 'text', (i) => i.track ?? ''),
    col('lap_tyre_stress', 'double precision', (i) => i.lapTyreStress ?? 0),
    col('per_sector_stress', 'jsonb', (i) => jsonbText(i.perSectorStress ?? {})),
    col('predicted_loss_per_lap_s', 'double precision', (i) => i.predictedLossPerLapSeconds ?? 0),
    col('laps_until_0_5s_loss', 'double precision', (i) => i.lapsUntil_0_5sLoss),
    col('confidence', 'double precision', (i) => i.confidence ?? 0),
    col('top_factors', 'jsonb', (i) => jsonbText((i.topFactors ?? []).map((f) => ({ name: f.name ?? '', weight: f.weight ?? 0 })))),
    col('explanation', 'text', (i) => i.explanation ?? ''),
    col('generated_at', 'timestamptz', (i) => i.generatedAtUs ?? 0),
  ],
};

export const ALERTS_TABLE: TableSpec<Alert> = {
  table: 'alerts',
  conflict: { kind: 'newest', key: ['alert_id'], version: 'at' },
  columns: [
    col('alert_id', 'text', (a) => a.alertId ?? ''),
    col('session_id', 'text', (a) => a.sessionId ?? ''),
    col('car_id', 'text', (a) => a.carId ?? ''),
    col('code', 'text', (a) => a.code ?? ''),
    col('severity', 'smallint', (a) => a.severity ?? 0),
    col('message', 'text', (a) => a.message ?? ''),
    col('cleared', 'boolean', (a) => a.cleared ?? false),
    col('raised_at', 'timestamptz', (a) => a.raisedAtUs ?? 0),
    col('at', 'timestamptz', (a) => a.atUs ?? 0),
    col('evidence', 'jsonb', (a) => jsonbText(a.evidence ?? {})),
    col('lap', 'integer', (a) => a.lap ?? 0),
  ],
};
