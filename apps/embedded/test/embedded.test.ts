import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '@pitwall/db';
import WebSocket from 'ws';

const main = path.join(__dirname, '../dist/main.js');
const built = fs.existsSync(main);

(built ? describe : describe.skip)('npm start (embedded mode) as a real process', () => {
  if (!built) console.warn('skipping embedded process test: apps/embedded is not built (run `npm run build`)');

  it('serves /health, shows every simulated source moving on the bridge, stores them, and stops cleanly on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pitwall-embedded-'));
    // mkdtemp makes it 0700; as root, PostgreSQL runs as the postgres user and must reach it.
    fs.chmodSync(dataDir, 0o755);
    const env = {
      ...process.env,
      HEALTH_PORT: '0',
      WS_PORT: '0',
      INGEST_PORT: '0',
      UDP_PORT: '0',
      F1_UDP_PORT: '0',
      SIM_AC_PORT: '0',
      SIM_ACC_PORT: '0',
      KAFKA_BROKERS: '',
      DATABASE_URL: '',
      PITWALL_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
    };
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const end = Date.now() + 60_000;
      let port = 0;
      while (!port || !out.includes('embedded pipeline running')) {
        if (Date.now() > end) throw new Error(`did not start: ${out}`);
        port = Number(/serving \/health and \/metrics","port":(\d+)/.exec(out)?.[1] ?? 0);
        await new Promise((r) => setTimeout(r, 20));
      }
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; checks: { bus: { detail: { kind: string; topics: string[] } } } };
      expect(body.status).toBe('ok');
      expect(body.checks.bus.detail.kind).toBe('memory');
      expect(body.checks.bus.detail.topics).toContain('telemetry');
      // The viewers' port answers /api/health too, for the older server's clients.
      const wsPort = Number(/"message":"ws-bridge listening","path":"\/ws\/realtime","port":(\d+)|"message":"ws-bridge listening".*?"port":(\d+)/.exec(out)?.slice(1).find(Boolean));
      expect((await fetch(`http://127.0.0.1:${wsPort}/api/health`)).status).toBe(200);

      // Every source reaches a viewer: F1, AC and ACC over their game protocols from the simulator,
      // HTTP batches through the ingest, the demo CSV drop from the local S3, all through the bus and
      // the bridge.
      const viewer = new WebSocket(`ws://127.0.0.1:${wsPort}/ws/realtime`);
      // A source may have published before the viewer connected (the CSV drop is read at start):
      // the bridge's recent frames cover that.
      viewer.on('open', () => viewer.send(JSON.stringify({ type: 'recent', seconds: 600 })));
      const sources = new Set<string>();
      viewer.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { type: string; data?: { raw_source: string }[] };
        if (msg.type === 'telemetry_update') for (const p of msg.data ?? []) sources.add(p.raw_source);
      });
      const want = ['SOURCE_F1', 'SOURCE_ASSETTO_CORSA', 'SOURCE_ACC', 'SOURCE_HTTP', 'SOURCE_S3_CSV'];
      const until = Date.now() + 20_000;
      while (!want.every((s) => sources.has(s)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      viewer.close();
      expect([...sources].sort()).toEqual(expect.arrayContaining(want));

      // The db-writer stores them in the embedded PostgreSQL: the history API lists the sessions.
      // Sessions are listed as their first rows commit, in any order: wait for the game sources'.
      const gameSessions = ['ac', 'acc', 'f1'];
      let stored: string[] = [];
      const storedBy = Date.now() + 30_000;
      while (!gameSessions.every((g) => stored.includes(g)) && Date.now() < storedBy) {
        const { sessions } = (await (await fetch(`http://127.0.0.1:${wsPort}/api/sessions`)).json()) as { sessions: { session_id: string }[] };
        stored = sessions.map((x) => x.session_id.split(':')[0]!);
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(stored.sort()).toEqual(expect.arrayContaining(gameSessions));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out).toContain('"message":"stopped"');
    } finally {
      // A failed expectation must not leave the pipeline running (it would hold jest open).
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exit;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
