import * as dgram from 'node:dgram';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AcOperation, encodeCarInfo } from '@pitwall/ac-udp';
import { ConfigError, EnvReader } from '@pitwall/config';
import { Source } from '@pitwall/proto';
import { opsHandler } from '@pitwall/service';
import { loadCollectorAcConfig } from '../src';
import { AcGame, carInfo, identity } from './ac-game';
import { fastEnv, run, until, type Running } from './harness';

const f = Math.fround;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let game: AcGame;
let running: Running | null = null;

beforeEach(async () => {
  game = new AcGame();
  await game.start();
});

afterEach(async () => {
  await running?.stop();
  running = null;
  await game.close();
});

describe('collector-ac over real UDP', () => {
  it('handshakes from its own port, subscribes, and publishes every RTCarInfo field', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => running!.frames.length >= 5);

    // Handshake then subscribe, from the collector's ephemeral port, not the game's.
    expect(game.ops().slice(0, 2)).toEqual([AcOperation.Handshake, AcOperation.SubscribeUpdate]);
    expect(game.received[0]!.port).toBe(running.collector.localPort);
    expect(running.collector.localPort).not.toBe(game.port);
    expect(running.collector.state).toBe('streaming');

    const frame = running.frames[0]!;
    expect(frame.sessionId).toMatch(/^ac:monza:junior:ks_ferrari_488_gt3:Kimi Räikkönen:/);
    expect(frame.sessionId).toMatch(ISO);
    expect(frame).toMatchObject({
      source: Source.SOURCE_ASSETTO_CORSA,
      carId: 'player',
      driverName: identity.driverName,
      carModel: identity.carName,
      track: 'monza/junior',
      lap: 4, // lapCount 3 completed
      currentLapTimeMs: 45_123,
      lastLapTimeMs: 98_765,
      inPit: false,
      speedKmh: f(201.5),
      throttle: f(0.875),
      brake: f(0.125),
      clutch: 1,
      rpm: 7350,
      gear: 4,
      gLat: f(-1.25),
      gLon: f(0.75),
      gVert: f(0.05),
      normalizedPosition: f(0.4321),
      worldPositionM: { x: f(-120.5), y: f(3.25), z: f(880.125) },
    });
    expect(frame.steer).toBeCloseTo(-90 / 450, 6);
    expect(frame.extras).toMatchObject({
      steer_deg: -90,
      best_lap_ms: 97_001,
      lap_count: 3,
      abs_enabled: 1,
      tc_in_action: 1,
      engine_limiter_on: 0,
      wheel_load_n_fl: 3100,
      wheel_load_n_rr: 4200,
      suspension_height_rl: f(0.06),
      camber_rad_fr: f(-0.05),
      tyre_dirty_level_rr: 1,
      wheel_angular_speed_rad_s_rl: 152,
    });
    // 14 wheel arrays × 4 wheels, plus the scalar extras.
    expect(Object.keys(frame.extras!).filter((k) => /_(fl|fr|rl|rr)$/.test(k))).toHaveLength(56);
    // No tyre temperatures in RTCarInfo: absent, not zero.
    expect(frame.tyreSurfaceTempC).toBeFalsy();

    const seqs = running.frames.map((fr) => Number(fr.sequence));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(await running.counter('pitwall_collector_handshakes_total', { source: 'ac', result: 'answered' })).toBe(1);
  });

  it('maps reverse (wire 0), neutral and a clamped steering lock', async () => {
    let gear = -1;
    game.sample = () => carInfo({ gear, steer: f(900) });
    running = await run(fastEnv(game.port));
    await until('a reverse frame', () => running!.frames.some((fr) => fr.gear === -1));
    gear = 0;
    await until('a neutral frame', () => running!.frames.some((fr) => fr.gear === 0));
    expect(running.frames.every((fr) => fr.steer === 1)).toBe(true);
  });

  it('handshakes again when the game goes silent, keeps the session while nothing changed, starts a new one when the track changes', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => running!.frames.length >= 3);
    const firstSession = running.frames[0]!.sessionId;

    game.quit();
    await until('waiting after silence', () => running!.collector.state === 'waiting');
    // The old subscription is dismissed before the new handshake (a paused game may still hold it).
    const firstDismiss = game.ops().indexOf(AcOperation.Dismiss);
    expect(firstDismiss).toBeGreaterThan(1);
    expect(game.ops()[firstDismiss + 1]).toBe(AcOperation.Handshake);
    const attemptsWhileAway = game.received.filter((r) => r.op === AcOperation.Handshake).length;
    await new Promise((r) => setTimeout(r, 400));
    expect(game.received.filter((r) => r.op === AcOperation.Handshake).length).toBeGreaterThan(attemptsWhileAway);

    const before = running.frames.length;
    game.restart();
    await until('frames after the restart', () => running!.frames.length > before + 3);
    expect(running.frames.at(-1)!.sessionId).toBe(firstSession);

    game.quit();
    await until('waiting again', () => running!.collector.state === 'waiting');
    game.restart({ trackName: 'spa', trackConfig: '' });
    await until('frames at spa', () => running!.frames.some((fr) => fr.track === 'spa'));
    const spa = running.frames.find((fr) => fr.track === 'spa')!;
    expect(spa.sessionId).not.toBe(firstSession);
    expect(spa.sessionId).toMatch(/^ac:spa::ks_ferrari_488_gt3:/);
    expect(await running.counter('pitwall_collector_sessions_started_total', { source: 'ac' })).toBe(2);
    // Sequences stay increasing within each session.
    const spaSeqs = running.frames.filter((fr) => fr.sessionId === spa.sessionId).map((fr) => Number(fr.sequence));
    expect(spaSeqs).toEqual([...spaSeqs].sort((a, b) => a - b));
  });

  it('backs off exponentially (with jitter, capped) while no game answers', async () => {
    game.quit();
    running = await run(fastEnv(game.port, { AC_HANDSHAKE_TIMEOUT_MS: '20', AC_RETRY_INITIAL_MS: '20', AC_RETRY_MAX_MS: '160' }));
    await until('six attempts', () => game.received.length >= 6, 8000);
    const times = game.received.map((r) => r.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Each gap is handshake timeout + a delay from [½, 1] × min(160, 20 × 2ⁿ).
    expect(gaps[0]!).toBeLessThan(20 + 20 + 60);
    expect(gaps[4]!).toBeGreaterThanOrEqual(20 + 80 - 5);
    expect(Math.max(...gaps)).toBeLessThan(20 + 160 + 120);
    expect(running.collector.state).not.toBe('streaming');
    const health = await running.health.report();
    expect(health.checks['collector-ac']).toMatchObject({ status: 'degraded' });
    game.restart();
    await until('streaming once the game is up', () => running!.frames.length > 0);
    expect((await running.health.report()).checks['collector-ac']!.status).toBe('ok');
  });

  it('subscribes to spot events when asked; a player RTLap counts and becomes lastLapTimeMs', async () => {
    game.sample = () => carInfo({ lastLapMs: 0 });
    running = await run(fastEnv(game.port, { AC_SUBSCRIBE_SPOT: 'true' }));
    await until('frames', () => running!.frames.length > 0);
    expect(game.ops()).toContain(AcOperation.SubscribeSpot);
    expect(running.frames[0]!.lastLapTimeMs).toBeFalsy();

    await game.sendLap({ carIdentifierNumber: 3, lap: 2, driverName: 'Someone Else', carName: 'ks_porsche_911_gt3_r', timeMs: 99_000 });
    await game.sendLap({ carIdentifierNumber: 0, lap: 4, driverName: identity.driverName, carName: identity.carName, timeMs: 96_500 });
    await until('a frame with the lap time', () => running!.frames.some((fr) => fr.lastLapTimeMs === 96_500));
    expect(running.frames.at(-1)!.extras!.spot_laps).toBe(1);
    expect(await running.counter('pitwall_collector_laps_total', { source: 'ac', car: 'player' })).toBe(1);
    expect(await running.counter('pitwall_collector_laps_total', { source: 'ac', car: 'other' })).toBe(1);
  });

  it('dismisses on stop, and the game stops sending', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => running!.frames.length > 0);
    await running.stop();
    running = null;
    await until('the dismiss at the game', () => game.ops().at(-1) === AcOperation.Dismiss);
    expect(game.subscriber).toBeNull();
    const sent = game.sent;
    await new Promise((r) => setTimeout(r, 50));
    expect(game.sent).toBe(sent);
  });

  it('counts datagrams from anyone but the game as dropped, and serves the counts on /metrics', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => running!.frames.length > 0);
    const stranger = dgram.createSocket('udp4');
    await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', () => r()));
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((r) => stranger.send(Buffer.alloc(328), running!.collector.localPort, '127.0.0.1', () => r()));
    }
    await new Promise<void>((r) => stranger.close(() => r()));
    await until('three foreign datagrams counted', async () => (await running!.counter('pitwall_collector_datagrams_dropped_total', { source: 'ac', reason: 'foreign_sender' })) === 3);

    const handle = opsHandler(running.health, running.metrics);
    const server = http.createServer((req, res) => void handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const body = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();
    await new Promise<void>((r) => server.close(() => r()));
    expect(body).toMatch(/pitwall_collector_datagrams_dropped_total\{source="ac",reason="foreign_sender",app="collector-ac"\} 3/);
    expect(body).toMatch(/pitwall_collector_datagrams_total\{source="ac",kind="car_info",app="collector-ac"\} \d+/);
    expect(body).toMatch(/pitwall_collector_link_state\{source="ac",state="streaming",app="collector-ac"\} 1/);
    expect(body).toMatch(/pitwall_collector_handshakes_total\{source="ac",result="sent",app="collector-ac"\} 1/);
    expect(body).toMatch(/pitwall_collector_last_datagram_seconds\{source="ac",app="collector-ac"\} \d/);
  });

  it('drops (and counts) car data that arrives before its handshake is answered', async () => {
    game.answering = false;
    running = await run(fastEnv(game.port));
    await until('a handshake at the game', () => game.received.length > 0);
    await game.send(encodeCarInfo(carInfo()), { address: '127.0.0.1', port: running.collector.localPort });
    await until('counted', async () => (await running!.counter('pitwall_collector_datagrams_dropped_total', { source: 'ac', reason: 'before_handshake' })) === 1);
    expect(await running.counter('pitwall_collector_datagrams_total', { source: 'ac' })).toBe(0);
    expect(running.collector.sessionId).toBeNull();
  });

  it('keeps memory bounded when the bus stalls: drops the oldest frames and counts them', async () => {
    running = await run(fastEnv(game.port, { AC_MAX_QUEUED_FRAMES: '50' }), { gated: true, partitions: 1, busOptions: { maxMessagesPerPartition: 10 } });
    await until('drops', async () => (await running!.counter('pitwall_collector_frames_dropped_total', { source: 'ac', reason: 'queue_full' })) > 100);
    const queued = await running.metrics.gauge('pitwall_collector_frames_queued', '', ['source']).value({ source: 'ac' });
    expect(queued).toBeLessThanOrEqual(50);
    game.quit();
    await until('silence', () => running!.collector.state !== 'streaming');
    running.open();
    const accepted = await running.counter('pitwall_collector_datagrams_total', { source: 'ac', kind: 'car_info' });
    const dropped = await running.counter('pitwall_collector_frames_dropped_total', { source: 'ac', reason: 'queue_full' });
    await until('every surviving frame delivered', () => running!.frames.length + dropped === accepted);
    // The newest survive: the last frame delivered is the last one built.
    const seqs = running.frames.map((fr) => Number(fr.sequence));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(running.frames.length).toBeLessThan(accepted);
  });
});

