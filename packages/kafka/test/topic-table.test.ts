import { formatRetention, renderTopicTable, topicCatalogue, type TopicResult } from '../src';

describe('renderTopicTable', () => {
  it('lines columns up and lists differences under their topic', () => {
    const catalogue = topicCatalogue();
    const telemetry = catalogue.find((t) => t.role === 'telemetry')!;
    const sessions = catalogue.find((t) => t.role === 'sessions')!;
    const results: TopicResult[] = [
      { topic: telemetry.name, spec: telemetry, status: 'mismatch', details: ['partitions: want 12, have 24 (Kafka cannot remove partitions)'] },
      { topic: sessions.name, spec: sessions, status: 'created', details: [] },
    ];
    expect(renderTopicTable(results).split('\n')).toEqual([
      'TOPIC               PARTITIONS  REPLICATION  CLEANUP  RETENTION  COMPRESSION  STATUS',
      'telemetry           12          1            delete   3d         gzip         mismatch',
      '    - partitions: want 12, have 24 (Kafka cannot remove partitions)',
      'telemetry.sessions  3           1            compact  forever    gzip         created',
    ]);
  });

  it.each([
    [-1, 'forever'],
    [3 * 86_400_000, '3d'],
    [36 * 3_600_000, '36h'],
    [90_000, '90s'],
    [1500, '1500ms'],
  ])('formats retention %d ms as %s', (ms, text) => {
    expect(formatRetention(ms)).toBe(text);
  });
});
