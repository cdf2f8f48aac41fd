import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { topicCatalogue } from '@pitwall/kafka';

const root = path.resolve(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

interface ComposeService {
  image: string;
  ports?: string[];
  environment?: Record<string, string | number>;
  entrypoint?: string;
  command?: string;
}

const compose = parse(read('docker-compose.kafka.yml')) as { services: Record<string, ComposeService> };
const hostPorts = (s: ComposeService) => (s.ports ?? []).map((p) => Number(String(p).split(':')[0]));

/** The env block between <!-- compose-env --> markers in README.md. */
function readmeComposeEnv(): Record<string, string> {
  const readme = read('README.md');
  const block = /<!-- compose-env -->\s*```sh\n([\s\S]*?)```\s*<!-- \/compose-env -->/.exec(readme);
  if (!block) throw new Error('README.md has no compose-env block');
  return Object.fromEntries(
    block[1]!
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

describe('docker-compose.kafka.yml', () => {
  it('runs Kafka in KRaft mode (no ZooKeeper) with an external listener on 9092', () => {
    const kafka = compose.services.kafka!;
    expect(Object.keys(compose.services).some((s) => /zookeeper/i.test(s))).toBe(false);
    expect(String(kafka.environment!.KAFKA_PROCESS_ROLES)).toContain('controller');
    expect(hostPorts(kafka)).toContain(9092);
    expect(String(kafka.environment!.KAFKA_ADVERTISED_LISTENERS)).toContain('EXTERNAL://localhost:9092');
    expect(kafka.environment!.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
  });

  it('has Kafka UI on 8090, TimescaleDB on 5432 and MinIO on 9000', () => {
    expect(hostPorts(compose.services['kafka-ui']!)).toEqual([8090]);
    expect(compose.services['kafka-ui']!.environment!.KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe('kafka:29092');
    expect(compose.services.timescaledb!.image).toMatch(/^timescale\/timescaledb:/);
    expect(hostPorts(compose.services.timescaledb!)).toEqual([5432]);
    expect(hostPorts(compose.services.minio!)).toContain(9000);
  });

  it('matches the env values README gives for the production path', () => {
    const env = readmeComposeEnv();
    const kafkaExternal = /EXTERNAL:\/\/([^,]+)/.exec(String(compose.services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS))![1];
    expect(env.KAFKA_BROKERS).toBe(kafkaExternal);

    const pg = compose.services.timescaledb!.environment!;
    const db = new URL(env.DATABASE_URL!);
    expect(decodeURIComponent(db.username)).toBe(pg.POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(pg.POSTGRES_PASSWORD);
    expect(db.pathname.slice(1)).toBe(pg.POSTGRES_DB);
    expect(hostPorts(compose.services.timescaledb!)).toContain(Number(db.port));

    const minio = compose.services.minio!.environment!;
    expect(env.S3_ACCESS_KEY_ID).toBe(minio.MINIO_ROOT_USER);
    expect(env.S3_SECRET_ACCESS_KEY).toBe(minio.MINIO_ROOT_PASSWORD);
    expect(hostPorts(compose.services.minio!)).toContain(Number(new URL(env.S3_ENDPOINT!).port));
    expect(compose.services['minio-init']!.entrypoint).toContain(`local/${env.S3_BUCKET}`);
  });
});

describe('ecosystem.config.js', () => {
  const ecosystem = require(path.join(root, 'ecosystem.config.js')) as {
    apps: { name: string; script: string; instances: number; kill_timeout: number; env: Record<string, string> }[];
    KILL_TIMEOUT_MS: number;
    SHUTDOWN_TIMEOUT_MS: number;
  };
  const processApps = fs
    .readdirSync(path.join(root, 'apps'))
    .filter((dir) => fs.existsSync(path.join(root, 'apps', dir, 'src/main.ts')))
    .filter((dir) => JSON.parse(read(`apps/${dir}/package.json`)).pitwall?.pm2 !== false);

  it('has one entry per process app in apps/, running its built main', () => {
    const names = ecosystem.apps.map((a) => a.name).sort();
    expect(names).toEqual(processApps.map((d) => `pitwall-${d}`).sort());
    for (const entry of ecosystem.apps) {
      const dir = entry.name.replace(/^pitwall-/, '');
      expect(entry.script).toBe(path.join(root, 'apps', dir, 'dist', 'main.js'));
    }
  });

  it('points at scripts that the build produced', () => {
    const missing = ecosystem.apps.filter((a) => !fs.existsSync(a.script)).map((a) => a.script);
    if (missing.length && !fs.existsSync(path.join(root, 'packages/service/dist/index.js'))) {
      console.warn('ecosystem scripts not checked: nothing is built yet (run `npm run build`)');
      return;
    }
    expect(missing).toEqual([]);
  });

  it('gives apps time to shut down cleanly before PM2 kills them, and distinct health ports', () => {
    expect(ecosystem.KILL_TIMEOUT_MS).toBeGreaterThan(ecosystem.SHUTDOWN_TIMEOUT_MS + 1000);
    const ports: number[] = [];
    for (const a of ecosystem.apps) {
      expect(a.kill_timeout).toBe(ecosystem.KILL_TIMEOUT_MS);
      expect(Number(a.env.SHUTDOWN_TIMEOUT_MS)).toBe(ecosystem.SHUTDOWN_TIMEOUT_MS);
      expect(a.instances).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < a.instances; i++) ports.push(Number(a.env.HEALTH_PORT) + i);
      expect(a.env.KAFKA_BROKERS).toBeTruthy();
    }
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('leaves room for a consumer scaled to every telemetry partition without meeting another health port', () => {
    const partitions = topicCatalogue().find((t) => t.role === 'telemetry')!.partitions;
    const ranges = ecosystem.apps.map((a) => {
      const first = Number(a.env.HEALTH_PORT);
      const scalable = a.name === 'pitwall-aggregator' || a.name === 'pitwall-db-writer';
      return { name: a.name, first, last: first + (scalable ? partitions : a.instances) - 1 };
    });
    for (const a of ranges) {
      for (const b of ranges) if (a !== b) expect({ [a.name]: a.last < b.first || b.last < a.first }).toEqual({ [a.name]: true });
    }
  });

  it('takes game hosts and listening ports from the shell that runs pm2, with the file as default', () => {
    const file = path.join(root, 'ecosystem.config.js');
    // PM2 evaluates the file in the CLI's process: a fresh node with that shell's environment.
    const load = (env: Record<string, string>) => {
      const out = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(file)}).apps))`], { env: { ...process.env, ...env }, encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`loading ecosystem.config.js failed: ${out.stderr}`);
      return JSON.parse(out.stdout) as typeof ecosystem.apps;
    };
    const envOf = (apps: typeof ecosystem.apps, name: string) => apps.find((a) => a.name === name)!.env;
    const rig = load({ AC_HOST: '192.168.1.20', ACC_HOST: '192.168.1.21', F1_UDP_PORT: '20800', WS_PORT: '8088' });
    expect(envOf(rig, 'pitwall-collector-ac').AC_HOST).toBe('192.168.1.20');
    expect(envOf(rig, 'pitwall-collector-acc').ACC_HOST).toBe('192.168.1.21');
    expect(envOf(rig, 'pitwall-collector-f1').F1_UDP_PORT).toBe('20800');
    expect(envOf(rig, 'pitwall-ws-bridge').WS_PORT).toBe('8088');
    const defaults = load({});
    if (!process.env.AC_HOST) expect(envOf(defaults, 'pitwall-collector-ac').AC_HOST).toBe('127.0.0.1');
  });
});

describe('workspaces', () => {
  const workspaces = [
    ...fs.readdirSync(path.join(root, 'packages')).map((d) => `packages/${d}`),
    ...fs.readdirSync(path.join(root, 'apps')).map((d) => `apps/${d}`),
    'scripts',
  ].filter((w) => fs.existsSync(path.join(root, w, 'package.json')) && fs.existsSync(path.join(root, w, 'tsconfig.json')));

  const sources = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'generated' ? [] : sources(path.join(dir, e.name))) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []))
      : [];

  // turbo orders builds by package.json dependencies and tsc -b by tsconfig references: an import
  // missing from either builds on a warm tree and fails on a clean clone.
  it.each(workspaces)('%s declares and references every @pitwall package its sources import', (w) => {
    const imported = new Set<string>();
    for (const file of sources(path.join(root, w, 'src'))) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/from '@pitwall\/([a-z0-9-]+)'/g)) imported.add(m[1]!);
    }
    const pkg = JSON.parse(read(`${w}/package.json`)) as { name: string; dependencies?: Record<string, string> };
    const tsconfig = JSON.parse(read(`${w}/tsconfig.json`).replace(/^\s*\/\/.*$/gm, '')) as { references?: { path: string }[] };
    const referenced = new Set((tsconfig.references ?? []).map((r) => path.basename(r.path)));
    imported.delete(pkg.name.replace('@pitwall/', ''));
    const undeclared = [...imported].filter((d) => !pkg.dependencies?.[`@pitwall/${d}`]);
    const unreferenced = [...imported].filter((d) => !referenced.has(d));
    expect({ undeclared, unreferenced }).toEqual({ undeclared: [], unreferenced: [] });
  });
});