describe('loadCollectorAcConfig', () => {
  it('has defaults that work on a laptop', () => {
    const c = loadCollectorAcConfig(new EnvReader({}));
    expect(c).toMatchObject({ gameHost: '127.0.0.1', gamePort: 9996, subscribeSpot: false, dataTimeoutMs: 5000, maxSteerDeg: 450, legacyVariablesUsed: [] });
  });

  it('accepts the old TELEMETRY_UDP_* names and says it did; new names win', () => {
    const c = loadCollectorAcConfig(new EnvReader({ TELEMETRY_UDP_HOST: '10.0.0.5', TELEMETRY_UDP_PORT: '9997' }));
    expect(c).toMatchObject({ gameHost: '10.0.0.5', gamePort: 9997, legacyVariablesUsed: ['TELEMETRY_UDP_HOST', 'TELEMETRY_UDP_PORT'] });
    const both = loadCollectorAcConfig(new EnvReader({ TELEMETRY_UDP_PORT: '9997', AC_PORT: '9998' }));
    expect(both.gamePort).toBe(9998);
    expect(both.legacyVariablesUsed).toEqual([]);
  });

  it.each([
    ['AC_PORT', '0'],
    ['TELEMETRY_UDP_PORT', 'abc'],
    ['AC_DATA_TIMEOUT_MS', '-1'],
    ['AC_SUBSCRIBE_SPOT', 'maybe'],
    ['AC_MAX_STEER_DEG', '0'],
  ])('a bad %s=%s names the variable', (name, value) => {
    expect(() => loadCollectorAcConfig(new EnvReader({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadCollectorAcConfig(new EnvReader({ [name]: value }))).toThrow(new RegExp(`^${name}:`));
  });

  it('refuses a retry ceiling below the initial delay', () => {
    expect(() => loadCollectorAcConfig(new EnvReader({ AC_RETRY_INITIAL_MS: '500', AC_RETRY_MAX_MS: '100' }))).toThrow(/^AC_RETRY_MAX_MS:/);
  });
});
