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

/** The environment's value when set (a game on another PC), else the default of this file. */
const fromEnv = (name, fallback) => ({ [name]: process.env[name] || fallback });

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
    // 200 ms after a crash, 1.5× longer each time up to 15 s (PM2 ignores restart_delay with it).
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
  app('collector-ac', { healthPort: 9420, env: { ...fromEnv('AC_HOST', '127.0.0.1'), ...fromEnv('AC_PORT', '9996') } }),
  app('collector-acc', { healthPort: 9421, env: { ...fromEnv('ACC_HOST', '127.0.0.1'), ...fromEnv('ACC_UDP_PORT', '9000') } }),
  app('collector-f1', { healthPort: 9422, env: fromEnv('F1_UDP_PORT', '20777') }),
  // HTTP ingest on 8081, device WebSocket at /ws/ingest, UDP text on 20778.
  app('collector-http', { healthPort: 9423, env: { ...fromEnv('INGEST_PORT', '8081'), ...fromEnv('UDP_PORT', '20778') } }),
  // Exactly one: its progress (the checkpoint file) is per process. S3_* from the environment.
  app('collector-s3', { healthPort: 9424 }),
  // Consumers scale by instances, up to the telemetry partition count (12 by default): their
  // health ports are 20 apart, so 12 instances (9430-9441, 9450-9461) never meet.
  app('aggregator', { instances: 2, healthPort: 9430 }),
  app('db-writer', { instances: 2, healthPort: 9450, env: fromEnv('DATABASE_URL', 'postgres://pitwall:pitwall@localhost:5432/pitwall') }),
  // Live view: one instance per WS_PORT; each reads the live topics in a group of its own.
  app('ws-bridge', { healthPort: 9410, env: fromEnv('WS_PORT', '8080') }),
];

module.exports = { apps, app, KILL_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS };
