import * as path from 'node:path';
import type { Pool } from 'pg';
import WebSocket from 'ws';
import { MemoryBus } from '@pitwall/bus';
import { migrate, startTestPostgres, writeFrames, writeLaps, type TestPostgres } from '@pitwall/db';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, encodeFrame, type TelemetryFrame } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { startWsBridge, type RunningWsBridge, type WsBridgeConfig } from '../src';

jest.setTimeout(60_000);

const catalogue = topicCatalogue({ telemetryPartitions: 2 });
const topics = topicNames(catalogue);
const config: WsBridgeConfig = {
  port: 0,
  host: '127.0.0.1',
  path: '/ws/realtime',
  viewerTokens: [],
  adminTokens: [],
  batchMs: 50,
  maxPointsPerCar: 40,
  maxViewerBufferBytes: 1 << 20,
  hardViewerBufferBytes: 1 << 24,
  heartbeatMs: 60_000,
  recentMaxFrames: 100,
  recentMaxAgeMs: 60_000,
  maxViewers: 10,
  maxCarsPerWindow: 100,
  groupId: 'history-test',
  dashboardDir: path.resolve(__dirname, '../../dashboard/dist'),
};

const T0 = 1_763_000_000_000_000;
/** A car on a 1,000 m lap at 100 m/s, 10 Hz: a lap every 10 s of session time. */
function lapFrames(carId: string, seconds: number): TelemetryFrame[] {
  return Array.from({ length: seconds * 10 }, (_, i) => {
    const distance = (i * 10) % 1000;
    return codecs.frame.decode(
      codecs.frame.encode({
        sessionId: 'stored-1',
        carId,
        sequence: i + 1,
        track: 'test-oval',
        sourceTimeUs: T0 + i * 100_000,
        lap: 1 + Math.floor((i * 10) / 1000),
        lapDistanceM: distance,
        speedKmh: 360,
        throttle: 1,
        brake: 0,
        gLat: 1.2,
        gLon: 0.1,
        worldPositionM: { x: Math.cos((distance / 1000) * 2 * Math.PI) * 160, y: Math.sin((distance / 1000) * 2 * Math.PI) * 160, z: 0 },
      }),
    );
  });
}

