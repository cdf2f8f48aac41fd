import type { Pool } from 'pg';
import { AlertSeverity, codecs, Source, type Alert, type Insight, type LapSummary, type SessionInfo } from '@pitwall/proto';
import { readOffsets, startTestPostgres, writeAlerts, writeInsights, writeLaps, writeSessions, type TestPostgres } from '../src';
import { count, delivered, migrated, DB_TEST_TIMEOUT_MS } from './helpers';

jest.setTimeout(DB_TEST_TIMEOUT_MS);

let pg: TestPostgres;
let pool: Pool;
beforeAll(async () => {
  pg = await startTestPostgres('records-writer');
});
afterAll(async () => {
  await pg?.stop();
});
beforeEach(async () => {
  pool = await migrated((await pg.createDatabase()).pool);
});

const T0 = Date.UTC(2026, 5, 1, 12) * 1000;
const group = 'db-writer';

function session(updatedAtUs: number, overrides: Partial<SessionInfo> = {}): SessionInfo {
  return codecs.session.decode(
    codecs.session.encode({
      sessionId: 's1', source: Source.SOURCE_F1, track: 'spa', sessionType: 'race', trackLengthM: 7004,
      startedAtUs: T0, updatedAtUs, ended: false,
      cars: [{ carId: '1', driverName: 'A', carModel: 'f1', raceNumber: 44, team: 'T' }],
      attributes: { weather: 'dry' },
      ...overrides,
    }),
  );
}

function lap(n: number, completedAtUs: number, overrides: Partial<LapSummary> = {}): LapSummary {
  return codecs.lap.decode(
    codecs.lap.encode({
      sessionId: 's1', carId: 'c1', track: 'spa', lap: n, lapTimeS: 105.25, sectorTimesS: [30.5, 40.25, 34.5],
      maxSpeedKmh: 320, avgSpeedKmh: 210, throttleShare: 0.7, brakeShare: 0.15, tyreStress: 12.5,
      sectorTyreStress: [4, 5, 3.5], fuelUsedKg: 1.75, valid: true, invalidReason: '',
      startedAtUs: completedAtUs - 105_250_000, completedAtUs, frames: 6300, driverName: 'A',
      ...overrides,
    }),
  );
}

function insight(lapNo: number, sector: number | null, generatedAtUs: number, loss = 0.1): Insight {
  return codecs.insight.decode(
    codecs.insight.encode({
      sessionId: 's1', carId: 'c1', track: 'spa', lap: lapNo, sector, lapTyreStress: 12, perSectorStress: { 0: 4, 1: 5 },
      predictedLossPerLapSeconds: loss, lapsUntil_0_5sLoss: sector === null ? null : 4.5, confidence: 0.8,
      topFactors: [{ name: 'braking', weight: 0.6 }], explanation: 'rear tyres', generatedAtUs,
    }),
  );
}

function alert(cleared: boolean, atUs: number): Alert {
  return codecs.alert.decode(
    codecs.alert.encode({
      alertId: 'a1', sessionId: 's1', carId: 'c1', code: 'TYRE_OVERHEAT', severity: AlertSeverity.ALERT_SEVERITY_WARNING,
      message: cleared ? 'back to normal' : 'rear left 120 °C', cleared, raisedAtUs: T0, atUs, evidence: { temp_c: 120 }, lap: 7,
    }),
  );
}

describe('writeSessions', () => {
  test('stores a session with its cars and attributes', async () => {
    await writeSessions(pool, { records: delivered([session(T0)], 0, 0, 'telemetry.sessions'), group });
    const { rows } = await pool.query('SELECT session_id, source, track, track_length_m, ended, cars, attributes FROM sessions');
    expect(rows).toEqual([{
      session_id: 's1', source: Source.SOURCE_F1, track: 'spa', track_length_m: 7004, ended: false,
      cars: [{ car_id: '1', driver_name: 'A', car_model: 'f1', race_number: 44, team: 'T' }], attributes: { weather: 'dry' },
    }]);
    expect(await readOffsets(pool, group, 'telemetry.sessions')).toEqual(new Map([[0, 1]]));
  });

  test('the newest update wins whatever the arrival order, and a replay is skipped', async () => {
    const newer = session(T0 + 2, { ended: true });
    const older = session(T0 + 1, { track: 'old' });
    expect(await writeSessions(pool, { records: delivered([newer]), group })).toMatchObject({ written: 1, skipped: 0 });
    expect(await writeSessions(pool, { records: delivered([older, newer], 0, 1), group })).toMatchObject({ written: 0, skipped: 2 });
    const { rows } = await pool.query('SELECT track, ended FROM sessions');
    expect(rows).toEqual([{ track: 'spa', ended: true }]);
  });

  test('several versions of one session in one batch keep the newest (the later one on a tie)', async () => {
    const batch = [session(T0 + 1, { track: 'a' }), session(T0 + 3, { track: 'b' }), session(T0 + 3, { track: 'c' }), session(T0 + 2, { track: 'd' })];
    expect(await writeSessions(pool, { records: delivered(batch), group })).toMatchObject({ written: 1, skipped: 3 });
    const { rows } = await pool.query('SELECT track FROM sessions');
    expect(rows).toEqual([{ track: 'c' }]);
  });
});

