import { ConfigError, EnvReader } from '@pitwall/config';
import { codecs, Source, type Command } from '@pitwall/proto';
import { loadCollectorAccConfig } from '../src';
import { AccGame, carUpdate, entry } from './acc-game';
import { fastEnv, run, sleep, until, type Running } from './harness';

const f = Math.fround;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let game: AccGame;
let running: Running | null = null;

beforeEach(async () => {
  game = new AccGame();
  await game.start();
});

afterEach(async () => {
  await running?.stop();
  running = null;
  await game.close();
});

const framesOf = (carId: string) => running!.frames.filter((fr) => fr.carId === carId);

describe('collector-acc over real UDP', () => {
  it('registers with protocol 4 from its own ephemeral port, requests entry list and track, and joins them into frames', async () => {
    running = await run(fastEnv(game.port));
    await until('frames of both cars', () => framesOf('0').length > 2 && framesOf('3').length > 2);

    const register = game.received.find((m) => m.type === 'REGISTER')!;
    expect(register).toMatchObject({ protocolVersion: 4, displayName: 'pitwall test', connectionPassword: 'asd', msRealtimeUpdateInterval: 10, commandPassword: 'cmd' });
    // The collector never binds the game's port: its port is its own.
    expect(register.fromPort).toBe(running.collector.localPort);
    expect(running.collector.localPort).not.toBe(game.port);
    expect(game.received.find((m) => m.type === 'REQUEST_ENTRY_LIST')).toMatchObject({ connectionId: 17 });
    expect(game.received.find((m) => m.type === 'REQUEST_TRACK_DATA')).toMatchObject({ connectionId: 17 });
    expect(running.collector.state).toBe('connected');

    const frame = framesOf('3').at(-1)!;
    expect(frame.sessionId).toMatch(/^acc:monza:/);
    expect(frame.sessionId).toMatch(ISO);
    expect(frame).toMatchObject({
      source: Source.SOURCE_ACC,
      carId: '3',
      driverName: 'Sebastian Vettel', // driverIndex 1 of car 3's entry
      carModel: '30',
      track: 'monza',
      lap: 6, // 5 completed
      normalizedPosition: f(0.25),
      racePosition: 4,
      currentLapTimeMs: 27_000,
      lastLapTimeMs: 108_250,
      inPit: false,
      lapInvalid: false,
      speedKmh: 212,
      gear: 3,
      worldPositionM: { x: f(-412.5), y: f(1020.25) },
      yawRad: f(1.5),
      sessionTimeS: 600.5,
    });
    expect(frame.lapDistanceM).toBeCloseTo(0.25 * 5793, 2);
    expect(frame.extras).toMatchObject({ delta_ms: -350, best_lap_ms: 107_500, session_index: 1, session_type: 10, focused: 1, race_number: 103, driver_count: 2 });
    expect(framesOf('0').at(-1)!).toMatchObject({ driverName: 'Valentino Rossi', racePosition: 1 });
    expect(framesOf('0').at(-1)!.extras!.focused).toBe(0);
    // Channels only shared memory has: absent, not zero.
    for (const channel of ['throttle', 'brake', 'clutch', 'rpm', 'steer', 'gLat', 'gLon', 'fuelKg'] as const) expect(frame[channel] ?? null).toBeNull();
    expect(frame.tyreSurfaceTempC ?? null).toBeNull();

    const seqs = framesOf('3').map((fr) => Number(fr.sequence));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(await running.counter('pitwall_collector_registrations_total', { source: 'acc', result: 'accepted' })).toBe(1);
    expect((await running.health.report()).checks['collector-acc']).toMatchObject({ status: 'ok', detail: { connectionId: 17 } });
  });

  it('logs the game’s refusal message, retries with backoff, and registers once the password matches', async () => {
    game.connectionPassword = 'secret';
    running = await run(fastEnv(game.port));
    await until('three refusals', async () => (await running!.counter('pitwall_collector_registrations_total', { source: 'acc', result: 'refused' })) >= 3);
    const refusal = running.logs.find((l) => l.level === 'warn' && String(l.message).includes('ACC refused the registration'));
    expect(refusal?.message).toContain('Wrong password. Please check your broadcasting.json');
    expect(running.frames).toHaveLength(0);
    expect(running.collector.state).not.toBe('connected');
    const registers = game.received.filter((m) => m.type === 'REGISTER');
    expect(new Set(registers.map((m) => m.fromPort)).size).toBe(1);

    game.connectionPassword = 'asd';
    await until('frames once accepted', () => running!.frames.length > 0);
    expect(running.collector.state).toBe('connected');
  });

  it('warns when the game accepts it read-only (wrong command password)', async () => {
    running = await run(fastEnv(game.port, { ACC_COMMAND_PASSWORD: 'wrong' }));
    await until('frames', () => running!.frames.length > 0);
    expect(running.logs.some((l) => l.level === 'warn' && String(l.message).includes('read-only'))).toBe(true);
  });

  it('requests the entry list again for an unknown car or a changed driver count, at most once a second', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => framesOf('3').length > 0);
    await sleep(1100); // past the first request's rate-limit window
    const before = game.count('REQUEST_ENTRY_LIST');

    // Car 9 joins: updates arrive every 10 ms, the entry list does not know it yet.
    const base = game.updates;
    game.updates = () => [...base(), carUpdate(9)];
    await until('an entry-list request', () => game.count('REQUEST_ENTRY_LIST') === before + 1);
    await sleep(400);
    expect(game.count('REQUEST_ENTRY_LIST')).toBe(before + 1); // ~40 unknown updates, one request
    expect(framesOf('9').at(-1)!.driverName).toBe(''); // published meanwhile, identity unknown

    game.entries = [...game.entries, entry(9, [['Lewis', 'Hamilton']], { carModelType: 25 })];
    await until('car 9 identified', () => framesOf('9').some((fr) => fr.driverName === 'Lewis Hamilton'), 3000);
    expect(framesOf('9').at(-1)!.carModel).toBe('25');
    expect(await running.counter('pitwall_collector_requests_total', { source: 'acc', request: 'entryList', reason: 'unknown_car' })).toBeGreaterThanOrEqual(1);

    // A driver swap changes car 0's driver count.
    const reqs = game.count('REQUEST_ENTRY_LIST');
    const withNine = game.updates;
    game.updates = () => withNine().map((u) => (u.carIndex === 0 ? { ...u, driverCount: 2 } : u));
    await until('a request for the driver count', () => game.count('REQUEST_ENTRY_LIST') > reqs, 3000);
    expect(await running.counter('pitwall_collector_requests_total', { source: 'acc', request: 'entryList', reason: 'driver_count' })).toBeGreaterThanOrEqual(1);
  });

  it('makes no frames until the track is known, and asks again for it at most once a second', async () => {
    game.answeringTrackData = false;
    const began = Date.now();
    running = await run(fastEnv(game.port));
    await until('car updates held back', async () => (await running!.counter('pitwall_collector_updates_without_frame_total', { source: 'acc', reason: 'awaiting_track_data' })) > 50);
    await sleep(1100);
    expect(running.frames).toHaveLength(0);
    expect(running.collector.sessionId).toBeNull();
    // One request at registration, then at most one a second while updates come without a track
    // (hundreds of them by now).
    const elapsedS = (Date.now() - began) / 1000;
    expect(game.count('REQUEST_TRACK_DATA')).toBeGreaterThanOrEqual(2);
    expect(game.count('REQUEST_TRACK_DATA')).toBeLessThanOrEqual(1 + Math.ceil(elapsedS));
    game.answeringTrackData = true;
    await until('frames once the track is known', () => running!.frames.length > 0, 3000);
    expect(running.frames[0]!.track).toBe('monza');
  });

  it('forwards ACC commands of its session to the game with the connection id, ignores the rest, and commits', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => running!.frames.length > 0);
    const sessionId = running.collector.sessionId!;
    const cmd = (over: Command): Command => ({ sessionId, target: Source.SOURCE_ACC, issuedBy: 'engineer', ...over });
    const commands: Command[] = [
      cmd({ commandId: 'c1', changeFocus: { carIndex: 3, cameraSet: 'Drivable', camera: 'Cockpit' } }),
      cmd({ commandId: 'c2', changeHudPage: { page: 'Broadcasting' } }),
      cmd({ commandId: 'c3', instantReplay: { startSessionTimeS: 590, durationS: 10, carIndex: 0, cameraSet: 'Drivable', camera: 'Chase' } }),
      cmd({ commandId: 'c4', target: Source.SOURCE_F1, changeHudPage: { page: 'Basic HUD' } }),
      cmd({ commandId: 'c5', sessionId: 'acc:monza:some-other-run', changeHudPage: { page: 'Basic HUD' } }),
      cmd({ commandId: 'c6', changeFocus: {} }),
      cmd({ commandId: 'c7', changeFocus: { cameraSet: 'Drivable', camera: 'Chase' } }),
    ];
    const producer = running.bus.producer();
    await producer.send(running.topics.commands, commands.map((c) => ({ key: c.sessionId!, value: codecs.command.encode(c) })));
    await producer.send(running.topics.commands, [{ key: sessionId, value: Buffer.from([0xff, 0xff, 0xff]) }]);
    await until('four commands at the game', () => game.types().filter((t) => ['CHANGE_FOCUS', 'CHANGE_HUD_PAGE', 'INSTANT_REPLAY_REQUEST'].includes(t)).length === 4);

    const got = game.received.filter((m) => ['CHANGE_FOCUS', 'CHANGE_HUD_PAGE', 'INSTANT_REPLAY_REQUEST'].includes(m.type));
    expect(got).toEqual([
      expect.objectContaining({ type: 'CHANGE_FOCUS', connectionId: 17, carIndex: 3, camera: { cameraSet: 'Drivable', camera: 'Cockpit' } }),
      expect.objectContaining({ type: 'CHANGE_HUD_PAGE', connectionId: 17, hudPage: 'Broadcasting' }),
      expect.objectContaining({ type: 'INSTANT_REPLAY_REQUEST', connectionId: 17, startSessionTime: 590_000, durationMs: 10_000, initialFocusedCarIndex: 0, initialCameraSet: 'Drivable', initialCamera: 'Chase' }),
      expect.objectContaining({ type: 'CHANGE_FOCUS', connectionId: 17, carIndex: null, camera: { cameraSet: 'Drivable', camera: 'Chase' } }),
    ]);
    const partitions = await running.bus.partitionsFor(running.topics.commands);
    await until('commands committed', () =>
      Array.from({ length: partitions }, (_, p) => p).every((p) => (running!.bus.committed('pitwall-collector-acc', running!.topics.commands, p) ?? 0) === running!.bus.highWatermark(running!.topics.commands, p)),
    );
    const result = (action: string, r: string) => running!.counter('pitwall_collector_commands_total', { source: 'acc', action, result: r });
    expect(await result('change_focus', 'sent')).toBe(2);
    expect(await result('change_hud_page', 'other_source')).toBe(1);
    expect(await result('change_hud_page', 'other_session')).toBe(1);
    expect(await result('change_focus', 'invalid')).toBe(1);
    expect(await result('unknown', 'undecodable')).toBe(1);
  });

  it('registers again when the updates stop, as a new session', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => running!.frames.length > 0);
    const first = running.collector.sessionId;
    game.quit();
    await until('not connected', () => running!.collector.state !== 'connected');
    await sleep(300);
    expect(game.count('REGISTER')).toBeGreaterThan(2);
    // The old registration is ended before the new one (a game that stopped sending may still hold it).
    const types = game.types();
    expect(types[types.indexOf('UNREGISTER') + 1]).toBe('REGISTER');
    game.answering = true;
    await until('a new session', () => running!.frames.some((fr) => fr.sessionId !== first), 3000);
    expect(running.logs.some((l) => l.level === 'info' && String(l.message).includes('ACC went silent'))).toBe(true);
    expect(running.logs.some((l) => l.level === 'error')).toBe(false);
  });

  it('unregisters on stop', async () => {
    running = await run(fastEnv(game.port));
    await until('frames', () => running!.frames.length > 0);
    const port = running.collector.localPort;
    await running.stop();
    running = null;
    await until('the unregister at the game', () => game.types().at(-1) === 'UNREGISTER');
    expect(game.received.at(-1)!.fromPort).toBe(port);
    expect(game.client).toBeNull();
  });

  it('keeps memory bounded when the bus stalls: drops the oldest frames and counts them', async () => {
    running = await run(fastEnv(game.port, { ACC_MAX_QUEUED_FRAMES: '40' }), { gated: true, partitions: 1, busOptions: { maxMessagesPerPartition: 10 } });
    await until('drops', async () => (await running!.counter('pitwall_collector_frames_dropped_total', { source: 'acc', reason: 'queue_full' })) > 100);
    expect(await running.metrics.gauge('pitwall_collector_frames_queued', '', ['source']).value({ source: 'acc' })).toBeLessThanOrEqual(40);
    game.quit();
    await sleep(50);
    running.open();
    const published = () => running!.counter('pitwall_collector_frames_published_total', { source: 'acc' });
    const dropped = await running.counter('pitwall_collector_frames_dropped_total', { source: 'acc', reason: 'queue_full' });
    await until('the survivors delivered', async () => running!.frames.length === (await published()) && running!.collector.state !== 'connected');
    const updates = await running.counter('pitwall_collector_datagrams_total', { source: 'acc', kind: 'realtime_car_update' });
    const waiting = await running.counter('pitwall_collector_updates_without_frame_total', { source: 'acc' });
    expect(running.frames.length + dropped).toBe(updates - waiting);
  });
});

