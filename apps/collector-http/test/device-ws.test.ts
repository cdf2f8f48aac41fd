import { codecs, Source } from '@pitwall/proto';
import WebSocket from 'ws';
import type { DeviceReport } from '../src/device-ws';
import { eventually, grCupPoint, startHarness, type Harness } from './helpers';

type Msg = Record<string, unknown>;

/** A device client that records every JSON message the server sends. */
async function device(h: Harness, query: string, opts: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; inbox: Msg[]; next(type: string): Promise<Msg> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${h.app.port}/ws/ingest${query}`, opts);
  const inbox: Msg[] = [];
  ws.on('message', (data) => inbox.push(JSON.parse(String(data)) as Msg));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let seen = 0;
  return {
    ws,
    inbox,
    async next(type) {
      let found: Msg | undefined;
      await eventually(() => {
        const i = inbox.findIndex((m, k) => k >= seen && m.type === type);
        expect(i).toBeGreaterThanOrEqual(0);
        seen = i + 1;
        found = inbox[i];
      });
      return found!;
    },
  };
}

async function devices(h: Harness): Promise<{ online: number; offline: number; devices: Record<string, DeviceReport> }> {
  const report = await h.health.report();
  return (report.checks['collector-http']!.detail as { devices: { online: number; offline: number; devices: Record<string, DeviceReport> } }).devices;
}

/** The HTTP status a refused upgrade answered with. */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => {});
  });
}

describe('device WebSocket /ws/ingest', () => {
  let h: Harness;
  const clients: WebSocket[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await h.stop();
  });
  const open = async (query: string, opts?: WebSocket.ClientOptions) => {
    const d = await device(h, query, opts);
    clients.push(d.ws);
    return d;
  };

  test('no token → 401, wrong token → 403, before any WebSocket exists', async () => {
    h = await startHarness({ env: { INGEST_TOKENS: 'fleet=device-token-1' } });
    expect(await upgradeStatus(`ws://127.0.0.1:${h.app.port}/ws/ingest`)).toBe(401);
    expect(await upgradeStatus(`ws://127.0.0.1:${h.app.port}/ws/ingest?token=wrong-token`)).toBe(403);
    expect((await devices(h)).online).toBe(0);
  });

  test('a JSON message is acked after the bus ack with its id and the frame sequence; the device id stands in for the car', async () => {
    h = await startHarness({ env: { INGEST_TOKENS: 'fleet=device-token-1' } });
    const d = await open('?device=car-42', { headers: { authorization: 'Bearer device-token-1' } });
    const { vehicle_id: _omit, ...point } = grCupPoint(0);
    d.ws.send(JSON.stringify({ type: 'telemetry', id: 'm-1', points: [point] }));
    const ack = await d.next('ack');
    expect(ack).toMatchObject({ id: 'm-1', accepted: 1, success: true });
    await eventually(() => expect(h.frames).toHaveLength(1));
    expect(ack.seq).toBe(h.frames[0]!.sequence);
    expect(h.frames[0]).toMatchObject({ carId: 'car-42', source: Source.SOURCE_DEVICE_WS, sessionId: 'fleet:2025-04-04' });
    const report = await devices(h);
    expect(report.devices['fleet/car-42']).toMatchObject({ online: true, source: 'fleet', frames: 1, unacked: 0 });
  });

  test('the seed device protocol: register_device, telemetry_data, heartbeat', async () => {
    h = await startHarness();
    const d = await open('');
    d.ws.send(JSON.stringify({ type: 'register_device', imei: '123456789012345', userEmail: 'user@example.com' }));
    expect(await d.next('registered')).toMatchObject({ imei: '123456789012345', message: 'Device registered successfully' });
    d.ws.send(JSON.stringify({ type: 'telemetry_data', imei: '123456789012345', timestamp: 1703123456789, data: { engineRpm: 2500, speed: 65, batteryVoltage: 12.5 } }));
    expect(await d.next('ack')).toMatchObject({ success: true, message: 'Telemetry processed successfully', seq: 1703123456789000 });
    d.ws.send(JSON.stringify({ type: 'heartbeat', imei: '123456789012345' }));
    const beat = await d.next('heartbeat_ack');
    expect(Date.parse(beat.serverTime as string)).toBeGreaterThan(0);
    await eventually(() => expect(h.frames).toHaveLength(1));
    expect(h.frames[0]).toMatchObject({ carId: '123456789012345', rpm: 2500, speedKmh: 65, extras: { batteryVoltage: 12.5 } });
    expect(Object.keys((await devices(h)).devices)).toEqual(['device/123456789012345']);
  });

  test('a binary message is one protobuf TelemetryFrame', async () => {
    h = await startHarness();
    const d = await open('?device=pb');
    d.ws.send(codecs.frame.encode({ sessionId: 'bin', carId: 'pb', sourceTimeUs: 1_750_000_000_000_000, rpm: 7000 }));
    expect(await d.next('ack')).toMatchObject({ id: null, seq: 1_750_000_000_000_000, accepted: 1 });
    await eventually(() => expect(h.frames[0]).toMatchObject({ sessionId: 'bin', rpm: 7000, source: Source.SOURCE_DEVICE_WS }));
  });

  test('a bad point is answered with an error naming index and field, and is not published', async () => {
    h = await startHarness();
    const d = await open('?device=x');
    d.ws.send(JSON.stringify({ id: 7, points: [grCupPoint(0), { ...grCupPoint(1), aps: 'full' }] }));
    expect(await d.next('error')).toMatchObject({ id: 7, error: 'invalid_point', index: 1, field: 'aps' });
    d.ws.send('not json');
    expect(await d.next('error')).toMatchObject({ error: 'invalid_json' });
    await new Promise((r) => setTimeout(r, 50));
    expect(h.frames).toHaveLength(0);
    expect((await devices(h)).devices['device/x']!.errors).toBe(2);
  });

  test('a message of an unknown type, or a telemetry message without data, is refused, not stored as an empty point', async () => {
    h = await startHarness();
    const d = await open('?device=x');
    d.ws.send(JSON.stringify({ id: 1, type: 'what' }));
    expect(await d.next('error')).toMatchObject({ id: 1, error: 'invalid_point', field: 'type' });
    d.ws.send(JSON.stringify({ id: 2, type: 'telemetry_data', data: 'x' }));
    expect(await d.next('error')).toMatchObject({ id: 2, error: 'invalid_point', field: 'data' });
    await new Promise((r) => setTimeout(r, 50));
    expect(h.frames).toHaveLength(0);
  });

  test('no ack before the bus acknowledged', async () => {
    h = await startHarness({ gated: true, bus: { defaultPartitions: 1, maxMessagesPerPartition: 1 } });
    const d = await open('?device=slow');
    d.ws.send(JSON.stringify({ id: 'a', points: [grCupPoint(0), grCupPoint(1)] }));
    await new Promise((r) => setTimeout(r, 300));
    expect(d.inbox.filter((m) => m.type === 'ack')).toHaveLength(0);
    h.release();
    expect(await d.next('ack')).toMatchObject({ id: 'a', accepted: 2 });
  });

  test('backpressure: at DEVICE_MAX_UNACKED the server tells the device to slow down and stops reading; all are acked later', async () => {
    h = await startHarness({ gated: true, bus: { defaultPartitions: 1, maxMessagesPerPartition: 1 }, env: { DEVICE_MAX_UNACKED: '3' } });
    const d = await open('?device=burst');
    // 200 messages of ~8 kB: far more than one socket read, so reading must really stop.
    const note = 'x'.repeat(8000);
    for (let i = 0; i < 200; i++) d.ws.send(JSON.stringify({ id: i, points: [{ ...grCupPoint(i), note }] }));
    expect(await d.next('slow_down')).toMatchObject({ limit: 3 });
    await new Promise((r) => setTimeout(r, 300));
    const held = (await devices(h)).devices['device/burst']!;
    expect(held.unacked).toBe(3);
    // Handled = in progress + already acked (the bus took the first before it filled).
    expect(held.messages).toBe(3 + d.inbox.filter((m) => m.type === 'ack').length);
    // What the socket had read before the pause waits, unhandled; the rest stays in the kernel.
    expect(held.held).toBeLessThan(100);
    h.release();
    await eventually(() => expect(d.inbox.filter((m) => m.type === 'ack')).toHaveLength(200), 10_000);
    const ids = d.inbox.filter((m) => m.type === 'ack').map((m) => m.id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect((await devices(h)).devices['device/burst']).toMatchObject({ messages: 200, frames: 200, unacked: 0, held: 0 });
  });

  test('server pings; a device that stops answering is marked offline and disconnected, one that answers stays', async () => {
    h = await startHarness({ env: { DEVICE_HEARTBEAT_MS: '50', DEVICE_STALE_MS: '250' } });
    const alive = await open('?device=alive');
    let pings = 0;
    alive.ws.on('ping', () => pings++);
    const mute = await open('?device=mute', { autoPong: false });
    const closed = new Promise<void>((resolve) => mute.ws.once('close', () => resolve()));
    await closed;
    const report = await devices(h);
    expect(report.devices['device/mute']).toMatchObject({ online: false });
    expect(report.devices['device/mute']!.offlineReason).toMatch(/^stale/);
    expect(report.devices['device/alive']).toMatchObject({ online: true });
    expect(report).toMatchObject({ online: 1, offline: 1 });
    expect(pings).toBeGreaterThanOrEqual(3);
  });

  test('a device that reconnects replaces its old connection', async () => {
    h = await startHarness();
    const first = await open('?device=dup');
    const closed = new Promise<number>((resolve) => first.ws.once('close', (code) => resolve(code)));
    await open('?device=dup');
    expect(await closed).toBe(4000);
    const report = await devices(h);
    expect(report.online).toBe(1);
    expect(report.devices['device/dup']!.online).toBe(true);
  });

  test('devices of different sources may share an id without displacing each other', async () => {
    h = await startHarness({ env: { INGEST_TOKENS: 'teamA=token-aaaa-1,teamB=token-bbbb-2' } });
    await open('?device=car1&token=token-aaaa-1');
    await open('?device=car1&token=token-bbbb-2');
    await new Promise((r) => setTimeout(r, 50));
    const report = await devices(h);
    expect(report.online).toBe(2);
    expect(Object.keys(report.devices).sort()).toEqual(['teamA/car1', 'teamB/car1']);
  });

  test('a device that sends but never reads its acks is disconnected once DEVICE_MAX_SEND_BUFFER_BYTES wait for it', async () => {
    h = await startHarness({ env: { DEVICE_MAX_SEND_BUFFER_BYTES: '16384' } });
    const d = await open('?device=deaf');
    const closed = new Promise<void>((resolve) => d.ws.once('close', () => resolve()));
    d.ws.pause(); // stops reading; the kernel buffers fill, then the server's send buffer grows
    const beat = JSON.stringify({ type: 'heartbeat' });
    for (let i = 0; i < 200_000 && d.ws.readyState === d.ws.OPEN; i++) {
      d.ws.send(beat);
      if (i % 2000 === 0) {
        await new Promise((r) => setTimeout(r, 5));
        if ((await devices(h)).devices['device/deaf']!.online === false) break;
      }
    }
    await eventually(async () => expect((await devices(h)).devices['device/deaf']!.offlineReason).toMatch(/not reading its acks/), 10_000);
    d.ws.resume();
    await closed;
  }, 30_000);

  test('DEVICE_TABLE_MAX: offline devices are forgotten first; with all online the oldest connection is closed', async () => {
    h = await startHarness({ env: { DEVICE_TABLE_MAX: '2' } });
    const a = await open('?device=a');
    a.ws.close();
    await eventually(async () => expect((await devices(h)).devices['device/a']!.online).toBe(false));
    await open('?device=b');
    await open('?device=c');
    expect(Object.keys((await devices(h)).devices).sort()).toEqual(['device/b', 'device/c']);
    const b = clients[1]!;
    const closed = new Promise<number>((resolve) => b.once('close', (code) => resolve(code)));
    await open('?device=d');
    expect(await closed).toBe(1013);
    expect(Object.keys((await devices(h)).devices).sort()).toEqual(['device/c', 'device/d']);
  });
});
