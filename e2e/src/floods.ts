import * as dgram from 'node:dgram';
import * as http from 'node:http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { seededRandom } from '@pitwall/seeded-random';
import WebSocket from 'ws';
import { s3Client } from './sources';

/** Deterministic junk, so a failure reproduces. */
function junk(seed: number, length: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** Bad datagrams at a UDP port: random bytes, empty, truncated headers, text. Returns the count sent. */
export async function floodUdp(port: number, count: number, seed: number): Promise<number> {
  const socket = dgram.createSocket('udp4');
  try {
    for (let i = 0; i < count; i++) {
      const kind = i % 5;
      const data =
        kind === 0 ? junk(seed + i, 1 + (i % 1400))
        : kind === 1 ? Buffer.alloc(0)
        : kind === 2 ? Buffer.from([0xe9, 0x07, 25, 1, 0, 1]) // an F1 header cut short
        : kind === 3 ? Buffer.from('{"speed_kmh": "fast", "lap": -1}\nnot json at all\n[1,2,3]')
        : junk(seed + i, 29); // about a header's length
      await new Promise<void>((resolve) => socket.send(data, port, '127.0.0.1', () => resolve()));
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    socket.close();
  }
  return count;
}

/**
 * A broken "game" on a game port: it answers every datagram (the collector's handshake or
 * registration) with junk, for `durationMs`. Returns the junk datagrams sent.
 */
export async function brokenGame(port: number, durationMs: number, seed: number): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  let sent = 0;
  socket.on('message', (_msg, from) => {
    for (let i = 0; i < 5; i++) {
      socket.send(junk(seed + sent, 1 + ((sent * 37) % 600)), from.port, from.address);
      sent++;
    }
  });
  await new Promise((r) => setTimeout(r, durationMs));
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return sent;
}

/** Bad requests to `POST /api/ingest`; each must be refused with a 4xx. Returns each with its status. */
export async function floodHttp(port: number): Promise<{ request: string; status: number }[]> {
  const url = `http://127.0.0.1:${port}/api/ingest`;
  const cases: { type: string; body: Buffer | string }[] = [
    { type: 'application/json', body: '{"speed_kmh": 1' },
    { type: 'application/json', body: '[{"meta_time": "yesterday-ish", "chassis": "x"}]' },
    { type: 'application/json', body: '{"chassis": "GR86-1", "speed_kmh": "fast"}' },
    { type: 'application/json', body: '"just a string"' },
    { type: 'application/x-ndjson', body: 'not json\n{"chassis":"x"}\n' },
    { type: 'application/x-protobuf', body: junk(7, 300) },
    { type: 'application/x-protobuf; delimited=true', body: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]) },
    { type: 'text/plain', body: 'hello' },
  ];
  const answers: { request: string; status: number }[] = [];
  for (let round = 0; round < 20; round++) {
    for (const c of cases) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': c.type }, body: typeof c.body === 'string' ? c.body : new Uint8Array(c.body) }).catch(() => null);
      if (res) await res.arrayBuffer().catch(() => undefined);
      answers.push({ request: `${c.type} ${c.body.length > 60 ? `${c.body.length} bytes` : JSON.stringify(c.body.toString())}`, status: res?.status ?? 0 });
    }
  }
  // Over the body limit: the collector answers 413 from the Content-Length alone, before a byte of
  // the body (a client still uploading then sees its socket reset, so this one sends none).
  answers.push({ request: 'application/json declaring 11 MiB', status: await declaredOnly(port, 11 * 1024 * 1024) });
  return answers;
}

function declaredOnly(port: number, contentLength: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/ingest', headers: { 'content-type': 'application/json', 'content-length': contentLength } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', () => resolve(0));
    req.flushHeaders();
  });
}

/** Bad messages on the device WebSocket; returns how many were sent and what came back. */
export async function floodDeviceWs(port: number): Promise<{ sent: number; errors: number; closed: boolean }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/ingest?device=e2e-flood`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let errors = 0;
  let closed = false;
  ws.on('message', (data) => {
    if ((JSON.parse(String(data)) as { type: string }).type === 'error') errors++;
  });
  ws.on('close', () => (closed = true));
  const messages: (string | Buffer)[] = ['{', 'null', '[]', '{"type":"telemetry_data","data":"x"}', '{"points":[{"speed_kmh":"x"}]}', junk(3, 200), '{"type":"what"}'];
  let sent = 0;
  for (let i = 0; i < 30 && !closed; i++) {
    for (const m of messages) {
      ws.send(m);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 500));
  ws.close();
  return { sent, errors, closed };
}

/** Objects in the bucket that are not usable CSV exports. Returns their keys. */
export async function dropBadObjects(s3: { endpoint: string; bucket: string }): Promise<string[]> {
  const client = s3Client(s3.endpoint);
  const objects: [string, Buffer | string][] = [
    ['bad/binary-junk.csv', junk(11, 5000)],
    ['bad/header-only.csv', 'timestamp,vehicle_id,lap,speed\n'],
    ['bad/no-time-column.csv', 'vehicle_id,speed\nGR86-1,100\nGR86-1,101\n'],
    ['bad/not-really.csv.gz', 'this is not gzip'],
    ['bad/garbled-values.csv', 'timestamp,vehicle_id,lap,speed\nnot-a-time,GR86-1,one,fast\n,,,\n'],
  ];
  try {
    for (const [key, body] of objects) await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
  } finally {
    client.destroy();
  }
  return objects.map(([key]) => key);
}
