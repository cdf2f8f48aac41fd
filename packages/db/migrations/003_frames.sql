-- One row per TelemetryFrame: a typed column for every field (wheel sets and the world position
-- flattened), plus the unmodelled channels as jsonb. The column list lives here once; the storage
-- variant that runs right after (003_frames.postgres.sql or 003_frames.timescaledb.sql) creates
-- `frames` LIKE this template, partitioned its own way. (The template is dropped at the end of
-- the migration's transaction; the runner always wraps a migration in one.)
--
-- `time` is the frame's source time (or its ingest time when the source has none), computed from
-- the frame alone, so a retried or replayed frame lands on the same time, the same partition and
-- the same key. The key is (session_id, car_id, time, sequence): both partitioning schemes require
-- the time column in every unique index, and since time is a function of the frame, a frame is
-- still stored once per (session_id, car_id, sequence).
CREATE TEMPORARY TABLE frame_columns (
  session_id          text             NOT NULL,
  car_id              text             NOT NULL,
  sequence            bigint           NOT NULL,
  time                timestamptz      NOT NULL,
  ingest_time         timestamptz      NOT NULL,
  source              smallint         NOT NULL,  -- pitwall.v1.Source enum number
  driver_name         text             NOT NULL,
  car_model           text             NOT NULL,
  track               text             NOT NULL,
  session_time_s      double precision,
  lap                 integer          NOT NULL,
  lap_distance_m      real,
  normalized_position real,
  sector              integer,
  race_position       integer,
  current_lap_time_ms integer,
  last_lap_time_ms    integer,
  in_pit              boolean,
  lap_invalid         boolean,
  speed_kmh           real,
  throttle            real,
  brake               real,
  clutch              real,
  steer               real,
  gear                smallint,
  rpm                 real,
  g_lat               real,
  g_lon               real,
  g_vert              real,
  world_x_m           real,
  world_y_m           real,
  world_z_m           real,
  yaw_rad             real,
  tyre_surface_temp_c_rl real, tyre_surface_temp_c_rr real, tyre_surface_temp_c_fl real, tyre_surface_temp_c_fr real,
  tyre_inner_temp_c_rl   real, tyre_inner_temp_c_rr   real, tyre_inner_temp_c_fl   real, tyre_inner_temp_c_fr   real,
  tyre_pressure_psi_rl   real, tyre_pressure_psi_rr   real, tyre_pressure_psi_fl   real, tyre_pressure_psi_fr   real,
  tyre_wear_rl           real, tyre_wear_rr           real, tyre_wear_fl           real, tyre_wear_fr           real,
  brake_temp_c_rl        real, brake_temp_c_rr        real, brake_temp_c_fl        real, brake_temp_c_fr        real,
  fuel_kg             real,
  extras              jsonb                        -- {"channel": number}; NULL when the frame has none
) ON COMMIT DROP;