describe('loadCollectorAccConfig', () => {
  it('has defaults that work on a laptop', () => {
    expect(loadCollectorAccConfig(new EnvReader({}))).toMatchObject({
      gameHost: '127.0.0.1',
      gamePort: 9000,
      displayName: 'pitwall',
      connectionPassword: 'asd',
      commandPassword: '',
      updateIntervalMs: 250,
      dataTimeoutMs: 10_000,
      requestMinIntervalMs: 1000,
      commandsGroup: 'pitwall-collector-acc',
    });
  });

  it.each([
    ['ACC_UDP_PORT', '70000'],
    ['ACC_UPDATE_INTERVAL_MS', '0'],
    ['ACC_RETRY_MAX_MS', '1'],
  ])('a bad %s=%s names the variable', (name, value) => {
    expect(() => loadCollectorAccConfig(new EnvReader({ [name]: value }))).toThrow(ConfigError);
    expect(() => loadCollectorAccConfig(new EnvReader({ [name]: value }))).toThrow(new RegExp(`^${name}:`));
  });

  it('refuses a data timeout shorter than two update intervals', () => {
    expect(() => loadCollectorAccConfig(new EnvReader({ ACC_UPDATE_INTERVAL_MS: '1000', ACC_DATA_TIMEOUT_MS: '1500' }))).toThrow(/^ACC_DATA_TIMEOUT_MS:/);
  });
});
