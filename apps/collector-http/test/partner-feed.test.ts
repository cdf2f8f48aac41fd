import type { AddressInfo } from 'node:net';
import { silentLogger } from '@pitwall/logger';
import { codecs, Source } from '@pitwall/proto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PartnerReport } from '../src/partner-feed';
import { PartnerFeed } from '../src/partner-feed';
import { eventually, seedPoint, startHarness, type Harness } from './helpers';

/** A local feed: records each connection's URL and headers, and lets the test drive each socket. */
async function startFeed(port = 0): Promise<{ port: number; server: WebSocketServer; connections: { url: string; auth?: string; ws: WebSocket }[]; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const connections: { url: string; auth?: string; ws: WebSocket }[] = [];
  server.on('connection', (ws, req) => connections.push({ url: req.url!, auth: req.headers.authorization, ws }));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
}

async function partnerReport(h: Harness): Promise<{ status: string; partner: PartnerReport }> {
  const report = await h.health.report();
  const check = report.checks['collector-http']!;
  return { status: check.status, partner: (check.detail as { partner: PartnerReport }).partner };
}

const telemetryUpdate = (from: number, to: number) => JSON.stringify({ type: 'telemetry_update', data: Array.from({ length: to - from }, (_, k) => seedPoint(from + k)) });

describe('partner feed client', () => {
  let h: Harness;
  let feed: Awaited<ReturnType<typeof startFeed>>;
  afterEach(async () => {
    await h.stop();
    await feed.close();
  });

  const env = (port: number, extra: Record<string, string> = {}) => ({
    PARTNER_WS_URL: `ws://127.0.0.1:${port}/live`,
    PARTNER_WS_TOKEN: 'partner-secret',
    PARTNER_SOURCE: 'trd',
    PARTNER_RECONNECT_MIN_MS: '20',
    PARTNER_RECONNECT_MAX_MS: '100',
    ...extra,
  });

  test('maps the seed telemetry_update broadcast and binary frames; sends its token', async () => {
    feed = await startFeed();
    h = await startHarness({ env: env(feed.port) });
    await eventually(() => expect(feed.connections).toHaveLength(1));
    expect(feed.connections[0]!.auth).toBe('Bearer partner-secret');
    expect(feed.connections[0]!.url).toBe('/live'); // nothing to resume from yet
    feed.connections[0]!.ws.send(telemetryUpdate(0, 3));
    feed.connections[0]!.ws.send(codecs.frame.encode({ sessionId: 'bin', carId: '9', sourceTimeUs: 1_760_000_000_000_000 }));
    await eventually(() => expect(h.frames).toHaveLength(4));
    expect(h.frames[0]).toMatchObject({ source: Source.SOURCE_PARTNER_WS, sessionId: 'trd:sebring:2025-11-20', carId: 'GR86-001' });
    const { status, partner: p } = await partnerReport(h);
    expect(status).toBe('ok');
    expect(p).toMatchObject({ connected: true, connects: 1, frames: 4, duplicatesSkipped: 0 });
  });

  test('after the feed drops, it reconnects with ?since= and publishes nothing twice even when the feed replays', async () => {
    feed = await startFeed();
    h = await startHarness({ env: env(feed.port) });
    await eventually(() => expect(feed.connections).toHaveLength(1));
    feed.connections[0]!.ws.send(telemetryUpdate(0, 5));
    await eventually(() => expect(h.frames).toHaveLength(5));
    feed.connections[0]!.ws.terminate();
    await eventually(() => expect(feed.connections).toHaveLength(2));
    const since = new URL(feed.connections[1]!.url, 'ws://x').searchParams.get('since');
    expect(since).toBe(seedPoint(4).meta_time);
    // This feed ignores `since` and replays from the start, then goes on.
    feed.connections[1]!.ws.send(telemetryUpdate(0, 8));
    await eventually(() => expect(h.frames).toHaveLength(8));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.frames).toHaveLength(8);
    expect(h.frames.map((f) => f.lapDistanceM)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => 100 + 50 * i));
    const { partner: p } = await partnerReport(h);
    expect(p).toMatchObject({ connects: 2, frames: 8, duplicatesSkipped: 5 });
  });

  test('a feed that is down at start is retried until it comes up; health is degraded meanwhile', async () => {
    const probe = await startFeed();
    const port = probe.port;
    await probe.close();
    h = await startHarness({ env: env(port) });
    await new Promise((r) => setTimeout(r, 200));
    const down = await partnerReport(h);
    expect(down.status).toBe('degraded');
    expect(down.partner).toMatchObject({ connected: false, connects: 0 });
    expect(down.partner.lastError).toMatch(/ECONNREFUSED/);
    feed = await startFeed(port);
    await eventually(async () => expect((await partnerReport(h)).partner.connected).toBe(true), 5000);
    feed.connections[0]!.ws.send(JSON.stringify(seedPoint(0)));
    await eventually(() => expect(h.frames).toHaveLength(1));
  });

  test('a message over INGEST_MAX_BODY_BYTES closes the connection; the client redials and goes on', async () => {
    feed = await startFeed();
    h = await startHarness({ env: env(feed.port, { INGEST_MAX_BODY_BYTES: '2048' }) });
    await eventually(() => expect(feed.connections).toHaveLength(1));
    feed.connections[0]!.ws.send(JSON.stringify({ ...seedPoint(0), note: 'x'.repeat(4096) }));
    await eventually(() => expect(feed.connections).toHaveLength(2));
    feed.connections[1]!.ws.send(JSON.stringify(seedPoint(1)));
    await eventually(() => expect(h.frames).toHaveLength(1));
    expect((await partnerReport(h)).partner.lastError).toMatch(/Max payload size exceeded/);
  });

  test('bad points from the feed are counted and skipped, the rest of the message is kept', async () => {
    feed = await startFeed();
    h = await startHarness({ env: env(feed.port) });
    await eventually(() => expect(feed.connections).toHaveLength(1));
    feed.connections[0]!.ws.send(JSON.stringify([seedPoint(0), { ...seedPoint(1), lap: 'x' }, seedPoint(2)]));
    feed.connections[0]!.ws.send('{oops');
    await eventually(async () => expect((await partnerReport(h)).partner.badPoints).toBe(2));
    expect(h.frames).toHaveLength(2);
  });
});

