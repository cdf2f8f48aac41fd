import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { silentLogger } from '@pitwall/logger';
import { exitCodes, setupKafka, type SetupIo } from '../src/setup-kafka';

function captureIo(): SetupIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), logger: silentLogger() };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('kafka:setup without a reachable cluster', () => {
  it('fails clearly, within its timeout, when the brokers do not answer', async () => {
    const broker = `127.0.0.1:${await closedPort()}`;
    const io = captureIo();
    const started = Date.now();
    const code = await setupKafka(['--dry-run'], { KAFKA_BROKERS: broker, KAFKA_SETUP_TIMEOUT_MS: '1200' }, io);
    expect(code).toBe(exitCodes.unreachable);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(io.stderr).toEqual([expect.stringMatching(new RegExp(`^kafka:setup: cannot reach Kafka brokers ${broker} within 1 s: .*ECONNREFUSED`))]);
    expect(io.stdout).toEqual([]);
  });

  it.each([
    [[], {}, /kafka:setup: KAFKA_BROKERS: expected a comma-separated list of host:port, got nothing/],
    [[], { KAFKA_BROKERS: 'k:9092', KAFKA_TELEMETRY_PARTITIONS: '-3' }, /kafka:setup: KAFKA_TELEMETRY_PARTITIONS: expected an integer from 1/],
    [['--force'], { KAFKA_BROKERS: 'k:9092' }, /kafka:setup: unknown argument --force\nusage: /],
  ])('refuses %j with %j before connecting', async (argv, env, message) => {
    const io = captureIo();
    expect(await setupKafka(argv, env, io)).toBe(exitCodes.usage);
    expect(io.stderr.join('\n')).toMatch(message);
  });

  it('as a process: exits promptly with one clear line and no stack trace', async () => {
    const broker = `127.0.0.1:${await closedPort()}`;
    const runTs = path.resolve(__dirname, '../../packages/bus/test/wire/child/run-ts.js');
    const child = spawn(process.execPath, [runTs, path.resolve(__dirname, '../src/setup-kafka.ts')], {
      env: { ...process.env, KAFKA_BROKERS: broker, KAFKA_SETUP_TIMEOUT_MS: '1000', LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const started = Date.now();
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(exitCodes.unreachable);
    // Startup includes compiling TypeScript on the fly; the point is that no kafkajs retry keeps it alive.
    expect(Date.now() - started).toBeLessThan(8000);
    expect(stderr.trim()).toMatch(new RegExp(`^kafka:setup: cannot reach Kafka brokers ${broker} within 1 s`));
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 20_000);
});
