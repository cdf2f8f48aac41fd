-- One row per session (SessionInfo, from the compacted sessions topic); the newest update wins.
CREATE TABLE sessions (
  session_id     text        PRIMARY KEY,
  source         smallint    NOT NULL,  -- pitwall.v1.Source enum number
  track          text        NOT NULL,
  session_type   text        NOT NULL,
  track_length_m real,
  started_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  ended          boolean     NOT NULL,
  cars           jsonb       NOT NULL,  -- CarInfo[] as JSON
  attributes     jsonb       NOT NULL
);
CREATE INDEX sessions_started_at ON sessions (started_at DESC);
