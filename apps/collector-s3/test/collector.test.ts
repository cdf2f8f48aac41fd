import { gzipSync } from 'node:zlib';
import { Source, type TelemetryFrame } from '@pitwall/proto';
import {
  FrameTap,
  LONG_HEADER,
  longRows,
  metricValue,
  newBus,
  startCollector,
  tempDir,
  testConfig,
  TestBucket,
  until,
  type LongSample,
  type RunningCollector,
} from './helpers';

jest.setTimeout(60_000);

let bucket: TestBucket;
let dir: Awaited<ReturnType<typeof tempDir>>;
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  bucket = await TestBucket.start();
  dir = await tempDir();
});

afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});

afterAll(async () => {
  await bucket?.stop();
  await dir?.remove();
});

/** A collector on its own prefix and checkpoint, and a tap on its bus. */
async function collect(prefix: string, over: Parameters<typeof testConfig>[2] = {}): Promise<{ tap: FrameTap; app: RunningCollector }> {
  const bus = newBus();
  const tap = await new FrameTap(bus).start();
  const app = await startCollector(bus, testConfig(bucket, `${dir.path}/${prefix.replace(/\//g, '_')}.json`, { prefix, ...over }));
  running.push(tap, app);
  return { tap, app };
}

const byId = (frames: TelemetryFrame[]) => new Map(frames.map((f) => [`${f.carId}|${Number(f.sequence)}`, f]));
const us = (iso: string) => Date.parse(iso) * 1000;

function wideCsv(cars: string[], rows: number, t0 = Date.UTC(2025, 8, 5, 18, 0, 0)): { text: string; expected: Map<string, Partial<TelemetryFrame>> } {
  const lines = ['vehicle_id,timestamp,lap,speed,nmot,aps,pbrake_f,pbrake_r,accx_can,accy_can,Steering_Angle,gear,Laptrigger_lapdist_dls,VBOX_Lat_Min,VBOX_Long_Minutes'];
  const expected = new Map<string, Partial<TelemetryFrame>>();
  for (let i = 0; i < rows; i++) {
    for (const [c, car] of cars.entries()) {
      const t = t0 + i * 100 + c; // 10 Hz per car, cars 1 ms apart
      const speed = 100 + i + c;
      lines.push(`${car},${new Date(t).toISOString()},${1 + Math.floor(i / 50)},${speed},${5000 + i},${(i % 101).toFixed(0)},${i % 20},${i % 7},0.${i % 10},-0.5,${(i % 9) * 45},${1 + (i % 6)},${i * 10},33.53${i},-86.61${i}`);
      expected.set(`${car}|${t * 1000}`, {
        lap: 1 + Math.floor(i / 50),
        speedKmh: speed,
        rpm: 5000 + i,
        gear: 1 + (i % 6),
        lapDistanceM: i * 10,
        extras: { pbrake_f: i % 20, pbrake_r: i % 7, Steering_Angle: (i % 9) * 45, VBOX_Lat_Min: Number(`33.53${i}`), VBOX_Long_Minutes: Number(`-86.61${i}`) },
      });
    }
  }
  return { text: `${lines.join('\n')}\n`, expected };
}

function expectFramesMatch(frames: TelemetryFrame[], expected: Map<string, Partial<TelemetryFrame>>): void {
  const got = byId(frames);
  expect(frames).toHaveLength(expected.size); // no duplicates, no extras
  expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [id, want] of expected) expect(got.get(id)).toMatchObject(want);
}

