// The PM2 fleet for a race-team server: `npm run build`, then `pm2 start ecosystem.config.js`.
// Every app is one entry; consumers scale with `instances` (fork mode, each instance gets its own
// HEALTH_PORT via increment_var) up to the partition count of the topic they read.
// Shared settings come from the environment PM2 is started with (KAFKA_BROKERS, DATABASE_URL, ...)
// and are overridden per app below.
const path = require('node:path');

// PM2 sends SIGINT, waits kill_timeout, then SIGKILLs. Apps give up their own clean shutdown
// after SHUTDOWN_TIMEOUT_MS, so the app, not PM2, decides what is left uncommitted.
const KILL_TIMEOUT_MS = 10_000;
const SHUTDOWN_TIMEOUT_MS = 8_000;

const shared = {
  NODE_ENV: 'production',
  LOG_FORMAT: 'json',
  KAFKA_BROKERS: process.env.KAFKA_BROKERS || 'localhost:9092',
  SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
};

/** One PM2 entry for apps/<dir>, running its built main. */
function app(dir, { instances = 1, healthPort, env = {} }) {
  return {
    name: `pitwall-${dir}`,
    script: path.join(__dirname, 'apps', dir, 'dist', 'main.js'),
    cwd: __dirname,
    exec_mode: 'fork',
    instances,
    increment_var: 'HEALTH_PORT',
    kill_timeout: KILL_TIMEOUT_MS,
    max_memory_restart: '1G',
    restart_delay: 1000,
    exp_backoff_restart_delay: 200,
    // Exit 78 is a configuration error: restarting cannot fix it.
    stop_exit_codes: [78],
    merge_logs: true,
    time: false,
    env: { ...shared, HEALTH_PORT: String(healthPort), ...env },
  };
}

// Each issue that adds a process app adds its entry here; a test checks that every app with a
// main (except embedded-only ones, marked `"pitwall": { "pm2": false }` in their package.json)
// has one.
const apps = [
  // Collectors: one instance each, since each binds or talks to one game port. More rigs on other
  // ports are more entries.
  app('collector-ac', { healthPort: 9420, env: { AC_HOST: '127.0.0.1', AC_PORT: '9996' } }),
  app('collector-acc', { healthPort: 9421, env: { ACC_HOST: '127.0.0.1', ACC_UDP_PORT: '9000' } }),
  app('collector-f1', { healthPort: 9422, env: { F1_UDP_PORT: '20777' } }),
  // HTTP ingest on 8081, device WebSocket at /ws/ingest, UDP text on 20778.
  app('collector-http', { healthPort: 9423, env: { INGEST_PORT: '8081', UDP_PORT: '20778' } }),
  // Exactly one: its progress (the checkpoint file) is per process. S3_* from the environment.
  app('collector-s3', { healthPort: 9424 }),
  // Consumers scale by instances, up to the telemetry partition count (12 by default).
  app('aggregator', { instances: 2, healthPort: 9430 }),
  app('db-writer', { instances: 2, healthPort: 9440, env: { DATABASE_URL: process.env.DATABASE_URL || 'postgres://pitwall:pitwall@localhost:5432/pitwall' } }),
  // Live view: one instance per WS_PORT; each reads the live topics in a group of its own.
  app('ws-bridge', { healthPort: 9410, env: { WS_PORT: '8080' } }),
];

module.exports = { apps, app, KILL_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS };
