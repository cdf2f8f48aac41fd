import { codecs, Source, type TelemetryFrame } from '@pitwall/proto';
import { SnapshotError, type Output } from '@pitwall/race-analysis';
import { PartitionAnalysis, type AnalysisLimits } from '../src/partition-analysis';
import { stintFrames } from '../src/synthetic-stint';

const limits: AnalysisLimits = { maxSessionsPerPartition: 2, maxCarsPerSession: 10, rpmLimitsByCarModel: { gr86: 7500 }, rpmLimitsBySource: { F1: 13_500 } };

function feed(analysis: PartitionAnalysis, frames: TelemetryFrame[], wallMs = 1000): Output[] {
  const out: Output[] = [];
  for (const f of frames) analysis.ingest(f, wallMs, out);
  return out;
}

const codes = (out: Output[]) => out.flatMap((o) => (o.kind === 'alert' ? [`${o.alert.carId}:${o.alert.code}:${o.alert.cleared ? 'clear' : 'raise'}`] : []));

describe('partition analysis', () => {
  test('past the session cap the least recently heard-from session is closed: its lap in progress comes out abandoned', () => {
    const analysis = new PartitionAnalysis(limits);
    const oneLap = (sessionId: string) => stintFrames({ sessionId, carId: '1', laps: 1 }).slice(0, 200);
    feed(analysis, oneLap('s1'), 1000);
    feed(analysis, oneLap('s2'), 2000);
    expect(analysis.stats).toEqual({ sessions: 2, cars: 2, sessionsEvictedForCapacity: 0 });
    const out = feed(analysis, oneLap('s3'), 3000);
    const closed = out.filter((o) => o.kind === 'lap').map((o) => (o.kind === 'lap' ? o.lap : null))!;
    expect(closed).toHaveLength(1);
    expect(closed[0]!.sessionId).toBe('s1');
    expect(closed[0]!.invalidReason).toContain('abandoned before the line');
    expect(analysis.stats).toEqual({ sessions: 2, cars: 2, sessionsEvictedForCapacity: 1 });
    expect(analysis.snapshot().map((s) => s.sessionId).sort()).toEqual(['s2', 's3']);
  });

  test('each session runs on its own clock: a replay from years back and a live session both fall silent only after 3 s of wall time', () => {
    const analysis = new PartitionAnalysis(limits);
    const live = stintFrames({ sessionId: 'live', carId: '1', laps: 1 }).slice(0, 50);
    const replay = stintFrames({ sessionId: 'replay', carId: '9', laps: 1, startUs: 1_500_000_000_000_000 }).slice(0, 50);
    feed(analysis, [...live, ...replay], 10_000);
    expect(codes(analysis.housekeeping(12_000, 600e6))).toEqual([]);
    expect(codes(analysis.housekeeping(13_500, 600e6)).sort()).toEqual(['1:DATA_DROPOUT:raise', '9:DATA_DROPOUT:raise']);
    // Idle past the limit: closed, alerts cleared, sessions forgotten.
    const evicted = analysis.housekeeping(20_000, 5e6);
    expect(codes(evicted).sort()).toEqual(['1:DATA_DROPOUT:clear', '9:DATA_DROPOUT:clear']);
    expect(analysis.stats.sessions).toBe(0);
  });

  test('the rpm limit: car model first, then the source default, then the analysis default', () => {
    const analysis = new PartitionAnalysis(limits);
    const over = (sessionId: string, source: Source, carModel: string, rpm: number) =>
      stintFrames({ sessionId, carId: sessionId, laps: 1, source, carModel, maxRpm: 5000, overRevLap: 1, overRevRpm: rpm }).slice(0, 400);
    const out = feed(analysis, [
      ...over('gr86-at-7800', Source.SOURCE_F1, 'GR86 Cup', 7800), // the model's 7,500 beats F1's 13,500
      ...over('f1-at-13000', Source.SOURCE_F1, 'Mercedes', 13_000), // under F1's 13,500
    ]);
    const other = new PartitionAnalysis(limits);
    const out2 = feed(other, over('acc-at-9500', Source.SOURCE_ACC, 'Porsche 992', 9500)); // over the 9,000 default
    expect(codes([...out, ...out2]).filter((c) => c.endsWith('raise'))).toEqual(['gr86-at-7800:HIGH_RPM:raise', 'acc-at-9500:HIGH_RPM:raise']);
  });

  test('a snapshot that does not fit is refused and the state is kept', () => {
    const analysis = new PartitionAnalysis(limits);
    feed(analysis, stintFrames({ sessionId: 'kept', carId: '1', laps: 1 }).slice(0, 100));
    const good = analysis.snapshot();
    expect(() => analysis.restore([good[0]!, good[0]!], 0)).toThrow(/appears twice/);
    expect(() => analysis.restore([{ ...good[0]!, analyzer: { version: 2 } as never }], 0)).toThrow(SnapshotError);
    expect(() => analysis.restore([good[0]!, { ...good[0]!, sessionId: 'b' }, { ...good[0]!, sessionId: 'c' }], 0)).toThrow(/exceed/);
    expect(analysis.snapshot()).toEqual(good);
    // Round trip through JSON (as on the state topic) continues identically.
    const restored = new PartitionAnalysis(limits);
    restored.restore(JSON.parse(JSON.stringify(good)), 0);
    const rest = stintFrames({ sessionId: 'kept', carId: '1', laps: 2 }).slice(100);
    const encode = (out: Output[]) => out.map((o) => (o.kind === 'lap' ? codecs.lap.encode(o.lap) : o.kind === 'insight' ? codecs.insight.encode(o.insight) : codecs.alert.encode(o.alert)));
    expect(encode(feed(restored, rest))).toEqual(encode(feed(analysis, rest)));
  });
});
