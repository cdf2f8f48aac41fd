-- The model's latest word per (session, car, lap, sector); a lap-level insight has sector NULL,
-- and NULLS NOT DISTINCT makes that one row too. The newest generated_at wins.
CREATE TABLE insights (
  session_id                    text             NOT NULL,
  car_id                        text             NOT NULL,
  lap                           integer          NOT NULL,
  sector                        integer,
  track                         text             NOT NULL,
  lap_tyre_stress               double precision NOT NULL,
  per_sector_stress             jsonb            NOT NULL,  -- {"<sector>": stress}
  predicted_loss_per_lap_s      double precision NOT NULL,
  laps_until_0_5s_loss          double precision,
  confidence                    double precision NOT NULL,
  top_factors                   jsonb            NOT NULL,  -- [{"name", "weight"}]
  explanation                   text             NOT NULL,
  generated_at                  timestamptz      NOT NULL,
  CONSTRAINT insights_key UNIQUE NULLS NOT DISTINCT (session_id, car_id, lap, sector)
);
