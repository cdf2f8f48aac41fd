// The PM2 entry as a real process: a bad setting stops it at start with exit 78 (PM2 does not
// restart it) and a line naming the variable. Running over Kafka is covered in-process by
// test/wire/kafka.test.ts (a process would spend a 30 s group session timeout per join on the mock).
import { spawn } from 'node:child_process';
import * as path from 'node:path';

jest.setTimeout(30_000);

const runTs = path.resolve(__dirname, '../../../packages/bus/test/wire/child/run-ts.js');
const main = path.resolve(__dirname, '../src/main.ts');

function run(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [runTs, main], {
    env: { PATH: process.env.PATH ?? '', HEALTH_PORT: '0', LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

test.each([
  [{ KAFKA_BROKERS: '127.0.0.1:1', AGGREGATOR_RPM_LIMITS: 'GR86=fast' }, 'AGGREGATOR_RPM_LIMITS'],
  [{}, 'KAFKA_BROKERS'],
])('with %j the process exits 78 naming %s', async (env, variable) => {
  const { code, output } = await run(env);
  expect(code).toBe(78);
  expect(output).toContain(variable);
});
