import { decodeInbound, encodeOutbound, type InboundMessage, type InboundType, type OutboundMessage } from '@pitwall/acc-broadcast';
import { AccServer } from '../src/acc/server';
import { TestPeer, sleep } from './udp-client';

/** A broadcasting client written against the codec, as a collector would be. */
class AccTestClient {
  private constructor(readonly peer: TestPeer, readonly gamePort: number) {}
  static async open(gamePort: number): Promise<AccTestClient> {
    return new AccTestClient(await TestPeer.open(), gamePort);
  }
  send(message: OutboundMessage): Promise<void> {
    return this.peer.send(encodeOutbound(message), this.gamePort);
  }
  register(password: string, opts: { interval?: number; version?: number; commandPassword?: string } = {}): Promise<void> {
    return this.send({
      type: 'REGISTER',
      protocolVersion: opts.version ?? 4,
      displayName: 'test client',
      connectionPassword: password,
      msRealtimeUpdateInterval: opts.interval ?? 50,
      commandPassword: opts.commandPassword ?? '',
    });
  }
  messages(): InboundMessage[] {
    return this.peer.received.map((b) => {
      const d = decodeInbound(b);
      if (!d.ok) throw new Error(d.detail);
      expect(d.trailingBytes).toBe(0);
      return d.message;
    });
  }
  async waitFor<T extends InboundType>(type: T, count = 1, timeoutMs = 3000): Promise<Extract<InboundMessage, { type: T }>[]> {
    await this.peer.waitFor(count, (b) => decodeInbound(b).ok && (decodeInbound(b) as { message: InboundMessage }).message.type === type, timeoutMs);
    return this.messages().filter((m): m is Extract<InboundMessage, { type: T }> => m.type === type);
  }
  close(): Promise<void> {
    return this.peer.close();
  }
}

// The lap-event test runs the game at 40× so its eight events come in ~1 s of wall time rather
// than ~3 s at 10×: well inside its 10 s wait even on a loaded machine that skips ticks.
const startGame = (timeScale: number) =>
  AccServer.start({ port: 0, connectionPassword: 'asd', commandPassword: 'cmd', race: { seed: 5, cars: 7, trackLengthM: 900 }, stepRateHz: 100, timeScale });