describe('partner feed queue limit', () => {
  test('with PARTNER_MAX_QUEUED_FRAMES waiting for a stuck bus it stops reading the feed; nothing is lost when the bus recovers', async () => {
    const feed = await startFeed();
    const h = await startHarness({
      gated: true,
      bus: { defaultPartitions: 1, maxMessagesPerPartition: 1 },
      env: { PARTNER_WS_URL: `ws://127.0.0.1:${feed.port}/`, PARTNER_MAX_QUEUED_FRAMES: '4', PARTNER_RECONNECT_MIN_MS: '20' },
    });
    try {
      await eventually(() => expect(feed.connections).toHaveLength(1));
      const note = 'x'.repeat(8000);
      for (let i = 0; i < 200; i++) feed.connections[0]!.ws.send(JSON.stringify({ ...seedPoint(i), note }));
      await new Promise((r) => setTimeout(r, 300));
      const stuck = await partnerReport(h);
      // Reading paused at the limit: what the socket had already read is held at most, the rest waits in the kernel.
      expect(stuck.partner.queued).toBeGreaterThanOrEqual(4);
      expect(stuck.partner.queued).toBeLessThan(100);
      expect(stuck.partner.frames).toBe(1);
      h.release();
      await eventually(() => expect(h.frames).toHaveLength(200), 10_000);
      expect(new Set(h.frames.map((f) => f.sequence)).size).toBe(200);
    } finally {
      await h.stop();
      await feed.close();
    }
  });
});

describe('PartnerFeed backoff', () => {
  const make = (random: () => number) =>
    new PartnerFeed({
      intake: undefined as never,
      logger: silentLogger(),
      retryAfterMs: 1000,
      maxMessageBytes: 1024,
      random,
      config: { url: 'ws://127.0.0.1:1/', source: 'p', reconnectMinMs: 100, reconnectMaxMs: 1000, staleMs: 1000, sendSince: true, maxQueuedFrames: 10, maxTrackedCars: 10 },
    });

  test('doubles from the minimum up to the maximum; the upper half of each delay is jittered', () => {
    const low = make(() => 0);
    expect(Array.from({ length: 6 }, () => low.nextDelay())).toEqual([50, 100, 200, 400, 500, 500]);
    const high = make(() => 0.999999);
    expect(Array.from({ length: 6 }, () => high.nextDelay())).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