describe('writeLaps', () => {
  test('stores arrays and optional fields, one row per (session, car, lap)', async () => {
    const result = await writeLaps(pool, { records: delivered([lap(1, T0), lap(2, T0 + 1), lap(1, T0)]), group });
    expect(result).toMatchObject({ written: 2, skipped: 1 });
    const { rows } = await pool.query('SELECT lap, sector_times_s, sector_tyre_stress, fuel_used_kg, frames FROM laps ORDER BY lap');
    expect(rows[0]).toEqual({ lap: 1, sector_times_s: [30.5, 40.25, 34.5], sector_tyre_stress: [4, 5, 3.5], fuel_used_kg: 1.75, frames: '6300' });
  });

  test('a recomputed lap with a later completion replaces the earlier one', async () => {
    await writeLaps(pool, { records: delivered([lap(1, T0)]), group });
    await writeLaps(pool, { records: delivered([lap(1, T0 + 5, { valid: false, invalidReason: 'track limits' })], 0, 1), group });
    const { rows } = await pool.query('SELECT valid, invalid_reason FROM laps');
    expect(rows).toEqual([{ valid: false, invalid_reason: 'track limits' }]);
  });

  test('a lap the database rejects is returned with its reason and the others are written', async () => {
    const result = await writeLaps(pool, { records: delivered([lap(1, T0), lap(3_000_000_000, T0), lap(2, T0)]), group });
    expect(result.written).toBe(2);
    expect(result.rejected.map((r) => [r.record.offset, r.code])).toEqual([[1, '22003']]);
    expect(await count(pool, 'SELECT count(*) AS n FROM laps')).toBe(2);
  });
});

describe('writeInsights', () => {
  test('a lap-level insight (no sector) is one row even when re-generated; sector insights are separate', async () => {
    await writeInsights(pool, { records: delivered([insight(5, null, T0, 0.1), insight(5, 0, T0), insight(5, 1, T0)]), group });
    const again = await writeInsights(pool, { records: delivered([insight(5, null, T0 + 10, 0.3)], 0, 3), group });
    expect(again).toMatchObject({ written: 1, skipped: 0 });
    expect(await count(pool, 'SELECT count(*) AS n FROM insights')).toBe(3);
    const { rows } = await pool.query('SELECT predicted_loss_per_lap_s, laps_until_0_5s_loss, per_sector_stress, top_factors FROM insights WHERE sector IS NULL');
    expect(rows).toEqual([{ predicted_loss_per_lap_s: 0.3, laps_until_0_5s_loss: null, per_sector_stress: { 0: 4, 1: 5 }, top_factors: [{ name: 'braking', weight: 0.6 }] }]);
  });
});

describe('writeAlerts', () => {
  test('a clear that arrives before its raise still leaves the episode cleared', async () => {
    await writeAlerts(pool, { records: delivered([alert(true, T0 + 30_000_000)]), group });
    expect(await writeAlerts(pool, { records: delivered([alert(false, T0)], 0, 1), group })).toMatchObject({ written: 0, skipped: 1 });
    const { rows } = await pool.query('SELECT cleared, message, severity, evidence, lap FROM alerts');
    expect(rows).toEqual([{ cleared: true, message: 'back to normal', severity: AlertSeverity.ALERT_SEVERITY_WARNING, evidence: { temp_c: 120 }, lap: 7 }]);
  });

  test('raise then clear in one batch stores the clear', async () => {
    expect(await writeAlerts(pool, { records: delivered([alert(false, T0), alert(true, T0 + 1)]), group })).toMatchObject({ written: 1, skipped: 1 });
    const { rows } = await pool.query('SELECT cleared FROM alerts');
    expect(rows).toEqual([{ cleared: true }]);
  });
});
