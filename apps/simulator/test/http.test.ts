import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpPoster } from '../src/http';
import { sleep } from './udp-client';

interface Ingest {
  url: string;
  bodies: Record<string, unknown>[][];
  maxConcurrent: number;
  close(): Promise<void>;
}

async function ingest(handle: (res: http.ServerResponse) => void | Promise<void>): Promise<Ingest> {
  let concurrent = 0;
  const state = { bodies: [] as Record<string, unknown>[][], maxConcurrent: 0 };
  const server = http.createServer((req, res) => {
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers.authorization).toBe('Bearer tok');
      state.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      await handle(res);
      concurrent--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/ingest`,
    get bodies() {
      return state.bodies;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const ok = async (res: http.ServerResponse) => {
  await sleep(30);
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}');
};

describe('HTTP ingest poster', () => {
  it('posts JSON batches of points in the ingest field names, one request at a time', async () => {
    const server = await ingest(ok);
    const poster = new HttpPoster({ url: server.url, token: 'tok', sampleRateHz: 50, postRateHz: 20, race: { cars: 3, trackLengthM: 1000 }, timeScale: 5 }).start();
    await sleep(600);
    await poster.stop();
    await server.close();
    const points = server.bodies.flat();
    expect(server.bodies.length).toBeGreaterThan(1);
    expect(server.maxConcurrent).toBe(1);
    expect(poster.stats).toMatchObject({ points: points.length, batches: server.bodies.length, failedBatches: 0, dropped: 0 });
    expect(new Set(points.map((p) => p.car_id)).size).toBe(3);
    for (const p of points) {
      expect(p.session_id).toBe('sim-http-1');
      expect(p.throttle as number).toBeGreaterThanOrEqual(0);
      expect(p.throttle as number).toBeLessThanOrEqual(1);
      expect(Number.isInteger(p.current_lap_time_ms)).toBe(true);
      expect(Number.isInteger(p.gear)).toBe(true);
      const wear = p.tyre_wear as Record<string, number>;
      expect(Object.keys(wear).sort()).toEqual(['fl', 'fr', 'rl', 'rr']);
      for (const w of Object.values(wear)) expect(w).toBeLessThan(1);
    }
    // Times of one car increase with the model.
    const times = points.filter((p) => p.car_id === points[0]!.car_id).map((p) => p.source_time_us as number);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
  });

  it('drops the oldest points beyond maxPending while the ingest is slow, and counts refused batches', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await ingest(async (res) => {
      await held;
      res.writeHead(503).end();
    });
    const poster = new HttpPoster({ url: server.url, token: 'tok', sampleRateHz: 100, postRateHz: 20, maxPending: 10, race: { cars: 4, trackLengthM: 1000 } }).start();
    await sleep(400);
    expect(poster.stats.dropped).toBeGreaterThan(0);
    release();
    await poster.stop();
    await server.close();
    expect(poster.stats.failedBatches).toBeGreaterThanOrEqual(1);
    expect(poster.stats.batches).toBe(0);
    // The first request took what was pending then; later ones at most maxPending each.
    for (const body of server.bodies.slice(1)) expect(body.length).toBeLessThanOrEqual(10);
  });
});
