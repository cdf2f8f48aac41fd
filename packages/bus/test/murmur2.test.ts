import { Partitioners } from 'kafkajs';
import { murmur2, partitionForKey } from '@pitwall/bus';

describe('murmur2', () => {
  it("matches the Java client's published test vectors", () => {
    // Kafka's UtilsTest.testMurmur2.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, expected] of cases) expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it("maps keys to the same partitions as kafkajs' DefaultPartitioner", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const partitions of [3, 4, 12, 10]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, p) => ({ partitionId: p, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      for (let i = 0; i < 2000; i++) {
        const key = i % 3 === 0 ? `${BigInt(2) ** BigInt(63) + BigInt(i * 7919)}` : `session-${i}-${'x'.repeat(i % 11)}`;
        const theirs = partitioner({ topic: 't', partitionMetadata, message: { key, value: 'v' } });
        expect(partitionForKey(key, partitions)).toBe(theirs);
      }
    }
  });
});
