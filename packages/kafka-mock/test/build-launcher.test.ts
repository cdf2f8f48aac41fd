import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

const launcher = require('../scripts/build-launcher.js') as { build(opts?: { output?: string; env?: NodeJS.ProcessEnv }): string };

describe('the mock-kafka launcher build', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mock-kafka-build-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says what to install when librdkafka-dev (pkg-config rdkafka) is missing', () => {
    const emptyPath = path.join(dir, 'empty-bin');
    fs.mkdirSync(emptyPath);
    expect(() => launcher.build({ output: path.join(dir, 'mock-kafka'), env: { PATH: emptyPath } })).toThrow(
      'librdkafka development files not found (pkg-config rdkafka failed). Install them: apt-get install librdkafka-dev pkg-config',
    );
    expect(fs.existsSync(path.join(dir, 'mock-kafka'))).toBe(false);
  });

  it('compiles a launcher that prints its bootstrap, rejects bad topics and exits on stdin EOF', async () => {
    const binary = launcher.build({ output: path.join(dir, 'mock-kafka') });
    const builtAt = fs.statSync(binary).mtimeMs;
    // Up to date: not compiled again.
    expect(launcher.build({ output: binary })).toBe(binary);
    expect(fs.statSync(binary).mtimeMs).toBe(builtAt);

    const bad = spawnSync(binary, ['--brokers', '1', 'no-partition-count'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/topic argument must be name:partitions, got no-partition-count/);

    const child = spawn(binary, ['--brokers', '2', 'topic.a:3'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    const first = await new Promise<string>((r) => readline.createInterface({ input: child.stdout }).once('line', r));
    expect(first).toMatch(/^bootstrap 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
    child.stdin.end();
    expect(await exited).toBe(0);
  }, 30_000);
});
