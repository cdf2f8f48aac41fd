import * as dgram from 'node:dgram';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { codecs, Source, type TelemetryFrame } from '@pitwall/proto';
import { AcServer, AccServer, F1Sender, GT3_CAR, F1_CAR, HttpPoster, ingestPoint, Race, type Car } from '@pitwall/simulator';
import WebSocket from 'ws';

/**
 * The simulator playing every source against the fleet's real ports, each run bounded. A report
 * says how many frames the source sent and, where the sender knows the session ids, how many per
 * session: those are what the database must hold exactly. AC and ACC are polled by the collector
 * (the game only answers), so their frame count is the collector's, from its metrics.
 */
export interface SourceReport {
  name: string;
  source: Source;
  /** Frames sent per session id; null when the collector names the session (AC, ACC). */
  sessions: Record<string, number> | null;
  frames: number;
}

/** Where the fleet listens (the ecosystem's defaults). */
export interface FleetPorts {
  acGame: number;
  accGame: number;
  f1: number;
  ingest: number;
  udpText: number;
}

/** Short tracks and a fast clock so every car finishes laps within seconds. */
export const TRACK_M = 1000;
export const TIME_SCALE = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** F1 rigs, one per format, each its own session UID; ends after `ticks` steps at `rateHz`. */
export async function driveF1(port: number, opts: { formats: (2023 | 2024 | 2025)[]; cars: number; rateHz: number; ticks: number; seed: number }): Promise<SourceReport[]> {
  const rigs = opts.formats.map((format, i) =>
    new F1Sender({
      port,
      format,
      rateHz: opts.rateHz,
      timeScale: TIME_SCALE,
      maxTicks: opts.ticks,
      sessionUid: 0xe2e0_0000_0000_0000n + BigInt(opts.seed * 16 + i),
      race: { seed: opts.seed + i, cars: opts.cars, spec: F1_CAR, trackLengthM: TRACK_M },
    }).start(),
  );
  await Promise.all(rigs.map((r) => r.finished()));
  return rigs.map((rig, i) => ({
    name: `f1-${opts.formats[i]}`,
    source: Source.SOURCE_F1,
    sessions: { [`f1:${(0xe2e0_0000_0000_0000n + BigInt(opts.seed * 16 + i)).toString(10)}`]: rig.carSamples },
    frames: rig.carSamples,
  }));
}

/** A running AC or ACC game side: stop it to end its source. */
export interface GameSide {
  name: 'ac' | 'acc';
  stop(): Promise<void>;
}

export async function startAcGame(port: number, seed: number): Promise<GameSide> {
  const game = await AcServer.start({ port, host: '127.0.0.1', updateRateHz: 20, timeScale: TIME_SCALE, race: { seed, cars: 4, trackLengthM: TRACK_M } });
  return { name: 'ac', stop: () => game.stop() };
}

export async function startAccGame(port: number, seed: number): Promise<GameSide> {
  const game = await AccServer.start({ port, host: '127.0.0.1', timeScale: TIME_SCALE, race: { seed, cars: 4, spec: GT3_CAR, trackLengthM: TRACK_M } });
  return { name: 'acc', stop: () => game.stop() };
}

/** JSON batches from the simulator's HTTP poster, acknowledged (200) by collector-http. */
export async function driveHttpJson(port: number, opts: { sessionId: string; seed: number; durationMs: number }): Promise<SourceReport> {
  const poster = new HttpPoster({
    url: `http://127.0.0.1:${port}/api/ingest`,
    sessionId: opts.sessionId,
    sampleRateHz: 20,
    postRateHz: 4,
    timeScale: TIME_SCALE,
    race: { seed: opts.seed, cars: 3, trackLengthM: TRACK_M },
  }).start();
  await sleep(opts.durationMs);
  await poster.stop();
  if (poster.stats.failedBatches > 0 || poster.stats.dropped > 0) {
    throw new Error(`http source: ${poster.stats.failedBatches} batches refused, ${poster.stats.dropped} points dropped`);
  }
  return { name: 'http-json', source: Source.SOURCE_HTTP, sessions: { [opts.sessionId]: poster.stats.points }, frames: poster.stats.points };
}

