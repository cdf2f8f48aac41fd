import * as http from 'node:http';
import { codecs, Source } from '@pitwall/proto';
import { delimited, eventually, grCupPoint, post, seedPoint, startHarness, type Harness } from './helpers';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('POST /api/ingest, open (no tokens)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { INGEST_MAX_BODY_BYTES: '4096', INGEST_MAX_STREAM_BYTES: '20000', INGEST_STREAM_BATCH_FRAMES: '2' } });
  });
  afterEach(() => h.stop());

  test('one JSON point (the seed curl example) → one frame on the bus', async () => {
    const res = await fetch(h.url('/api/ingest'), { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(seedPoint(0)) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, accepted: 1 });
    await eventually(() => expect(h.frames).toHaveLength(1));
    expect(h.frames[0]).toMatchObject({ carId: 'GR86-001', track: 'sebring', speedKmh: 180, source: Source.SOURCE_HTTP, sessionId: 'http:sebring:2025-11-20' });
  });

  test('a JSON array batch, GR Cup channels', async () => {
    const res = await post(h.url('/api/ingest'), JSON.stringify([grCupPoint(0), grCupPoint(1), grCupPoint(2)]), JSON_TYPE);
    expect(res).toMatchObject({ status: 200, body: { accepted: 3 } });
    await eventually(() => expect(h.frames).toHaveLength(3));
    expect(h.frames.map((f) => f.speedKmh)).toEqual([150, 151, 152]);
    expect(h.frames[0]!.throttle).toBeCloseTo(0.8);
    expect(h.frames[0]!.extras).toMatchObject({ pbrake_f: 50, pbrake_r: 20, VBOX_Lat_Min: 33.5326 });
  });

  test('a retried batch keeps its sequences (timestamps), so storage can drop the repeat', async () => {
    const body = JSON.stringify([grCupPoint(0), grCupPoint(1)]);
    await post(h.url('/api/ingest'), body, JSON_TYPE);
    await post(h.url('/api/ingest'), body, JSON_TYPE);
    await eventually(() => expect(h.frames).toHaveLength(4));
    const ids = h.frames.map((f) => `${f.sessionId}/${f.carId}/${f.sequence}`);
    expect(new Set(ids).size).toBe(2);
  });

  test('NDJSON is published while the request is still streaming', async () => {
    const reply = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(h.url('/api/ingest'), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write(`${JSON.stringify(grCupPoint(0))}\n${JSON.stringify(grCupPoint(1))}\n`);
      // The body is not finished, yet its first lines reach the bus (batches of 2).
      eventually(() => expect(h.frames).toHaveLength(2))
        .then(() => {
          req.write(`${JSON.stringify(grCupPoint(2))}\n\n`);
          req.end(JSON.stringify(grCupPoint(3))); // last line without a newline
        })
        .catch(reject);
    });
    const res = await reply;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true, accepted: 4 });
    await eventually(() => expect(h.frames).toHaveLength(4));
  });

  test('a client that drops an NDJSON stream midway: what arrived is published, the abort is counted, the server goes on', async () => {
    const req = http.request(h.url('/api/ingest'), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } });
    req.on('error', () => {});
    req.write(`${JSON.stringify(grCupPoint(0))}\n${JSON.stringify(grCupPoint(1))}\n`);
    await eventually(() => expect(h.frames).toHaveLength(2));
    req.destroy();
    await eventually(async () => {
      const detail = (await h.health.report()).checks['collector-http']!.detail as { sources: Record<string, { errors: number; lastError: string }> };
      expect(detail.sources.http!.lastError).toMatch(/aborted/);
    });
    expect((await post(h.url('/api/ingest'), JSON.stringify(grCupPoint(5)), JSON_TYPE)).status).toBe(200);
  });

  test('one protobuf TelemetryFrame (application/x-protobuf)', async () => {
    const bytes = Buffer.from(codecs.frame.encode({ sessionId: 'pb-1', carId: '7', sourceTimeUs: 1_700_000_000_000_001, speedKmh: 99 }));
    const res = await post(h.url('/api/ingest'), bytes, { 'content-type': 'application/x-protobuf' });
    expect(res).toMatchObject({ status: 200, body: { accepted: 1 } });
    await eventually(() => expect(h.frames).toHaveLength(1));
    expect(h.frames[0]).toMatchObject({ sessionId: 'pb-1', carId: '7', sequence: 1_700_000_000_000_001, speedKmh: 99, source: Source.SOURCE_HTTP });
    expect(h.frames[0]!.ingestTimeUs).toBeGreaterThan(0);
  });

  test('length-delimited protobuf frames (application/x-protobuf; delimited=true)', async () => {
    const frames = [1, 2, 3, 4, 5].map((i) => ({ sessionId: 'pb-2', carId: 'c', sequence: i, lap: i }));
    const res = await post(h.url('/api/ingest'), delimited(frames), { 'content-type': 'application/x-protobuf; delimited=true' });
    expect(res).toMatchObject({ status: 200, body: { accepted: 5 } });
    await eventually(() => expect(h.frames.map((f) => f.lap)).toEqual([1, 2, 3, 4, 5]));
  });

  test('400 names the index and field of a bad array item, and nothing of the array is published', async () => {
    const bad = { ...grCupPoint(2), gear: 'fourth' };
    const res = await post(h.url('/api/ingest'), JSON.stringify([grCupPoint(0), grCupPoint(1), bad]), JSON_TYPE);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_point', index: 2, field: 'gear', accepted: 0 });
    expect(res.body.reason).toMatch(/gear: not a number: "fourth"/);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.frames).toHaveLength(0);
  });

  test('400 for a point without a car, for broken JSON and for a bad NDJSON line (items before it are accepted)', async () => {
    const noCar = await post(h.url('/api/ingest'), JSON.stringify({ speed: 1 }), JSON_TYPE);
    expect(noCar.body).toMatchObject({ error: 'invalid_point', index: 0, field: 'vehicle_id' });
    const broken = await post(h.url('/api/ingest'), '{"speed": ', JSON_TYPE);
    expect(broken).toMatchObject({ status: 400, body: { error: 'invalid_json', index: null, field: null } });
    const lines = [grCupPoint(0), grCupPoint(1), grCupPoint(2)].map((p) => JSON.stringify(p));
    lines.splice(2, 0, '{"vehicle_id": "x", "lap": "three"}');
    const nd = await post(h.url('/api/ingest'), lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    expect(nd).toMatchObject({ status: 400, body: { error: 'invalid_point', index: 2, field: 'lap', accepted: 2 } });
    await eventually(() => expect(h.frames).toHaveLength(2));
  });

  test('400 names the missing identity field of a protobuf frame in a delimited stream', async () => {
    const body = delimited([{ sessionId: 's', carId: 'a', sequence: 1 }, { sessionId: 's', sequence: 2 }]);
    const res = await post(h.url('/api/ingest'), body, { 'content-type': 'application/x-protobuf; delimited=true' });
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_point', index: 1, field: 'carId', accepted: 1 } });
  });

  test('413 when Content-Length is over the body limit', async () => {
    const big = JSON.stringify(Array.from({ length: 40 }, (_, i) => grCupPoint(i)));
    expect(big.length).toBeGreaterThan(4096);
    const res = await post(h.url('/api/ingest'), big, JSON_TYPE);
    expect(res).toMatchObject({ status: 413, body: { error: 'too_large' } });
    expect(h.frames).toHaveLength(0);
  });

  test('413 for a chunked JSON body that grows over the limit', async () => {
    const res = await new Promise<number>((resolve, reject) => {
      const req = http.request(h.url('/api/ingest'), { method: 'POST', headers: JSON_TYPE }, (r) => {
        r.resume();
        resolve(r.statusCode!);
      });
      req.on('error', reject);
      req.write('[');
      for (let i = 0; i < 40; i++) req.write(`${JSON.stringify(grCupPoint(i))},`);
      req.end(`${JSON.stringify(grCupPoint(99))}]`);
    });
    expect(res).toBe(413);
  });

  test('413 for an NDJSON stream over the stream limit, counted as it arrives; what came before is published', async () => {
    const res = await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = http.request(h.url('/api/ingest'), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } }, (r) => {
        let text = '';
        r.on('data', (c) => (text += c));
        r.on('end', () => resolve({ status: r.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      let i = 0;
      // Keep writing until the server answers; it must not wait for the end of the body.
      const pump = () => {
        if (req.destroyed || i > 1000) return;
        req.write(`${JSON.stringify(grCupPoint(i++))}\n`, () => setImmediate(pump));
      };
      pump();
    });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('too_large');
    expect(res.body.accepted).toBeGreaterThan(0);
    await eventually(() => expect(h.frames.length).toBe(res.body.accepted));
  });

  test('415 for a content type that is not JSON, NDJSON or protobuf, and for compressed bodies', async () => {
    const csv = await post(h.url('/api/ingest'), 'a,b\n1,2', { 'content-type': 'text/csv' });
    expect(csv).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    const none = await post(h.url('/api/ingest'), '{}', {});
    expect(none.status).toBe(415);
    const gz = await post(h.url('/api/ingest'), '{}', { ...JSON_TYPE, 'content-encoding': 'gzip' });
    expect(gz).toMatchObject({ status: 415, body: { error: 'unsupported_encoding' } });
  });

  test('405 for GET, 404 elsewhere', async () => {
    const get = await fetch(h.url('/api/ingest'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(h.url('/nope'))).status).toBe(404);
  });

  test('per-source health and metrics on the same port', async () => {
    await post(h.url('/api/ingest'), JSON.stringify([grCupPoint(0), grCupPoint(1)]), JSON_TYPE);
    await post(h.url('/api/ingest'), JSON.stringify({ speed: 1 }), JSON_TYPE);
    for (const path of ['/health', '/api/health']) {
      const res = await fetch(h.url(path));
      expect(res.status).toBe(200);
      const report = (await res.json()) as { ok?: boolean; checks: Record<string, { detail: { open: boolean; sources: Record<string, { frames: number; errors: number; lastSeen: string; rate: number; lastError: string }> } }> };
      const detail = report.checks['collector-http']!.detail;
      expect(detail.open).toBe(true);
      expect(detail.sources.http).toMatchObject({ frames: 2, errors: 1 });
      expect(detail.sources.http!.rate).toBeCloseTo(0.2);
      expect(Date.parse(detail.sources.http!.lastSeen)).toBeGreaterThan(Date.now() - 5000);
      expect(detail.sources.http!.lastError).toMatch(/invalid_point/);
      if (path === '/api/health') expect(report.ok).toBe(true);
    }
    const metrics = await (await fetch(h.url('/metrics'))).text();
    expect(metrics).toMatch(/pitwall_ingest_frames_total\{source="http",transport="http",app="collector-http"\} 2/);
    expect(metrics).toMatch(/pitwall_ingest_errors_total\{source="http",transport="http",reason="invalid_point",app="collector-http"\} 1/);
  });
});

