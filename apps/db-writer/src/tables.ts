import type { Pool } from 'pg';
import { frameRowCodec, writeAlerts, writeFrameRows, writeInsights, writeLaps, writeSessions, type BatchResult, type WriteBatchOptions } from '@pitwall/db';
import type { TopicRole } from '@pitwall/kafka';
import { codecs, type Codec } from '@pitwall/proto';

/** One topic the writer stores, and the table writer that stores it. */
export interface TableSink<T> {
  role: TopicRole;
  table: string;
  codec: Codec<T>;
  write(pool: Pool, opts: WriteBatchOptions<T>): Promise<BatchResult<T>>;
}

const sink = <T>(role: TopicRole, table: string, codec: Codec<T>, write: TableSink<T>['write']): TableSink<T> => ({ role, table, codec, write });

/**
 * Every topic the db-writer consumes. Frames first: they are the volume, decoded straight into
 * their binary COPY rows (FrameRow) so the decoded objects do not wait in the queue.
 */
export const TABLE_SINKS = [
  sink('telemetry', 'frames', frameRowCodec, writeFrameRows),
  sink('laps', 'laps', codecs.lap, writeLaps),
  sink('insights', 'insights', codecs.insight, writeInsights),
  sink('alerts', 'alerts', codecs.alert, writeAlerts),
  sink('sessions', 'sessions', codecs.session, writeSessions),
] as TableSink<unknown>[];
