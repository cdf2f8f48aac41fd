import { Metrics } from '@pitwall/metrics';
import { SourceStats } from '../src/source-stats';

describe('SourceStats', () => {
  test('rate is frames per second over the last 10 s, and decays when a source goes quiet', () => {
    let now = 1_000_000;
    const stats = new SourceStats(10, new Metrics('t'), () => now);
    for (let s = 0; s < 10; s++) {
      stats.accepted('a', 'http', 50);
      now += 1000;
    }
    now -= 1000;
    expect(stats.report().a!.rate).toBe(50);
    now += 5000;
    expect(stats.report().a!.rate).toBe(25);
    now += 60_000;
    expect(stats.report().a).toMatchObject({ rate: 0, frames: 500, batches: 10, lastSeen: new Date(1_000_000 + 9000).toISOString() });
  });

  test('at the limit the least recently seen source is forgotten and counted', async () => {
    let now = 0;
    const metrics = new Metrics('t');
    const stats = new SourceStats(2, metrics, () => now);
    stats.accepted('a', 'http', 1);
    now++;
    stats.accepted('b', 'udp', 1);
    now++;
    stats.rejected('a', 'http', 'invalid_point', 'x'); // a is now the most recent
    now++;
    stats.accepted('c', 'device', 1);
    expect(Object.keys(stats.report()).sort()).toEqual(['a', 'c']);
    expect(stats.size).toBe(2);
    expect(await metrics.counter('pitwall_ingest_sources_evicted_total', '').value()).toBe(1);
    expect(stats.report().a).toMatchObject({ frames: 1, errors: 1, batches: 2, transports: ['http'] });
  });
});