describe('POST /api/ingest stream timing', () => {
  test('a stream that keeps sending lives longer than the idle timeout; a stalled one is cut after INGEST_IDLE_TIMEOUT_MS', async () => {
    const h = await startHarness({ env: { INGEST_IDLE_TIMEOUT_MS: '300', INGEST_STREAM_BATCH_FRAMES: '1' } });
    try {
      const req = http.request(h.url('/api/ingest'), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } });
      const outcome = new Promise<string>((resolve) => {
        req.on('response', (res) => resolve(`status ${res.statusCode}`));
        req.on('error', (err) => resolve(`error ${(err as NodeJS.ErrnoException).code}`));
      });
      // Sending every 100 ms for 1 s: over three idle timeouts in total, never idle that long.
      for (let i = 0; i < 10; i++) {
        req.write(`${JSON.stringify(grCupPoint(i))}\n`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await eventually(() => expect(h.frames).toHaveLength(10));
      // Now stall.
      expect(await outcome).toMatch(/^error (ECONNRESET|EPIPE)$/);
    } finally {
      await h.stop();
    }
  });
});

describe('POST /api/ingest with tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { INGEST_TOKENS: 'teamA=secret-token-a,teamB=secret-token-b' } });
  });
  afterAll(() => h.stop());

  test('401 without a token, 403 with a wrong one', async () => {
    const none = await post(h.url('/api/ingest'), JSON.stringify(seedPoint(0)), JSON_TYPE);
    expect(none).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
    const wrong = await post(h.url('/api/ingest'), JSON.stringify(seedPoint(0)), { ...JSON_TYPE, authorization: 'Bearer nope-nope-nope' });
    expect(wrong).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    expect(h.frames).toHaveLength(0);
  });

  test('a Bearer token or ?token= names the source, which names the derived session', async () => {
    const a = await post(h.url('/api/ingest'), JSON.stringify(seedPoint(0)), { ...JSON_TYPE, authorization: 'Bearer secret-token-a' });
    const b = await post(h.url('/api/ingest?token=secret-token-b'), JSON.stringify(seedPoint(1)), JSON_TYPE);
    expect([a.status, b.status]).toEqual([200, 200]);
    await eventually(() => expect(h.frames.map((f) => f.sessionId).sort()).toEqual(['teamA:sebring:2025-11-20', 'teamB:sebring:2025-11-20']));
    const report = await h.health.report();
    const sources = (report.checks['collector-http']!.detail as { sources: Record<string, { frames: number }> }).sources;
    expect(sources.teamA!.frames).toBe(1);
    expect(sources.teamB!.frames).toBe(1);
  });
});

