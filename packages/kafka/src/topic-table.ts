import type { TopicResult } from './topic-plan';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Retention as an operator reads it: 3d, 12h, 90s, forever. */
export function formatRetention(ms: number): string {
  if (ms < 0) return 'forever';
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The kafka:setup report: one row per catalogue topic, differences under the row that has them. */
export function renderTopicTable(results: TopicResult[]): string {
  const header = ['TOPIC', 'PARTITIONS', 'REPLICATION', 'CLEANUP', 'RETENTION', 'COMPRESSION', 'STATUS'];
  const rows = results.map((r) => [
    r.topic,
    String(r.spec.partitions),
    String(r.spec.replicationFactor),
    r.spec.cleanupPolicy,
    formatRetention(r.spec.retentionMs),
    r.spec.compression,
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header)];
  results.forEach((r, i) => {
    out.push(line(rows[i]));
    for (const d of r.details) out.push(`    - ${d}`);
  });
  return out.join('\n');
}