/** Samples of a whole race, every car every `stepMs` of race time, until `laps` are done. */
export function raceSamples(opts: { seed: number; cars: number; laps: number; stepMs: number }, sample: (race: Race, car: Car) => void): void {
  const race = new Race({ seed: opts.seed, cars: opts.cars, spec: GT3_CAR, trackLengthM: TRACK_M });
  while (Math.min(...race.cars.map((c) => c.lap)) <= opts.laps) {
    race.step(opts.stepMs);
    for (const car of race.cars) sample(race, car);
  }
}

/** One NDJSON request (streamed by the collector) of a 2-car, 3-lap race. */
export async function driveHttpNdjson(port: number, opts: { sessionId: string; seed: number }): Promise<SourceReport> {
  const lines: string[] = [];
  const startUs = Date.now() * 1000;
  raceSamples({ seed: opts.seed, cars: 2, laps: 3, stepMs: 100 }, (race, car) => lines.push(JSON.stringify(ingestPoint(race, car, opts.sessionId, startUs))));
  const res = await fetch(`http://127.0.0.1:${port}/api/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n` });
  const body = (await res.json()) as { accepted?: number };
  if (res.status !== 200 || body.accepted !== lines.length) throw new Error(`ndjson ingest: HTTP ${res.status} ${JSON.stringify(body)}`);
  return { name: 'http-ndjson', source: Source.SOURCE_HTTP, sessions: { [opts.sessionId]: lines.length }, frames: lines.length };
}

/** One length-delimited protobuf request of a 2-car, 3-lap race. */
export async function driveHttpProtobuf(port: number, opts: { sessionId: string; seed: number }): Promise<SourceReport> {
  const parts: Buffer[] = [];
  const startUs = Date.now() * 1000;
  let frames = 0;
  raceSamples({ seed: opts.seed, cars: 2, laps: 3, stepMs: 100 }, (race, car) => {
    const body = Buffer.from(codecs.frame.encode(protobufFrame(race, car, opts.sessionId, startUs)));
    parts.push(varint(body.length), body);
    frames++;
  });
  const res = await fetch(`http://127.0.0.1:${port}/api/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf; delimited=true' },
    body: new Uint8Array(Buffer.concat(parts)),
  });
  const body = (await res.json()) as { accepted?: number };
  if (res.status !== 200 || body.accepted !== frames) throw new Error(`protobuf ingest: HTTP ${res.status} ${JSON.stringify(body)}`);
  return { name: 'http-protobuf', source: Source.SOURCE_HTTP, sessions: { [opts.sessionId]: frames }, frames };
}

function protobufFrame(race: Race, car: Car, sessionId: string, startUs: number): TelemetryFrame {
  return {
    sessionId,
    carId: `car-${car.driver.raceNumber}`,
    track: race.track.name,
    sourceTimeUs: startUs + Math.round(race.elapsedMs * 1000),
    lap: car.lap,
    lapDistanceM: car.distanceM,
    normalizedPosition: car.distanceM / race.track.lengthM,
    speedKmh: car.speedMs * 3.6,
    throttle: car.throttle,
    brake: car.brake,
    steer: car.steer,
    gear: car.gear,
    rpm: car.rpm,
    gLat: car.gLateral,
    gLon: car.gLongitudinal,
    fuelKg: car.fuelKg,
  };
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/**
 * A device on `/ws/ingest` sending its race as `{id, points}` messages, waiting for each ack. It
 * ends with car 1 crashing (200 → 0 km/h in 0.3 s), so the viewer sees `crash_detected`.
 */
export async function driveDeviceWs(port: number, opts: { sessionId: string; seed: number }): Promise<SourceReport> {
  const messages: Record<string, unknown>[][] = [];
  const startUs = Date.now() * 1000;
  const step: Record<string, unknown>[] = [];
  let lastTime = -1;
  raceSamples({ seed: opts.seed, cars: 2, laps: 3, stepMs: 100 }, (race, car) => {
    if (race.elapsedMs !== lastTime && step.length) messages.push(step.splice(0));
    lastTime = race.elapsedMs;
    step.push(ingestPoint(race, car, opts.sessionId, startUs));
  });
  if (step.length) messages.push(step);
  const last = messages[messages.length - 1]![0]!;
  const crash = [200, 140, 70, 10, 0, 0].map((speed, i) => ({
    ...last,
    source_time_us: (last.source_time_us as number) + (i + 1) * 60_000,
    speed_kmh: speed,
    g_lon: i < 4 ? -12 : 0,
  }));
  messages.push(crash);
  const frames = messages.reduce((n, m) => n + m.length, 0);

  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/ingest?device=e2e-device-1`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let acked = 0;
  const errors: string[] = [];
  // Ten messages in flight, as a device with a small buffer would keep.
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    const pump = () => {
      while (inFlight < 10 && next < messages.length) {
        ws.send(JSON.stringify({ id: next, points: messages[next] }));
        next++;
        inFlight++;
      }
      if (inFlight === 0 && next === messages.length) resolve();
    };
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; accepted?: number; error?: string; id?: number };
      if (msg.type === 'ack') {
        acked += msg.accepted ?? 0;
        inFlight--;
        pump();
      } else if (msg.type === 'error' || msg.type === 'nack') {
        errors.push(JSON.stringify(msg));
        reject(new Error(`device ws: ${JSON.stringify(msg)}`));
      }
    });
    ws.once('close', () => reject(new Error(`device ws closed after ${acked} of ${frames} frames acked`)));
    pump();
  });
  ws.removeAllListeners('close');
  ws.close();
  if (acked !== frames) throw new Error(`device ws: ${acked} of ${frames} frames acknowledged`);
  return { name: 'device-ws', source: Source.SOURCE_DEVICE_WS, sessions: { [opts.sessionId]: frames }, frames };
}