describe('POST /api/ingest and the bus acknowledgement', () => {
  let h: Harness;
  afterEach(() => h.stop());

  test('200 only after the bus acknowledged every frame', async () => {
    // One partition holding 2 messages and a consumer that holds its batch: the third frame waits.
    h = await startHarness({ gated: true, bus: { defaultPartitions: 1, maxMessagesPerPartition: 2 } });
    let answered = false;
    const res = post(h.url('/api/ingest'), JSON.stringify([0, 1, 2, 3, 4].map((i) => grCupPoint(i))), JSON_TYPE).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    expect(h.bus.highWatermark('telemetry', 0)).toBe(2);
    h.release();
    expect(await res).toMatchObject({ status: 200, body: { accepted: 5 } });
    expect(h.bus.highWatermark('telemetry', 0)).toBe(5);
  });

  test('503 with Retry-After when the bus pushes back, and the stuck request still succeeds after', async () => {
    h = await startHarness({
      gated: true,
      bus: { defaultPartitions: 1, maxMessagesPerPartition: 1 },
      env: { INGEST_PRODUCER_MAX_BUFFERED: '4', INGEST_RETRY_AFTER_S: '2' },
    });
    const first = post(h.url('/api/ingest'), JSON.stringify([0, 1, 2].map((i) => grCupPoint(i))), JSON_TYPE);
    await eventually(() => expect(h.bus.highWatermark('telemetry', 0)).toBe(1));
    const second = await post(h.url('/api/ingest'), JSON.stringify([3, 4, 5].map((i) => grCupPoint(i))), JSON_TYPE);
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('2');
    expect(second.body).toMatchObject({ error: 'bus_busy', accepted: 0 });
    h.release();
    expect((await first).status).toBe(200);
    await eventually(() => expect(h.frames).toHaveLength(3));
  });
});
