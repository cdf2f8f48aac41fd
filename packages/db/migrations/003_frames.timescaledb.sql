-- TimescaleDB: a hypertable with one-day chunks on `time`, compressed per (session, car) once
-- old enough, and a continuous aggregate per second per car. The compression and retention
-- policies depend on settings and are applied by maintainStorage(); the aggregate's refresh
-- policy does not, so it is here.
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE frames (LIKE frame_columns INCLUDING ALL);
ALTER TABLE frames ADD CONSTRAINT frames_pkey PRIMARY KEY (session_id, car_id, time, sequence);
SELECT create_hypertable('frames', by_range('time', INTERVAL '1 day'), create_default_indexes => false);

ALTER TABLE frames SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'session_id, car_id',
  timescaledb.compress_orderby = 'time, sequence'
);

-- WITH NO DATA: materialising inside the migration's transaction is not allowed (and the table is
-- empty anyway); the refresh policy fills it.
CREATE MATERIALIZED VIEW frames_per_second WITH (timescaledb.continuous) AS
SELECT
  session_id,
  car_id,
  time_bucket(INTERVAL '1 second', time) AS bucket,
  count(*)            AS frames,
  max(lap)            AS lap,
  avg(speed_kmh)      AS avg_speed_kmh,
  max(speed_kmh)      AS max_speed_kmh,
  avg(throttle)       AS avg_throttle,
  avg(brake)          AS avg_brake,
  max(rpm)            AS max_rpm,
  avg(abs(g_lat))     AS avg_abs_g_lat,
  avg(abs(g_lon))     AS avg_abs_g_lon,
  min(fuel_kg)        AS min_fuel_kg
FROM frames
GROUP BY session_id, car_id, bucket
WITH NO DATA;

SELECT add_continuous_aggregate_policy('frames_per_second',
  start_offset => INTERVAL '1 hour',
  end_offset => INTERVAL '10 seconds',
  schedule_interval => INTERVAL '1 minute');
