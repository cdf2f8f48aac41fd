import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryBus } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { defaultTopicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { Health } from '@pitwall/service';
import { startCollectorHttp } from './app';
import { loadCollectorHttpConfig } from './config';
import type { BenchResult } from '@pitwall/bench';


export interface HttpIngestBenchOptions {
  /** Measured time per round and server. Default 3000 ms. */
  durationMs?: number;
  /** Rounds; each measures bare then ours, and the best round of each counts. Default 2. */
  rounds?: number;
  batchFrames?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
}

/** GR Cup style points of 8 cars, one batch body; distinct timestamps so every frame is new. */
function batchBody(batch: number, frames: number): Buffer {
  const start = Date.UTC(2025, 3, 4, 18) + batch * frames * 10;
  const points = [];
  for (let i = 0; i < frames; i++) {
    points.push({
      vehicle_id: `GR86-00${i % 8}`,
      track: 'barber',
      timestamp: new Date(start + i * 10).toISOString(),
      lap: 3 + (i >> 7),
      Laptrigger_lapdist_dls: (i * 7.3) % 3700,
      speed: 120 + (i % 40),
      nmot: 5200 + (i % 900),
      aps: (i * 3) % 100,
      pbrake_f: (i % 17) * 2.5,
      pbrake_r: (i % 17) * 1.1,
      accx_can: 0.12,
      accy_can: -0.85,
      Steering_Angle: -42.5 + (i % 30),
      gear: 3 + (i % 3),
      VBOX_Lat_Min: 33.5326,
      VBOX_Long_Minutes: -86.6196,
    });
  }
  return Buffer.from(JSON.stringify(points));
}

interface Rate {
  /** Frames per wall-clock second. */
  wall: number;
  /** Frames per second of this process's CPU time (client included): what one uncontended core does at least. */
  cpu: number;
}

/** Keeps `concurrency` POSTs in flight for `durationMs`; returns frames/s of 200 responses. */
async function load(port: number, bodies: Buffer[], framesPerBody: number, concurrency: number, durationMs: number): Promise<Rate> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let ok = 0;
  let failed = 0;
  let next = 0;
  const post = (body: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/ingest', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = began + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const status = await post(bodies[next++ % bodies.length]!);
      if (status === 200) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  if (failed > 0) throw new Error(`bench: ${failed} requests were not answered 200`);
  const frames = ok * framesPerBody;
  return { wall: frames / seconds, cpu: frames / ((cpu.user + cpu.system) / 1e6) };
}

const best = (a: Rate, b: Rate): Rate => ({ wall: Math.max(a.wall, b.wall), cpu: Math.max(a.cpu, b.cpu) });

/**
 * A server that only reads the body and answers 200: the floor of what HTTP costs here. With
 * `parse` it also JSON.parses the body, which shows how much of the gap is JSON itself.
 */
async function bareServer(parse: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      if (parse) chunks.push(c);
    });
    req.on('end', () => {
      if (parse) JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * HTTP ingest of JSON batches into a MemoryBus (every 200 = every frame acknowledged), against a
 * bare Node HTTP server that only reads the body, with the same keep-alive client in the same run.
 */
export async function benchHttpIngest(opts: HttpIngestBenchOptions = {}): Promise<BenchResult> {
  const durationMs = opts.durationMs ?? 3000;
  const rounds = opts.rounds ?? 2;
  const frames = opts.batchFrames ?? 500;
  const concurrency = opts.concurrency ?? 4;
  const bodies = Array.from({ length: 16 }, (_, b) => batchBody(b, frames));

  // No group reads the topic, so a full partition is trimmed whole: the bus holds at most 2000
  // frames a partition, like a producer's in-flight buffer, instead of growing the measured heap.
  const bus = new MemoryBus({ maxMessagesPerPartition: 2000 });
  const config = loadCollectorHttpConfig(new EnvReader({ INGEST_PORT: '0', HOST: '127.0.0.1', UDP_ENABLED: 'false' }));
  const app = await startCollectorHttp({ bus, topics: defaultTopicNames, logger: silentLogger(), metrics: new Metrics('bench'), health: new Health(), config });
  const bare = await bareServer(false);
  const parsing = await bareServer(true);
  const none: Rate = { wall: 0, cpu: 0 };
  let ours = none;
  let baseline = none;
  let parseOnly = none;
  try {
    // Warm all up so the JIT has seen the paths before anything is counted.
    for (const port of [bare.port, parsing.port, app.port]) await load(port, bodies, frames, concurrency, 500);
    for (let r = 0; r < rounds; r++) {
      baseline = best(baseline, await load(bare.port, bodies, frames, concurrency, durationMs));
      parseOnly = best(parseOnly, await load(parsing.port, bodies, frames, concurrency, durationMs));
      ours = best(ours, await load(app.port, bodies, frames, concurrency, durationMs));
    }
  } finally {
    await app.stop();
    await bare.close();
    await parsing.close();
    await bus.close();
  }
  const ratio = ours.wall / baseline.wall;
  const k = (n: number) => `${Math.round(n / 1000)}k`;
  return {
    name: 'http-ingest',
    unit: 'frames/s',
    ours: Math.round(ours.wall),
    baselineName: 'bare node:http server reading the body',
    baseline: Math.round(baseline.wall),
    ratio: Math.round(ratio * 1000) / 1000,
    goal: '≥100,000 frames/s and ≥50 % of bare',
    met: ours.wall >= 100_000 && ratio >= 0.5,
    notes:
      `${frames}-frame JSON batches (${bodies[0]!.length} bytes), ${concurrency} keep-alive requests in flight, client in the same process, ` +
      `best of ${rounds} × ${durationMs} ms; ours = 200s (bus-acknowledged) × frames. ` +
      `A bare server that also JSON.parses the body: ${k(parseOnly.wall)} frames/s (${Math.round((parseOnly.wall / baseline.wall) * 100)} % of bare). ` +
      `Per CPU-second of this process (client included, so a floor for one uncontended core): ours ${k(ours.cpu)}, bare ${k(baseline.cpu)}, bare+parse ${k(parseOnly.cpu)}.`,
  };
}
