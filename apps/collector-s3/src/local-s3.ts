import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real S3 API server (npm s3rver) on 127.0.0.1, for the tests, the benchmark and `npm start`'s
 * demo bucket; never used by the PM2 app. s3rver is resolved only when this runs (a dev dependency
 * here; the embedded app, a development tool, depends on it).
 *
 * It runs in its own process because s3rver 3.x encrypts ListObjectsV2 continuation tokens with
 * DES, which OpenSSL 3 offers only through the legacy provider (jamhall/s3rver#818): the child gets
 * `--openssl-legacy-provider`, the test process keeps the default. A separate process also keeps
 * the server's memory out of the collector's memory measurements. The child exits when its stdin
 * closes, so a killed parent never leaves it behind.
 */
export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** The server's data directory (a fresh temp dir, removed by `stop`). */
  directory: string;
  stop(): Promise<void>;
}

const CHILD = `
const S3rver = require(process.argv[1]);
const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
server.run().then(
  (a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'),
  (err) => { process.stderr.write('s3rver failed to start: ' + (err.stack || err) + '\\n'); process.exit(1); },
);
const exit = () => server.close().finally(() => process.exit(0));
process.stdin.on('end', exit);
process.stdin.resume();
`;

export async function startLocalS3(bucket = 'telemetry', timeoutMs = 20_000): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'pitwall-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD, require.resolve('s3rver'), directory, bucket], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let port: number;
  try {
    port = await readPort(child, timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function readPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (code ${code}) before listening: ${err.trim()}`));
    });
  });
}
