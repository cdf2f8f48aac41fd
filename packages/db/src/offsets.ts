import type { ClientBase, Pool } from 'pg';

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to read: the last written offset + 1, as Kafka commits it. */
  nextOffset: number;
}

/** The next offset per topic/partition after these deliveries, ordered by topic and partition. */
export function nextOffsets(records: { topic: string; partition: number; offset: number }[]): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>();
  for (const { topic, partition, offset } of records) {
    const key = `${topic}\0${partition}`;
    const current = next.get(key);
    if (!current || offset + 1 > current.nextOffset) next.set(key, { topic, partition, nextOffset: offset + 1 });
  }
  return [...next.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}

/**
 * Records the offsets in the caller's transaction. An offset only moves forward: a zombie member
 * of the group that writes an older batch after a rebalance cannot move it back.
 */
export async function storeOffsets(client: ClientBase, group: string, offsets: PartitionOffset[]): Promise<void> {
  if (offsets.length === 0) return;
  await client.query(
    `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
     SELECT $1, topic, partition, next_offset FROM unnest($2::text[], $3::int[], $4::bigint[]) AS o(topic, partition, next_offset)
     ON CONFLICT (group_id, topic, partition) DO UPDATE
       SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
    [group, offsets.map((o) => o.topic), offsets.map((o) => o.partition), offsets.map((o) => o.nextOffset)],
  );
}

/** Where `group` resumes on `topic`: partition → next offset, for the partitions it has written. */
export async function readOffsets(pool: Pool | ClientBase, group: string, topic: string): Promise<Map<number, number>> {
  const { rows } = await pool.query<{ partition: number; next_offset: string }>(
    'SELECT partition, next_offset FROM consumer_offsets WHERE group_id = $1 AND topic = $2 ORDER BY partition',
    [group, topic],
  );
  return new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
}
