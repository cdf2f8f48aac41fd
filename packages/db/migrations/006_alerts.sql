-- One row per alert episode: raise and clear share alert_id, and the message with the newest
-- `at` wins, so a clear that arrives before its raise still leaves the episode cleared.
CREATE TABLE alerts (
  alert_id   text        PRIMARY KEY,
  session_id text        NOT NULL,
  car_id     text        NOT NULL,
  code       text        NOT NULL,
  severity   smallint    NOT NULL,  -- pitwall.v1.AlertSeverity enum number
  message    text        NOT NULL,
  cleared    boolean     NOT NULL,
  raised_at  timestamptz NOT NULL,
  at         timestamptz NOT NULL,
  evidence   jsonb       NOT NULL,
  lap        integer     NOT NULL
);
CREATE INDEX alerts_session_car_at ON alerts (session_id, car_id, at DESC);
