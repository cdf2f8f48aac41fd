-- Plain PostgreSQL: native range partitioning by day on `time`. Day partitions (frames_pYYYYMMDD,
-- UTC days) are created ahead of time and dropped after the retention period by
-- maintainPartitions(); the writer also creates the partition of any day a batch touches.
CREATE TABLE frames (LIKE frame_columns INCLUDING ALL) PARTITION BY RANGE (time);
ALTER TABLE frames ADD CONSTRAINT frames_pkey PRIMARY KEY (session_id, car_id, time, sequence);
