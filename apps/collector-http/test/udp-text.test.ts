import * as dgram from 'node:dgram';
import { Source } from '@pitwall/proto';
import { splitCsvRow } from '../src/udp-text';
import { eventually, grCupPoint, seedPoint, startHarness, type Harness } from './helpers';

const HEADER = 'vehicle_id,timestamp,lap,speed,aps,pbrake_f,gear,VBOX_Lat_Min';

async function send(h: Harness, text: string): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => socket.send(text, h.app.udpPort!, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  socket.close();
}

async function udpSource(h: Harness): Promise<{ frames: number; errors: number; lastError?: string }> {
  const report = await h.health.report();
  return (report.checks['collector-http']!.detail as { sources: Record<string, { frames: number; errors: number; lastError?: string }> }).sources.udp!;
}

describe('UDP text ingest', () => {
  let h: Harness;
  afterEach(() => h.stop());

  test('a JSON datagram (the seed nc example), a JSON array, and several lines in one datagram', async () => {
    h = await startHarness();
    await send(h, JSON.stringify(seedPoint(0)));
    await send(h, JSON.stringify([grCupPoint(0), grCupPoint(1)]));
    await send(h, `${JSON.stringify(grCupPoint(2))}\n${JSON.stringify(grCupPoint(3))}\n`);
    await eventually(() => expect(h.frames).toHaveLength(5));
    expect(h.frames.every((f) => f.source === Source.SOURCE_UDP_TEXT)).toBe(true);
    expect(h.frames.find((f) => f.carId === 'GR86-001')).toMatchObject({ sessionId: 'udp:sebring:2025-11-20', speedKmh: 180 });
    expect(await udpSource(h)).toMatchObject({ frames: 5, errors: 0 });
  });

  test('CSV rows read with UDP_CSV_HEADER; a repeated header row is skipped; numbers and ISO times are parsed', async () => {
    h = await startHarness({ env: { UDP_CSV_HEADER: HEADER } });
    await send(h, `${HEADER}\nGR86-004,2025-04-04T18:10:00.000Z,5,171.5,55,12,5,33.53\n"GR86-004",1743790200100,5,172,56,0,5,33.54`);
    await eventually(() => expect(h.frames).toHaveLength(2));
    expect(h.frames[0]).toMatchObject({ carId: 'GR86-004', lap: 5, speedKmh: 171.5, gear: 5, extras: { pbrake_f: 12, VBOX_Lat_Min: 33.53 } });
    expect(h.frames[0]!.throttle).toBeCloseTo(0.55);
    expect(h.frames[0]!.brake).toBeCloseTo(0.12);
    expect(h.frames[1]!.sourceTimeUs).toBe(1743790200100 * 1000);
  });

  test('bad lines are counted and skipped, the good lines of the same datagram still count, nothing throws', async () => {
    h = await startHarness({ env: { UDP_CSV_HEADER: HEADER } });
    const lines = [
      JSON.stringify(grCupPoint(0)),
      '{"vehicle_id": "a", "speed": ',
      'GR86-004,2025-04-04T18:10:00.000Z,5,171.5', // too few columns
      JSON.stringify({ ...grCupPoint(1), gear: 'top' }),
      'GR86-004,2025-04-04T18:10:00.000Z,5,fast,55,12,5,33.53',
      '"unterminated,2025,5,1,1,1,1,1',
      JSON.stringify(grCupPoint(2)),
    ];
    await send(h, lines.join('\n'));
    await send(h, Buffer.from([0xff, 0xfe, 0x00, 0x0a]).toString('latin1'));
    await eventually(async () => expect((await udpSource(h)).errors).toBe(6));
    await eventually(() => expect(h.frames.map((f) => f.speedKmh)).toEqual([150, 152]));
    const metrics = await h.metrics.render();
    expect(metrics.body).toMatch(/pitwall_ingest_errors_total\{source="udp",transport="udp",reason="invalid_json",app="collector-http"\} 1/);
    expect(metrics.body).toMatch(/pitwall_ingest_errors_total\{source="udp",transport="udp",reason="invalid_point",app="collector-http"\} 5/);
    // Still serving.
    await send(h, JSON.stringify(grCupPoint(3)));
    await eventually(() => expect(h.frames).toHaveLength(3));
  });

  test('without UDP_CSV_HEADER a CSV row is refused with a reason that says so', async () => {
    h = await startHarness({ env: { UDP_SOURCE: 'trackside' } });
    await send(h, 'GR86-004,2025-04-04T18:10:00.000Z,5');
    const report = await h.health.report();
    await eventually(async () => {
      const sources = ((await h.health.report()).checks['collector-http']!.detail as { sources: Record<string, { errors: number; lastError: string }> }).sources;
      expect(sources.trackside!.errors).toBe(1);
      expect(sources.trackside!.lastError).toMatch(/UDP_CSV_HEADER is not set/);
    });
    expect(report.status).toBe('ok');
  });
});

describe('splitCsvRow', () => {
  test('follows RFC 4180 quoting', () => {
    expect(splitCsvRow('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvRow('"a,b","say ""hi""",3')).toEqual(['a,b', 'say "hi"', '3']);
  });
});