describe('history API and replay', () => {
  let pg: TestPostgres;
  let pool: Pool;
  let bus: MemoryBus;
  let bridge: RunningWsBridge;
  let base: string;

  beforeAll(async () => {
    pg = await startTestPostgres('ws-bridge-history');
    pool = (await pg.createDatabase()).pool;
    await migrate(pool, { logger: silentLogger() });
    const frames = [...lapFrames('car-1', 35), ...lapFrames('car-2', 35)];
    await writeFrames(pool, { records: frames.map((value, offset) => ({ value, topic: topics.telemetry, partition: 0, offset })), group: 'seed' });
    const lap = (carId: string, n: number) => ({ sessionId: 'stored-1', carId, track: 'test-oval', lap: n, lapTimeS: 10, valid: true, startedAtUs: T0 + (n - 1) * 1e7, completedAtUs: T0 + n * 1e7 });
    await writeLaps(pool, { records: [lap('car-1', 1), lap('car-1', 2), lap('car-2', 1)].map((value, offset) => ({ value, topic: topics.laps, partition: 0, offset })), group: 'seed' });
    bus = new MemoryBus({ catalogue });
    bridge = await startWsBridge({ bus, topics, logger: silentLogger(), metrics: new Metrics('ws-bridge'), health: new Health(), config, pool });
    base = `http://127.0.0.1:${bridge.port}`;
  });

  afterAll(async () => {
    await bridge?.stop();
    await bus?.close();
    await pg?.stop();
  });

  it('lists stored sessions and their laps', async () => {
    const sessions = (await (await fetch(`${base}/api/sessions`)).json()) as { sessions: { session_id: string; laps: number; cars: string[] }[] };
    expect(sessions.sessions).toHaveLength(1);
    expect(sessions.sessions[0]).toMatchObject({ session_id: 'stored-1', laps: 3 });
    const laps = (await (await fetch(`${base}/api/sessions/stored-1/laps`)).json()) as { laps: { carId: string; lap: number }[] };
    expect(laps.laps.map((l) => `${l.carId}#${l.lap}`)).toEqual(['car-1#1', 'car-1#2', 'car-2#1']);
  });

  it('serves telemetry downsampled by the database, per car and time window, and says what is wrong with a bad query', async () => {
    const all = (await (await fetch(`${base}/api/sessions/stored-1/telemetry?car=car-1&points=50`)).json()) as { points: { seq: number; chassis: string }[] };
    expect(all.points.length).toBeLessThanOrEqual(50);
    expect(all.points.length).toBeGreaterThan(45);
    expect(new Set(all.points.map((p) => p.chassis))).toEqual(new Set(['car-1']));
    const fromMs = (T0 + 10_000_000) / 1000;
    const window = (await (await fetch(`${base}/api/sessions/stored-1/telemetry?car=car-2&from=${fromMs}&to=${new Date(fromMs + 5000).toISOString()}&points=1000`)).json()) as { points: { seq: number }[] };
    expect(window.points.map((p) => p.seq)).toEqual(Array.from({ length: 51 }, (_, i) => 101 + i));
    const bad = await fetch(`${base}/api/sessions/stored-1/telemetry?points=1`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { reason: string }).reason).toMatch(/points must be an integer from 2/);
    expect((await fetch(`${base}/api/sessions/stored-1/nothing`)).status).toBe(404);
  });

  it('replays a stored session to one viewer at speed, with pause, seek and the analysis re-run, while another viewer stays live', async () => {
    const messages: Record<string, unknown>[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws/realtime`);
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    const live: Record<string, unknown>[] = [];
    const other = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws/realtime`);
    other.on('message', (d) => live.push(JSON.parse(d.toString())));
    await new Promise((r) => other.once('open', r));
    const until = async (cond: () => boolean, ms = 15_000) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error('condition not reached in time');
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const of = (type: string) => messages.filter((m) => m.type === type);

    ws.send(JSON.stringify({ type: 'replay', session_id: 'stored-1', speed: 20 }));
    await until(() => of('replay_started').length === 1);
    expect(of('replay_started')[0]).toMatchObject({ session_id: 'stored-1', from_us: T0, speed: 20 });
    // 35 s of session at 20× ≈ 1.75 s: laps come from the re-run analysis as the replay passes the line.
    await until(() => of('lap_completed').length >= 2);
    ws.send(JSON.stringify({ type: 'replay_control', action: 'pause' }));
    await until(() => of('replay_status').some((m) => m.state === 'paused'));
    const seen = of('telemetry_update').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(of('telemetry_update').length).toBe(seen);
    ws.send(JSON.stringify({ type: 'replay_control', action: 'seek', to: (T0 + 30_000_000) / 1000 }));
    ws.send(JSON.stringify({ type: 'replay_control', action: 'resume' }));
    await until(() => of('replay_ended').length === 1);
    expect(of('replay_ended')[0]!.reason).toBe('end of session');
    const points = of('telemetry_update').flatMap((m) => m.data as { seq: number; chassis: string; meta_time: string }[]);
    expect(points.every((p) => p.chassis === 'car-1' || p.chassis === 'car-2')).toBe(true);
    expect(of('telemetry_update').every((m) => (m.meta as { replay?: number }).replay === of('replay_started')[0]!.replay_id)).toBe(true);
    // After the seek, nothing from before 30 s of session time.
    const afterSeek = of('telemetry_update').slice(seen).flatMap((m) => m.data as { meta_time: string }[]);
    expect(afterSeek.length).toBeGreaterThan(0);
    expect(Math.min(...afterSeek.map((p) => Date.parse(p.meta_time)))).toBeGreaterThanOrEqual((T0 + 30_000_000) / 1000);
    expect(of('lap_completed')[0]!.data).toMatchObject({ sessionId: 'stored-1', lap: 1 });

    // Live data goes to the other viewer, none of the replay does.
    await bus.producer().send(topics.telemetry, [{ key: 'live', value: encodeFrame({ sessionId: 'live', carId: 'x', sequence: 1, sourceTimeUs: Date.now() * 1000 }) }]);
    await until(() => live.some((m) => m.type === 'telemetry_update'));
    expect(live.some((m) => String(m.type).startsWith('replay'))).toBe(false);
    expect(live.filter((m) => m.type === 'telemetry_update').flatMap((m) => (m.data as { session_id: string }[]).map((p) => p.session_id))).toEqual(['live']);
    ws.close();
    other.close();
  });

  it('answers a replay of an unknown session with an error', async () => {
    const messages: Record<string, unknown>[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws/realtime`);
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'replay', session_id: 'nope' }));
    const end = Date.now() + 5000;
    while (!messages.some((m) => m.type === 'error') && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(messages.find((m) => m.type === 'error')).toMatchObject({ reason: 'no stored frames for session nope' });
    ws.close();
  });
});
