-- Where each consumer group resumes, stored in the same transaction as the rows it wrote, so the
-- database holds exactly the frames up to the offset it records (exactly-once into storage).
CREATE TABLE consumer_offsets (
  group_id    text        NOT NULL,
  topic       text        NOT NULL,
  partition   integer     NOT NULL CHECK (partition >= 0),
  next_offset bigint      NOT NULL CHECK (next_offset >= 0),  -- the next offset to read, as Kafka commits it
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);
