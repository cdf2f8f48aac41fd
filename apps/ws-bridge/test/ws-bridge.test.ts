import * as path from 'node:path';
import WebSocket from 'ws';
import { MemoryBus } from '@pitwall/bus';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { AlertSeverity, codecs, encodeFrame, type TelemetryFrame } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { startWsBridge, type RunningWsBridge, type WsBridgeConfig } from '../src';

const catalogue = topicCatalogue({ telemetryPartitions: 4 });
const topics = topicNames(catalogue);

const baseConfig: WsBridgeConfig = {
  port: 0,
  host: '127.0.0.1',
  path: '/ws/realtime',
  viewerTokens: [],
  adminTokens: ['admin-secret'],
  batchMs: 50,
  maxPointsPerCar: 40,
  maxViewerBufferBytes: 64 * 1024,
  hardViewerBufferBytes: 4 * 1024 * 1024,
  heartbeatMs: 60_000,
  recentMaxFrames: 1000,
  recentMaxAgeMs: 60_000,
  maxViewers: 100,
  maxCarsPerWindow: 1000,
  groupId: 'bridge-test',
  dashboardDir: path.resolve(__dirname, '../../dashboard/dist'),
};

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const frame = (sessionId: string, carId: string, seq: number, extra: Partial<TelemetryFrame> = {}): TelemetryFrame => ({
  sessionId,
  carId,
  sequence: seq,
  track: 'sebring',
  lap: 3,
  sourceTimeUs: 1_763_000_000_000_000 + seq * 1000,
  speedKmh: 100 + seq,
  lapDistanceM: seq,
  ...extra,
});

interface Viewer {
  ws: WebSocket;
  json: Record<string, unknown>[];
  binary: Buffer[];
}

