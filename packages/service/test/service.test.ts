import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as fs from 'node:fs';

const fixture = path.join(__dirname, 'fixtures/app.js');
const built = fs.existsSync(path.join(__dirname, '../dist/index.js'));

interface Run {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [fixture], { env: { ...process.env, HEALTH_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

async function portOf(r: Run): Promise<number> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const m = /"message":"serving \/health and \/metrics","port":(\d+)/.exec(r.out());
    if (m && r.out().includes('"message":"started"')) return Number(m[1]);
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`app did not start: ${r.out()}`);
}

(built ? describe : describe.skip)('service kit in a real process', () => {
  if (!built) console.warn('skipping service process tests: packages/service is not built (run `npm run build`)');

  it('serves /health and /metrics, then shuts down cleanly on SIGTERM in order', async () => {
    const r = run({ FIXTURE_LIMIT: '42' });
    const port = await portOf(r);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { ok: boolean; now: string; status: string; apps: string[]; checks: Record<string, { detail: { limit: number } }> };
    expect(body.status).toBe('ok');
    expect(body.ok).toBe(true);
    expect(Date.parse(body.now)).toBeGreaterThan(Date.now() - 60_000);
    expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(200);
    expect(body.apps).toEqual(['fixture']);
    expect(body.checks.work!.detail.limit).toBe(42);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain('pitwall_fixture_things_total{app="fixture"} 42');
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    const out = r.out();
    expect(out.indexOf('app stopped')).toBeGreaterThan(-1);
    expect(out.indexOf('cleanup ran')).toBeGreaterThan(out.indexOf('app stopped'));
    expect(out).toContain('"message":"stopped"');
  });

  it('answers /health with down (503) while the app is still starting, then ok', async () => {
    const r = run({ FIXTURE_START_MS: '1500' });
    const end = Date.now() + 10_000;
    let m: RegExpExecArray | null = null;
    while (!m && Date.now() < end) {
      m = /"message":"serving \/health and \/metrics","port":(\d+)/.exec(r.out());
      await new Promise((res) => setTimeout(res, 20));
    }
    const early = await fetch(`http://127.0.0.1:${m![1]}/health`);
    const earlyBody = (await early.json()) as { status: string; checks: Record<string, { detail: { state: string } }> };
    expect(r.out()).not.toContain('"message":"started"');
    expect(early.status).toBe(503);
    expect(earlyBody.status).toBe('down');
    expect(earlyBody.checks.lifecycle!.detail.state).toBe('starting');
    const port = await portOf(r);
    const later = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string; checks: Record<string, { detail: { state: string } }> };
    expect(later.status).toBe('ok');
    expect(later.checks.lifecycle!.detail.state).toBe('running');
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('stops with exit 78 and names the variable on a bad setting', async () => {
    const r = run({ FIXTURE_LIMIT: 'lots' });
    expect(await r.exit).toBe(78);
    expect(r.out()).toContain('configuration error: FIXTURE_LIMIT: expected an integer from 1 to 100, got \\"lots\\"');
  });

  it('on a fatal error shuts down cleanly and exits 1, so PM2 restarts it', async () => {
    const r = run({ FIXTURE_FATAL_MS: '300' });
    expect(await r.exit).toBe(1);
    const out = r.out();
    expect(out).toContain('fatal: the fixture gave up; shutting down so the process is restarted');
    expect(out.indexOf('cleanup ran')).toBeGreaterThan(out.indexOf('app stopped'));
    expect(out).toContain('"code":1');
  });

  it('exits non-zero when stop overruns SHUTDOWN_TIMEOUT_MS', async () => {
    const r = run({ FIXTURE_STOP_MS: '5000', SHUTDOWN_TIMEOUT_MS: '200' });
    await portOf(r);
    r.child.kill('SIGINT');
    expect(await r.exit).toBe(1);
    expect(r.out()).toContain('shutdown timed out');
  });
});
