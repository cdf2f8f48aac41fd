import { AC_CLIENT_IDENTITY, AcOperation, classifyDatagram, decodeCarInfo, decodeHandshakeResponse, decodeLap, encodeHandshaker, type AcOperationId } from '@pitwall/ac-udp';
import { AcServer } from '../src/ac/server';
import { TestPeer, sleep } from './udp-client';

const op = (operationId: AcOperationId) => encodeHandshaker({ ...AC_CLIENT_IDENTITY, operationId });
const sizeIs = (n: number) => (b: Buffer) => b.length === n;

// Laps on this 800 m track take about 24 s of simulated time: at 10× the lap test would need ~5 s
// of wall time for its eight (two laps of the leader), at 40× it needs ~1.2 s: well inside its
// 10 s wait even on a loaded machine that skips ticks.
const startGame = (timeScale: number) => AcServer.start({ port: 0, updateRateHz: 100, race: { seed: 3, cars: 6, trackLengthM: 800 }, timeScale });

describe('AC game server over UDP', () => {
  let server: AcServer;
  let client: TestPeer;
  beforeEach(async () => {
    server = await startGame(10);
    client = await TestPeer.open();
  });
  afterEach(async () => {
    await client.close();
    await server.stop();
  });

  it('answers a handshake with the 408-byte response naming car, driver and track', async () => {
    await client.send(op(AcOperation.Handshake), server.port);
    const [response] = await client.waitFor(1);
    expect(response!.length).toBe(408);
    const decoded = decodeHandshakeResponse(response!);
    if (!decoded.ok) throw new Error(decoded.detail);
    expect(decoded.value).toEqual({
      carName: 'ks_ferrari_488_gt3',
      driverName: 'Alva Lindqvist',
      identifier: 4242,
      version: 1,
      trackName: 'pitwall_ring',
      trackConfig: '',
    });
    expect(server.subscriber).toEqual({ address: '127.0.0.1', port: client.port, update: false, spot: false });
  });

  it('streams RTCarInfo after subscribe update, and stops on dismiss', async () => {
    await client.send(op(AcOperation.Handshake), server.port);
    await client.waitFor(1, sizeIs(408));
    await client.send(op(AcOperation.SubscribeUpdate), server.port);
    const infos = (await client.waitFor(30, sizeIs(328))).map((b) => {
      const d = decodeCarInfo(b);
      if (!d.ok) throw new Error(d.detail);
      return d.value;
    });
    for (const info of infos) {
      expect(info.identifier).toBe('a');
      expect(info.size).toBe(328);
      expect(info.speedKmh).toBeCloseTo(info.speedMs * 3.6, 2);
      expect(info.speedKmh).toBeGreaterThan(30);
      expect(info.speedKmh).toBeLessThan(300);
      expect(info.gear).toBeGreaterThanOrEqual(1);
      expect(info.gearRaw).toBe(info.gear + 1);
      expect(info.engineRpm).toBeGreaterThan(1000);
      expect(info.gas + info.brake).toBeLessThanOrEqual(1.0001);
      expect(info.carPositionNormalized).toBeGreaterThanOrEqual(0);
      expect(info.carPositionNormalized).toBeLessThan(1);
    }
    // The car moves.
    const xs = new Set(infos.map((i) => i.carCoordinates[0]));
    expect(xs.size).toBeGreaterThan(20);

    await client.send(op(AcOperation.Dismiss), server.port);
    await sleep(60); // datagrams already in flight
    client.clear();
    await sleep(250);
    expect(client.received).toHaveLength(0);
    expect(server.subscriber).toBeNull();

    // After a dismiss, subscribing needs a new handshake: the game ignores it.
    const ignoredBefore = server.stats.ignored;
    await client.send(op(AcOperation.SubscribeUpdate), server.port);
    await sleep(200);
    expect(client.received).toHaveLength(0);
    expect(server.stats.ignored).toBe(ignoredBefore + 1);
  });

  it('sends RTLap at each lap completion after subscribe spot', async () => {
    await server.stop();
    server = await startGame(40);
    await client.send(op(AcOperation.Handshake), server.port);
    await client.waitFor(1, sizeIs(408));
    await client.send(op(AcOperation.SubscribeSpot), server.port);
    const laps = (await client.waitFor(8, sizeIs(212), 10_000)).map((b) => {
      const d = decodeLap(b);
      if (!d.ok) throw new Error(d.detail);
      return d.value;
    });
    for (const lap of laps) {
      expect(lap.lap).toBeGreaterThanOrEqual(1);
      expect(lap.carIdentifierNumber).toBeGreaterThanOrEqual(0);
      expect(lap.carIdentifierNumber).toBeLessThan(6);
      expect(lap.timeMs).toBeGreaterThan(10_000);
      expect(lap.timeMs).toBeLessThan(60_000);
      expect(lap.carName).toBe('ks_ferrari_488_gt3');
      const car = server.race.cars[lap.carIdentifierNumber]!;
      expect(lap.driverName).toBe(`${car.driver.firstName} ${car.driver.lastName}`);
    }
    // Only laps: no RTCarInfo without subscribe update.
    expect(client.received.every((b) => b.length !== 328)).toBe(true);
  });

  it('keeps one client: a handshake from another address takes over the stream', async () => {
    const other = await TestPeer.open();
    try {
      await client.send(op(AcOperation.Handshake), server.port);
      await client.waitFor(1, sizeIs(408));
      await client.send(op(AcOperation.SubscribeUpdate), server.port);
      await client.waitFor(3, sizeIs(328));
      await other.send(op(AcOperation.Handshake), server.port);
      await other.waitFor(1, sizeIs(408));
      await sleep(60);
      client.clear();
      await sleep(200);
      expect(client.received).toHaveLength(0);
      expect(server.subscriber?.port).toBe(other.port);
    } finally {
      await other.close();
    }
  });

  it('simulates a game restart: silent while down, then a fresh session that needs a new handshake', async () => {
    await client.send(op(AcOperation.Handshake), server.port);
    await client.waitFor(1, sizeIs(408));
    await client.send(op(AcOperation.SubscribeUpdate), server.port);
    await client.waitFor(5, sizeIs(328));
    const port = server.port;
    const restarted = server.restart(400);
    await sleep(60);
    client.clear();
    await client.send(op(AcOperation.Handshake), port).catch(() => undefined);
    await sleep(200);
    expect(client.received).toHaveLength(0);
    expect(server.listening).toBe(false);
    await restarted;
    expect(server.listening).toBe(true);
    expect(server.port).toBe(port);
    expect(server.subscriber).toBeNull();
    await client.send(op(AcOperation.Handshake), port);
    await client.waitFor(1, sizeIs(408));
    await client.send(op(AcOperation.SubscribeUpdate), port);
    const [first] = await client.waitFor(1, sizeIs(328));
    const info = classifyDatagram(first!);
    expect(info.ok && info.kind === 'carInfo' && info.value.lapCount).toBe(0);
  });

  it('ignores datagrams that are not a handshaker', async () => {
    await client.send(Buffer.from('hello'), server.port);
    const bad = Buffer.alloc(12);
    bad.writeInt32LE(7, 8);
    await client.send(bad, server.port);
    await sleep(100);
    expect(server.stats.ignored).toBe(2);
    expect(client.received).toHaveLength(0);
  });
});