/** UDP text: JSON points, four per datagram, paced (UDP has no acknowledgement and no retry). */
export async function driveUdpText(port: number, opts: { sessionId: string; seed: number }): Promise<SourceReport> {
  const lines: string[] = [];
  const startUs = Date.now() * 1000;
  raceSamples({ seed: opts.seed, cars: 2, laps: 3, stepMs: 100 }, (race, car) => lines.push(JSON.stringify(ingestPoint(race, car, opts.sessionId, startUs))));
  const socket = dgram.createSocket('udp4');
  try {
    for (let i = 0; i < lines.length; i += 4) {
      await new Promise<void>((resolve, reject) => socket.send(lines.slice(i, i + 4).join('\n'), port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      if ((i / 4) % 10 === 9) await sleep(5);
    }
  } finally {
    socket.close();
  }
  return { name: 'udp-text', source: Source.SOURCE_UDP_TEXT, sessions: { [opts.sessionId]: lines.length }, frames: lines.length };
}

/** A GR Cup style wide CSV export of a 2-car, 3-lap race dropped into the bucket. */
export async function driveS3Csv(s3: { endpoint: string; bucket: string }, opts: { key: string; seed: number }): Promise<SourceReport> {
  const rows = ['timestamp,vehicle_id,lap,Laptrigger_lapdist_dls,speed,nmot,aps,pbrake_f,accx_can,accy_can,Steering_Angle,gear'];
  const startMs = Date.now();
  raceSamples({ seed: opts.seed, cars: 2, laps: 3, stepMs: 100 }, (race, car) => {
    rows.push(
      [
        new Date(startMs + race.elapsedMs).toISOString(),
        `GR86-E2E-${car.driver.raceNumber}`,
        car.lap,
        car.distanceM.toFixed(1),
        (car.speedMs * 3.6).toFixed(1),
        Math.round(car.rpm),
        Math.round(car.throttle * 100),
        (car.brake * 100).toFixed(1),
        car.gLongitudinal.toFixed(3),
        car.gLateral.toFixed(3),
        (car.steer * 450).toFixed(1),
        car.gear,
      ].join(','),
    );
  });
  const client = s3Client(s3.endpoint);
  try {
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: opts.key, Body: `${rows.join('\n')}\n`, ContentType: 'text/csv' }));
  } finally {
    client.destroy();
  }
  const session = opts.key.slice(opts.key.lastIndexOf('/') + 1).replace(/\.csv$/i, '');
  return { name: 's3-csv', source: Source.SOURCE_S3_CSV, sessions: { [session]: rows.length - 1 }, frames: rows.length - 1 };
}

export function s3Client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}
