-- One row per (session, car, lap): LapSummary. The most recently completed version wins.
CREATE TABLE laps (
  session_id         text               NOT NULL,
  car_id             text               NOT NULL,
  lap                integer            NOT NULL,
  track              text               NOT NULL,
  driver_name        text               NOT NULL,
  lap_time_s         double precision   NOT NULL,
  sector_times_s     double precision[] NOT NULL,
  max_speed_kmh      double precision   NOT NULL,
  avg_speed_kmh      double precision   NOT NULL,
  throttle_share     double precision   NOT NULL,
  brake_share        double precision   NOT NULL,
  tyre_stress        double precision   NOT NULL,
  sector_tyre_stress double precision[] NOT NULL,
  fuel_used_kg       double precision,
  valid              boolean            NOT NULL,
  invalid_reason     text               NOT NULL,
  started_at         timestamptz        NOT NULL,
  completed_at       timestamptz        NOT NULL,
  frames             bigint             NOT NULL,
  PRIMARY KEY (session_id, car_id, lap)
);
CREATE INDEX laps_track_valid_time ON laps (track, lap_time_s) WHERE valid;
