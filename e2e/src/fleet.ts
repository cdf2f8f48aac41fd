import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as path from 'node:path';
import { Pm2, type Pm2Process } from './pm2';

/** One app of ecosystem.config.js and the health ports of its instances. */
export interface FleetApp {
  name: string;
  instances: number;
  healthPorts: number[];
}

interface EcosystemEntry {
  name: string;
  instances: number;
  env: Record<string, string>;
}

/** The apps ecosystem.config.js starts: what the test checks is what operators run. */
export function ecosystemApps(projectRoot: string): FleetApp[] {
  const file = path.join(projectRoot, 'ecosystem.config.js');
  delete require.cache[require.resolve(file)];
  const { apps } = require(file) as { apps: EcosystemEntry[] };
  return apps.map((a) => {
    const base = Number(a.env.HEALTH_PORT);
    // increment_var gives instance i the port base + i.
    return { name: a.name, instances: a.instances, healthPorts: Array.from({ length: a.instances }, (_, i) => base + i) };
  });
}

/** An app's /health answer, or null while it does not answer. */
export async function health(port: number): Promise<{ status: string; checks?: Record<string, { status: string; detail?: unknown }> } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) });
    return (await res.json()) as { status: string };
  } catch {
    return null;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value (not undefined/false) or the time is up; the error names what was awaited. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

/** The PM2 fleet of ecosystem.config.js, started with the run's environment. */
export class Fleet {
  readonly apps: FleetApp[];

  constructor(
    readonly pm2: Pm2,
    readonly projectRoot: string,
  ) {
    this.apps = ecosystemApps(projectRoot);
  }

  app(name: string): FleetApp {
    const app = this.apps.find((a) => a.name === name);
    if (!app) throw new Error(`no app ${name} in ecosystem.config.js (${this.apps.map((a) => a.name).join(', ')})`);
    return app;
  }

  async start(env: Record<string, string>): Promise<void> {
    await this.pm2.start(path.join(this.projectRoot, 'ecosystem.config.js'), env);
  }

  /**
   * Every instance of every app (or the given ones) answers /health with ok; apps in `degradedOk`
   * may answer degraded (a game collector waiting for its game is up, not ok).
   */
  async waitHealthy(timeoutMs: number, opts: { only?: string[]; degradedOk?: string[] } = {}): Promise<void> {
    const apps = opts.only ? opts.only.map((n) => this.app(n)) : this.apps;
    const fine = (app: string, status: string | undefined) => status === 'ok' || (status === 'degraded' && (opts.degradedOk ?? []).includes(app));
    await waitFor(
      `${opts.only?.join(', ') ?? 'every app'} to report healthy`,
      async () => {
        const states = await Promise.all(apps.flatMap((a) => a.healthPorts.map(async (port) => ({ port, app: a.name, h: await health(port) }))));
        const bad = states.filter((s) => !fine(s.app, s.h?.status));
        if (bad.length === 0) return true;
        throw new Error(bad.map((b) => `${b.app}:${b.port} ${b.h ? `${b.h.status} ${JSON.stringify(b.h.checks)}`.slice(0, 400) : 'not answering'}`).join('; '));
      },
      timeoutMs,
      500,
    );
  }

  async processes(name?: string): Promise<Pm2Process[]> {
    const all = await this.pm2.list();
    return name ? all.filter((p) => p.name === name) : all;
  }
}

/** Fails up front, naming the port, when something (a running `npm start`?) holds one the fleet needs. */
export async function assertPortsFree(tcp: number[], udp: number[]): Promise<void> {
  const busy: string[] = [];
  for (const port of tcp) {
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
    });
    if (!free) busy.push(`tcp ${port}`);
  }
  for (const port of udp) {
    const free = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '0.0.0.0', () => socket.close(() => resolve(true)));
    });
    if (!free) busy.push(`udp ${port}`);
  }
  if (busy.length) throw new Error(`ports the fleet needs are in use: ${busy.join(', ')} (is \`npm start\` or another fleet running?)`);
}