describe('ACC broadcasting game server over UDP', () => {
  let server: AccServer;
  let client: AccTestClient;
  beforeEach(async () => {
    server = await startGame(10);
    client = await AccTestClient.open(server.port);
  });
  afterEach(async () => {
    await client.close();
    await server.stop();
  });

  it('refuses a wrong password with success = 0 and a message, and sends nothing else', async () => {
    await client.register('wrong');
    const [result] = await client.waitFor('REGISTRATION_RESULT');
    expect(result).toMatchObject({ connectionId: -1, connectionSuccess: false, isReadonly: true });
    expect(result!.errorMessage).toMatch(/password/i);
    await sleep(200);
    expect(client.messages()).toHaveLength(1);
    expect(server.clients.size).toBe(0);
  });

  it('refuses a protocol version other than 4', async () => {
    await client.register('asd', { version: 3 });
    const [result] = await client.waitFor('REGISTRATION_RESULT');
    expect(result!.connectionSuccess).toBe(false);
    expect(result!.errorMessage).toMatch(/version 3/);
  });

  it('registers, then sends realtime updates for every car at the registered interval', async () => {
    await client.register('asd', { interval: 100 });
    const [result] = await client.waitFor('REGISTRATION_RESULT');
    expect(result).toMatchObject({ connectionSuccess: true, isReadonly: true, errorMessage: '' });
    expect(result!.connectionId).toBeGreaterThan(0);
    const started = Date.now();
    const updates = await client.waitFor('REALTIME_UPDATE', 5);
    const elapsed = Date.now() - started;
    // 5 updates 100 ms apart: about 400-500 ms, not the 10 ms step.
    expect(elapsed).toBeGreaterThan(300);
    expect(updates[4]!.sessionTimeMs).toBeGreaterThan(updates[0]!.sessionTimeMs);
    const cars = client.messages().filter((m) => m.type === 'REALTIME_CAR_UPDATE');
    expect(cars.length).toBeGreaterThanOrEqual(7 * 4);
    // Each realtime update is followed by one car update per car, each car once.
    const messages = client.messages();
    const first = messages.findIndex((m) => m.type === 'REALTIME_UPDATE');
    const batch = messages.slice(first + 1, first + 8);
    expect(batch.map((m) => m.type)).toEqual(Array(7).fill('REALTIME_CAR_UPDATE'));
    expect(new Set(batch.map((m) => (m as { carIndex: number }).carIndex))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    for (const car of cars) {
      if (car.type !== 'REALTIME_CAR_UPDATE') continue;
      expect(car.kmh).toBeGreaterThan(20);
      expect(car.kmh).toBeLessThan(300);
      expect(car.position).toBeGreaterThanOrEqual(1);
      expect(car.position).toBeLessThanOrEqual(7);
      expect(car.splinePosition).toBeGreaterThanOrEqual(0);
      expect(car.splinePosition).toBeLessThan(1);
      expect(car.gear).toBeGreaterThanOrEqual(1);
      expect(car.driverCount).toBe(1);
    }
  });

  it('answers entry list and track data requests for its connection id', async () => {
    await client.register('asd', { interval: 1000 });
    const [result] = await client.waitFor('REGISTRATION_RESULT');
    const connectionId = result!.connectionId;
    await client.send({ type: 'REQUEST_ENTRY_LIST', connectionId });
    await client.send({ type: 'REQUEST_TRACK_DATA', connectionId });
    const [list] = await client.waitFor('ENTRY_LIST');
    expect(list).toEqual({ type: 'ENTRY_LIST', connectionId, carIndexes: [0, 1, 2, 3, 4, 5, 6] });
    const entries = await client.waitFor('ENTRY_LIST_CAR', 7);
    expect(entries.map((e) => e.carIndex).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const e of entries) {
      expect(e.drivers).toHaveLength(1);
      expect(e.drivers[0]!.shortName).toHaveLength(3);
      expect(e.raceNumber).toBeGreaterThan(0);
    }
    expect(new Set(entries.map((e) => e.raceNumber)).size).toBe(7);
    const [track] = await client.waitFor('TRACK_DATA');
    expect(track).toMatchObject({ connectionId, trackName: 'pitwall_ring', trackMeters: 900 });
    expect(track!.hudPages).toContain('Broadcasting');

    // A request with another connection id is ignored.
    const before = client.messages().length;
    await client.send({ type: 'REQUEST_ENTRY_LIST', connectionId: connectionId + 100 });
    await sleep(150);
    expect(client.messages().filter((m) => m.type === 'ENTRY_LIST')).toHaveLength(1);
    expect(client.messages().length - before).toBeLessThan(3);
  });

  it('sends LapCompleted and BestSessionLap events as laps end', async () => {
    await client.close();
    await server.stop();
    server = await startGame(40);
    client = await AccTestClient.open(server.port);
    await client.register('asd', { interval: 1000 });
    await client.waitFor('REGISTRATION_RESULT');
    const events = await client.waitFor('BROADCASTING_EVENT', 8, 10_000);
    const completed = events.filter((e) => e.eventType === 5);
    expect(completed.length).toBeGreaterThan(0);
    expect(events.some((e) => e.eventType === 6)).toBe(true);
    for (const e of completed) {
      expect(e.carId).toBeGreaterThanOrEqual(0);
      expect(e.timeMs).toBeGreaterThan(10_000);
      expect(e.message).toMatch(/lap \d+: \d:\d\d\.\d{3}$/);
    }
  });

  it('records commands, acting only on those from a writable client', async () => {
    await client.register('asd', { interval: 1000, commandPassword: 'cmd' });
    const [result] = await client.waitFor('REGISTRATION_RESULT');
    expect(result!.isReadonly).toBe(false);
    const connectionId = result!.connectionId;
    await client.send({ type: 'CHANGE_FOCUS', connectionId, carIndex: 3, camera: { cameraSet: 'Onboard', camera: 'Onboard1' } });
    await client.send({ type: 'CHANGE_HUD_PAGE', connectionId, hudPage: 'Broadcasting' });
    await client.send({ type: 'INSTANT_REPLAY_REQUEST', connectionId, startSessionTime: 1000, durationMs: 5000, initialFocusedCarIndex: -1, initialCameraSet: '', initialCamera: '' });
    const readonly = await AccTestClient.open(server.port);
    try {
      await readonly.register('asd', { interval: 1000 });
      const [r] = await readonly.waitFor('REGISTRATION_RESULT');
      expect(r!.isReadonly).toBe(true);
      await readonly.send({ type: 'CHANGE_FOCUS', connectionId: r!.connectionId, carIndex: 5, camera: null });
      const deadline = Date.now() + 2000;
      while (server.commands.length < 4 && Date.now() < deadline) await sleep(20);
    } finally {
      await readonly.close();
    }
    expect(server.commands.map((c) => [c.command.type, c.accepted])).toEqual([
      ['CHANGE_FOCUS', true],
      ['CHANGE_HUD_PAGE', true],
      ['INSTANT_REPLAY_REQUEST', true],
      ['CHANGE_FOCUS', false],
    ]);
    expect(server.commands[0]!.command).toEqual({ type: 'CHANGE_FOCUS', connectionId, carIndex: 3, camera: { cameraSet: 'Onboard', camera: 'Onboard1' } });
    expect(server.view).toEqual({ focusedCarIndex: 3, activeCameraSet: 'Onboard', activeCamera: 'Onboard1', currentHudPage: 'Broadcasting' });
    // The next realtime update shows the change.
    client.peer.clear();
    const [update] = await client.waitFor('REALTIME_UPDATE', 1, 2000);
    expect(update).toMatchObject({ focusedCarIndex: 3, currentHudPage: 'Broadcasting' });
  });

  it('keeps at most commandLogLimit commands, dropping the oldest', async () => {
    const small = await AccServer.start({ port: 0, commandLogLimit: 3, race: { cars: 2, trackLengthM: 900 } });
    const c = await AccTestClient.open(small.port);
    try {
      await c.register('asd');
      const [r] = await c.waitFor('REGISTRATION_RESULT');
      for (const page of ['a', 'b', 'c', 'd', 'e']) await c.send({ type: 'CHANGE_HUD_PAGE', connectionId: r!.connectionId, hudPage: page });
      const deadline = Date.now() + 2000;
      while (small.droppedCommands < 2 && Date.now() < deadline) await sleep(20);
      expect(small.commands.map((x) => (x.command as { hudPage: string }).hudPage)).toEqual(['c', 'd', 'e']);
      expect(small.droppedCommands).toBe(2);
    } finally {
      await c.close();
      await small.stop();
    }
  });

  it('adds a car mid-session: updates carry a car index the entry list did not have', async () => {
    await client.register('asd', { interval: 50 });
    const [result] = await client.waitFor('REGISTRATION_RESULT');
    await client.send({ type: 'REQUEST_ENTRY_LIST', connectionId: result!.connectionId });
    const [list] = await client.waitFor('ENTRY_LIST');
    const known = new Set(list!.carIndexes);
    const added = server.addCar();
    expect(known.has(added.index)).toBe(false);
    await client.peer.waitFor(1, (b) => {
      const d = decodeInbound(b);
      return d.ok && d.message.type === 'REALTIME_CAR_UPDATE' && d.message.carIndex === added.index;
    });
    client.peer.clear();
    await client.send({ type: 'REQUEST_ENTRY_LIST', connectionId: result!.connectionId });
    const [again] = await client.waitFor('ENTRY_LIST');
    expect(again!.carIndexes).toContain(added.index);
    expect(again!.carIndexes).toHaveLength(8);
  });

  it('stops sending after UNREGISTER', async () => {
    await client.register('asd', { interval: 20 });
    await client.waitFor('REALTIME_UPDATE', 2);
    await client.send({ type: 'UNREGISTER' });
    await sleep(80);
    client.peer.clear();
    await sleep(200);
    expect(client.messages()).toHaveLength(0);
    expect(server.clients.size).toBe(0);
  });
});