describe('collector-s3 against s3rver', () => {
  test('wide CSV: one frame per row with every GR Cup channel mapped', async () => {
    const { text, expected } = wideCsv(['GR86-002-2', 'GR86-004-78', 'GR86-010-16'], 120);
    await bucket.put('wide/barber_r1_wide.csv', text);
    const { tap, app } = await collect('wide/');
    await until(() => tap.frames.length >= expected.size && tap.frames.length > 0);
    await until(async () => (await app.detail()).objectsDone === 1);
    expectFramesMatch(tap.frames, expected);
    const f = tap.frames.find((x) => x.carId === 'GR86-004-78')!;
    expect(f).toMatchObject({ source: Source.SOURCE_S3_CSV, sessionId: 'barber_r1_wide', track: 'barber' });
    expect(Number(f.sourceTimeUs)).toBe(Number(f.sequence));
    expect(Number(f.ingestTimeUs)).toBeGreaterThan(Number(f.sourceTimeUs));
    expect(await metricValue(app.metrics, 'pitwall_s3_rows_total')).toBe(360);
    expect(await metricValue(app.metrics, 'pitwall_s3_bytes_total')).toBe(Buffer.byteLength(text));
  });

  test('long CSV: channel rows pivoted into one frame per (vehicle, timestamp), interleaved cars included', async () => {
    const samples: LongSample[] = [];
    for (let i = 0; i < 40; i++) {
      for (const car of ['GR86-002-2', 'GR86-004-78']) {
        samples.push({
          vehicle: car,
          timestamp: new Date(Date.UTC(2025, 8, 7, 15, 0, 0) + i * 50).toISOString(),
          lap: 3,
          channels: { speed: 120 + i, nmot: 6000 + i, gear: 3, aps: 50, pbrake_f: 0, accx_can: 0.1, accy_can: -0.2, Steering_Angle: -225, Laptrigger_lapdist_dls: 100 + i, ath: 48.5 },
        });
      }
    }
    // Interleave: each pair of samples (one per car) is written channel by channel, alternating cars.
    const lines = [LONG_HEADER];
    for (let i = 0; i < samples.length; i += 2) {
      const a = longRows(samples[i]!);
      const b = longRows(samples[i + 1]!);
      for (let k = 0; k < a.length; k++) lines.push(a[k]!, b[k]!);
    }
    await bucket.put('long/R1_barber_telemetry_data.csv', `${lines.join('\n')}\n`);
    const { tap, app } = await collect('long/');
    await until(async () => (await app.detail()).objectsDone === 1);
    const expected = new Map(
      samples.map((s) => [
        `${s.vehicle}|${us(s.timestamp)}`,
        {
          sessionId: 'I_R06_2025-09-07/R1',
          lap: 3,
          speedKmh: s.channels.speed,
          rpm: s.channels.nmot,
          gear: 3,
          throttle: 0.5,
          brake: 0,
          steer: -0.5,
          lapDistanceM: s.channels.Laptrigger_lapdist_dls,
          extras: { pbrake_f: 0, Steering_Angle: -225, ath: 48.5 },
        } as Partial<TelemetryFrame>,
      ]),
    );
    expectFramesMatch(tap.frames, expected);
    expect(tap.frames[0]!.gLon).toBeCloseTo(0.1, 6);
    expect(await metricValue(app.metrics, 'pitwall_s3_rows_total')).toBe(lines.length - 1);
  });

  test('gzip: by .gz suffix and by Content-Encoding', async () => {
    const a = wideCsv(['GR86-1'], 50, Date.UTC(2025, 0, 1));
    const b = wideCsv(['GR86-2'], 70, Date.UTC(2025, 0, 2));
    await bucket.put('gz/a.csv.gz', gzipSync(a.text));
    await bucket.put('gz/b.csv', gzipSync(b.text), { contentEncoding: 'gzip' });
    const { tap, app } = await collect('gz/');
    await until(async () => (await app.detail()).objectsDone === 2);
    expectFramesMatch(tap.frames, new Map([...a.expected, ...b.expected]));
  });

  test('bad rows are reported with key and line; the rest of the file is published', async () => {
    const { text, expected } = wideCsv(['GR86-7'], 10, Date.UTC(2025, 1, 1));
    const lines = text.trimEnd().split('\n');
    const t = (i: number) => Date.UTC(2025, 1, 1) + i * 100;
    // Line numbers are 1-based with the header on line 1: data row i is on line i + 2.
    const setCell = (line: number, col: number, value: string) => {
      const cells = lines[line - 1]!.split(',');
      cells[col] = value;
      lines[line - 1] = cells.join(',');
    };
    setCell(4, 3, 'fast'); // speed not a number
    lines[5] = lines[5]!.split(',').slice(0, 5).join(','); // line 6: too few fields
    setCell(8, 1, 'yesterday'); // bad timestamp
    await bucket.put('bad/wide.csv', `${lines.join('\n')}\n`);
    const longLines = [LONG_HEADER, ...longRows({ vehicle: 'GR86-9', timestamp: '2025-02-02T00:00:00.000Z', lap: 1, channels: { speed: 100, nmot: 5000 } })];
    longLines.push(longLines[1]!.replace(',speed,100,', ',gear,x,')); // line 4: non-numeric value
    longLines.push(...longRows({ vehicle: 'GR86-9', timestamp: '2025-02-02T00:00:00.100Z', lap: 1, channels: { speed: 101, gear: 2.5 } })); // gear 2.5 on line 6
    longLines.push(...longRows({ vehicle: 'GR86-9', timestamp: '2025-02-02T00:00:00.200Z', lap: 1, channels: { speed: 102 } }));
    await bucket.put('bad/long.csv', `${longLines.join('\n')}\n`);

    const { tap, app } = await collect('bad/');
    await until(async () => (await app.detail()).objectsDone === 2);
    for (const i of [2, 4, 6]) expected.delete(`GR86-7|${t(i) * 1000}`);
    expected.set(`GR86-9|${us('2025-02-02T00:00:00.000Z')}`, { speedKmh: 100, rpm: 5000 });
    expected.set(`GR86-9|${us('2025-02-02T00:00:00.200Z')}`, { speedKmh: 102 });
    expectFramesMatch(tap.frames, expected);

    const detail = await app.detail();
    const reports = (detail.recentBadRows as { key: string; line: number; field?: string; reason: string }[]).map((r) => [r.key, r.line, r.field]);
    expect(reports).toEqual(
      expect.arrayContaining([
        ['bad/wide.csv', 4, 'speed'],
        ['bad/wide.csv', 6, undefined],
        ['bad/wide.csv', 8, 'timestamp'],
        ['bad/long.csv', 4, 'telemetry_value'],
        ['bad/long.csv', 6, 'gear'],
      ]),
    );
    // Three wide rows, one long row, and the two rows of the sample with gear 2.5.
    expect(detail.badRows).toBe(6);
    expect(await metricValue(app.metrics, 'pitwall_s3_bad_rows_total')).toBe(6);
  });

  test('pagination: more objects than one ListObjectsV2 page are all read, once', async () => {
    const all = new Map<string, Partial<TelemetryFrame>>();
    for (let i = 0; i < 23; i++) {
      const f = wideCsv([`GR86-${i}`], 3, Date.UTC(2025, 2, 1) + i * 1000);
      for (const [k, v] of f.expected) all.set(k, v);
      await bucket.put(`pages/${String(i).padStart(2, '0')}.csv`, f.text);
    }
    await bucket.put('pages/readme.txt', 'not a CSV');
    const { tap, app } = await collect('pages/', { listPageSize: 5 });
    await until(async () => (await app.detail()).objectsDone === 23);
    expectFramesMatch(tap.frames, all);
    // 24 keys in pages of 5: five pages per poll.
    expect(await metricValue(app.metrics, 'pitwall_s3_list_pages_total')).toBeGreaterThanOrEqual(5);
    expect((await metricValue(app.metrics, 'pitwall_s3_list_pages_total')) % 5).toBe(0);
  });

  test('objects already done are not downloaded again; a changed ETag is read again', async () => {
    const first = wideCsv(['GR86-5'], 20, Date.UTC(2025, 3, 1));
    await bucket.put('etag/a.csv', first.text);
    const { tap, app } = await collect('etag/');
    await until(async () => (await app.detail()).objectsDone === 1);
    const bytes = await metricValue(app.metrics, 'pitwall_s3_bytes_total');
    const polls = await metricValue(app.metrics, 'pitwall_s3_polls_total');
    await until(async () => (await metricValue(app.metrics, 'pitwall_s3_polls_total')) >= polls + 5);
    expect(await metricValue(app.metrics, 'pitwall_s3_bytes_total')).toBe(bytes);
    expect(tap.frames).toHaveLength(20);

    // The logger appends ten more rows and uploads the file again: a new ETag.
    const second = wideCsv(['GR86-5'], 30, Date.UTC(2025, 3, 1));
    await bucket.put('etag/a.csv', second.text);
    await until(async () => (await app.detail()).objectsDone === 2);
    expect(await metricValue(app.metrics, 'pitwall_s3_bytes_total')).toBe(bytes + Buffer.byteLength(second.text));
    // All 30 rows again, with the same (car, sequence) for the first 20: storage keeps one copy.
    expect(tap.frames).toHaveLength(50);
    expect(new Set(tap.ids())).toEqual(new Set(second.expected.keys()));
  });
});