async function connect(port: number, query = ''): Promise<Viewer> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/realtime${query}`);
  const v: Viewer = { ws, json: [], binary: [] };
  ws.on('message', (data, isBinary) => {
    if (isBinary) v.binary.push(data as Buffer);
    else v.json.push(JSON.parse(data.toString()));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await until(() => v.json.some((m) => m.type === 'welcome') || v.binary.length > 0 || v.json.length > 0);
  return v;
}

const ofType = (v: Viewer, type: string) => v.json.filter((m) => m.type === type);

describe('ws-bridge', () => {
  let bus: MemoryBus;
  let bridge: RunningWsBridge;
  let metrics: Metrics;
  const viewers: Viewer[] = [];
  const produce = (topic: string, key: string, value: Uint8Array) => bus.producer().send(topic, [{ key, value }]);

  async function start(config: Partial<WsBridgeConfig> = {}) {
    bus = new MemoryBus({ catalogue });
    metrics = new Metrics('ws-bridge');
    bridge = await startWsBridge({ bus, topics, logger: silentLogger(), metrics, health: new Health(), config: { ...baseConfig, ...config }, pool: null });
  }
  async function open(query = '') {
    const v = await connect(bridge.port, query);
    viewers.push(v);
    return v;
  }

  afterEach(async () => {
    for (const v of viewers.splice(0)) v.ws.terminate();
    await bridge.stop();
    await bus.close();
  });

  it('batches telemetry per car, downsampled (not truncated) to at most 40 points, in the seed point shape', async () => {
    await start({ batchMs: 400 });
    const v = await open();
    const p = bus.producer();
    await p.send(topics.telemetry, Array.from({ length: 300 }, (_, i) => ({ key: 's1', value: encodeFrame(frame('s1', 'GR86-001', i + 1, { extras: { Steering_Angle: 12.5 } })) })));
    await until(() => ofType(v, 'telemetry_update').length > 0);
    const points = ofType(v, 'telemetry_update').flatMap((m) => m.data as Record<string, unknown>[]);
    expect(points.length).toBeLessThanOrEqual(40 * ofType(v, 'telemetry_update').length);
    const seqs = points.map((pt) => pt.seq as number);
    expect(seqs).toContain(300); // the newest is always there
    expect(Math.min(...seqs)).toBeLessThan(50); // spread over the window, not the last 40
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const pt = points[0]!;
    expect(pt).toMatchObject({ chassis: 'GR86-001', track: 'sebring', lap: 3, session_id: 's1', Steering_Angle: 12.5 });
    expect(typeof pt.meta_time).toBe('string');
    expect(pt.speed_kmh).toBeGreaterThan(100);
  });

  it('reads live only: data on the topic before the bridge started is not sent', async () => {
    bus = new MemoryBus({ catalogue });
    await bus.producer().send(topics.telemetry, [{ key: 'old', value: encodeFrame(frame('old', 'c', 1)) }]);
    metrics = new Metrics('ws-bridge');
    bridge = await startWsBridge({ bus, topics, logger: silentLogger(), metrics, health: new Health(), config: baseConfig, pool: null });
    const v = await open();
    await produce(topics.telemetry, 'new', encodeFrame(frame('new', 'c', 1)));
    await until(() => ofType(v, 'telemetry_update').length > 0);
    await new Promise((r) => setTimeout(r, 120));
    const sessions = ofType(v, 'telemetry_update').flatMap((m) => (m.data as { session_id: string }[]).map((p) => p.session_id));
    expect(new Set(sessions)).toEqual(new Set(['new']));
  });

  it('honours subscriptions by session, car and message type; no subscription gets everything', async () => {
    await start();
    const all = await open();
    const bySession = await open('?sessions=s1');
    const byCar = await open();
    byCar.ws.send(JSON.stringify({ type: 'subscribe', cars: ['c2'] }));
    await until(() => ofType(byCar, 'subscribed').length === 1);
    const insightsOnly = await open('?types=insight_update');
    await produce(topics.telemetry, 's1', encodeFrame(frame('s1', 'c1', 1)));
    await produce(topics.telemetry, 's2', encodeFrame(frame('s2', 'c2', 1)));
    await produce(topics.insights, 's2', codecs.insight.encode({ sessionId: 's2', carId: 'c2', lap: 4, predictedLossPerLapSeconds: 0.08, lapsUntil_0_5sLoss: 6, confidence: 0.7, perSectorStress: { 0: 1, 1: 2 } }));
    await until(() => ofType(all, 'insight_update').length === 1 && ofType(insightsOnly, 'insight_update').length === 1);
    await until(() => ofType(all, 'telemetry_update').flatMap((m) => m.data as unknown[]).length === 2);
    await new Promise((r) => setTimeout(r, 150));
    const sessionsOf = (v: Viewer) => ofType(v, 'telemetry_update').flatMap((m) => (m.data as { session_id: string }[]).map((p) => p.session_id));
    expect(sessionsOf(bySession)).toEqual(['s1']);
    expect(ofType(bySession, 'insight_update')).toHaveLength(0);
    expect(sessionsOf(byCar)).toEqual(['s2']);
    expect(ofType(byCar, 'insight_update')).toHaveLength(1);
    expect(ofType(insightsOnly, 'telemetry_update')).toHaveLength(0);
    const insight = (ofType(insightsOnly, 'insight_update')[0]!.data as Record<string, unknown>[])[0]!;
    expect(insight).toMatchObject({ chassis: 'c2', lap: 4, laps_until_0_5s_loss: 6, perSectorStress: { '0': 1, '1': 2 } });
    expect(insight.predicted_loss_per_lap_seconds).toBeCloseTo(0.08);
  });

  it('sends binary protobuf LiveUpdates to a viewer that asks for them', async () => {
    await start();
    const v = await open('?format=protobuf');
    await produce(topics.telemetry, 's1', encodeFrame(frame('s1', 'c1', 7)));
    await until(() => v.binary.length > 0);
    const update = codecs.liveUpdate.decode(v.binary[0]!);
    expect(update.type).toBe('telemetry_update');
    expect(update.frames![0]!.sequence).toBe(7);
    expect(update.frames![0]!.sessionId).toBe('s1');
  });

  it('turns alerts into vehicle_alert and crash_detected in the seed shape, and laps into lap_completed', async () => {
    await start();
    const v = await open();
    const alert = (code: string) => codecs.alert.encode({ alertId: `a-${code}`, sessionId: 's1', carId: 'c1', code, severity: AlertSeverity.ALERT_SEVERITY_CRITICAL, message: code, atUs: 1_763_000_000_000_000, evidence: { g: 9.1 } });
    await produce(topics.alerts, 's1', alert('HIGH_RPM'));
    await produce(topics.alerts, 's1', alert('CRASH'));
    await produce(topics.laps, 's1', codecs.lap.encode({ sessionId: 's1', carId: 'c1', lap: 5, lapTimeS: 121.5, valid: true }));
    await until(() => ofType(v, 'vehicle_alert').length === 1 && ofType(v, 'crash_detected').length === 1 && ofType(v, 'lap_completed').length === 1);
    expect(ofType(v, 'crash_detected')[0]).toMatchObject({ imei: 'c1', timestamp: 1_763_000_000_000, data: { g: 9.1 }, alert: { level: 'critical', code: 'CRASH_DETECTED' } });
    expect(ofType(v, 'vehicle_alert')[0]).toMatchObject({ alert: { code: 'HIGH_RPM' } });
    expect(ofType(v, 'lap_completed')[0]!.data).toMatchObject({ lap: 5, lapTimeS: 121.5, chassis: 'c1' });
  });

  it('drops telemetry for a viewer that does not read, keeps the others whole, and still sends it alerts', async () => {
    await start({ maxViewerBufferBytes: 32 * 1024, batchMs: 20 });
    const fast = await open();
    const slow = await open();
    // Stop reading on the slow viewer's side: the server's send buffer fills up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const p = bus.producer();
    // Loopback socket buffers hold megabytes before the server's own buffer grows: send until the
    // bridge starts dropping for the slow viewer (bounded), then one more round.
    let round = 0;
    const sendRound = async () => {
      round++;
      await p.send(topics.telemetry, Array.from({ length: 40 }, (_, i) => ({ key: 's1', value: encodeFrame(frame('s1', `car-${i}`, round, { driverName: `${'x'.repeat(4000)}${i}` })) })));
      await new Promise((r) => setTimeout(r, 25));
    };
    const dropping = () => [...bridge.hub.viewers.values()].some((x) => x.droppedTelemetry > 0);
    while (!dropping() && round < 400) await sendRound();
    expect(dropping()).toBe(true);
    await sendRound();
    const last = round;
    await until(() => ofType(fast, 'telemetry_update').some((m) => (m.data as { seq: number }[]).some((pt) => pt.seq === last)));
    const fastPoints = ofType(fast, 'telemetry_update').flatMap((m) => m.data as { seq: number; chassis: string }[]);
    // The fast viewer saw the last round of every car.
    for (let i = 0; i < 40; i++) expect(fastPoints.some((pt) => pt.chassis === `car-${i}` && pt.seq === last)).toBe(true);
    expect(await metrics.counter('pitwall_ws_telemetry_dropped_total', '', ['reason']).value({ reason: 'slow_viewer' })).toBeGreaterThan(0);
    // Alerts are still queued for the slow viewer (below the hard limit): it gets them once it reads again.
    await produce(topics.alerts, 's1', codecs.alert.encode({ alertId: 'a1', sessionId: 's1', carId: 'car-1', code: 'LOW_FUEL', atUs: 1 }));
    await until(() => ofType(fast, 'vehicle_alert').length === 1);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => ofType(slow, 'vehicle_alert').length === 1, 15_000);
  }, 30_000);

  it('disconnects a viewer that stops answering heartbeats', async () => {
    await start({ heartbeatMs: 100 });
    const alive = await open();
    const dead = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws/realtime`, { autoPong: false });
    await new Promise((r) => dead.once('open', r));
    let closed = false;
    dead.on('close', () => (closed = true));
    await until(() => closed, 3000);
    expect(bridge.hub.viewers.size).toBe(1);
    expect(alive.ws.readyState).toBe(WebSocket.OPEN);
    dead.terminate();
  });

  it('gives a new viewer the last N seconds from memory when it asks', async () => {
    await start();
    await bus.producer().send(topics.telemetry, Array.from({ length: 5 }, (_, i) => ({ key: 's1', value: encodeFrame(frame('s1', 'c1', i + 1)) })));
    await new Promise((r) => setTimeout(r, 50));
    const v = await open();
    v.ws.send(JSON.stringify({ type: 'recent', seconds: 30 }));
    await until(() => v.json.some((m) => (m.meta as { recent?: boolean } | undefined)?.recent));
    const recent = v.json.find((m) => (m.meta as { recent?: boolean } | undefined)?.recent)!;
    expect((recent.data as { seq: number }[]).map((p) => p.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers every REST endpoint with JSON, errors with a reason', async () => {
    await start();
    const base = `http://127.0.0.1:${bridge.port}`;
    await bus.producer().send(topics.telemetry, Array.from({ length: 3 }, (_, i) => ({ key: 's1', value: encodeFrame(frame('s1', 'c1', i + 1)) })));
    await new Promise((r) => setTimeout(r, 50));

    const health = await fetch(`${base}/api/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);

    const recent = (await (await fetch(`${base}/api/recent/2`)).json()) as { recent: { seq: number }[] };
    expect(recent.recent.map((p) => p.seq)).toEqual([2, 3]);
    const bad = await fetch(`${base}/api/recent/abc`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason: string }).reason).toMatch(/positive integer/);

    const v = await open();
    const conns = (await (await fetch(`${base}/api/connections`)).json()) as { data: { totalConnections: number } };
    expect(conns.data.totalConnections).toBe(1);

    expect((await fetch(`${base}/api/broadcast`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`${base}/api/broadcast`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{}' })).status).toBe(403);
    const sent = await fetch(`${base}/api/broadcast`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer admin-secret' }, body: JSON.stringify({ message: 'box box' }) });
    expect(sent.status).toBe(200);
    await until(() => ofType(v, 'broadcast').length === 1);
    expect(ofType(v, 'broadcast')[0]!.data).toEqual({ message: 'box box' });

    const commands: unknown[] = [];
    await bus.consumer({ groupId: 'cmd-reader', topics: [topics.commands] }).run(async (b) => void commands.push(...b.messages.map((m) => codecs.command.decode(m.value))));
    const cmd = await fetch(`${base}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer admin-secret' }, body: JSON.stringify({ session_id: 'acc:1', action: 'change_focus', car_index: 3 }) });
    expect(cmd.status).toBe(202);
    await until(() => commands.length === 1);
    expect(commands[0]).toMatchObject({ sessionId: 'acc:1', changeFocus: { carIndex: 3 } });
    const badCmd = await fetch(`${base}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer admin-secret' }, body: JSON.stringify({ session_id: 'x', action: 'self_destruct' }) });
    expect(badCmd.status).toBe(400);
    expect((await fetch(`${base}/api/commands`, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: 'Bearer admin-secret' }, body: 'x' })).status).toBe(415);

    const history = await fetch(`${base}/api/sessions`);
    expect(history.status).toBe(503);
    expect(((await history.json()) as { reason: string }).reason).toMatch(/DATABASE_URL/);

    const missing = await fetch(`${base}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('not_found');
    expect((await fetch(`${base}/api/connections`, { method: 'DELETE' })).status).toBe(405);
  });

  it('refuses a WebSocket without a valid viewer token when tokens are configured', async () => {
    await start({ viewerTokens: ['pit-crew'] });
    const refused = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws/realtime`);
    const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
    const wrong = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws/realtime?token=nope`);
    expect(await new Promise<number>((resolve) => wrong.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))).toBe(403);
    const ok = await open('?token=pit-crew');
    expect(ok.ws.readyState).toBe(WebSocket.OPEN);
  });
});
