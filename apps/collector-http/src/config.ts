import { loadMappingConfig, type MappingConfig } from '@pitwall/channel-map';
import { ConfigError, type EnvReader } from '@pitwall/config';

export interface CollectorHttpConfig {
  host: string;
  /** HTTP port for /api/ingest, /ws/ingest, /health, /metrics. */
  port: number;
  /** source name → token. Empty: ingest is open (a warning is logged at start). */
  tokens: Record<string, string>;
  /** Largest JSON or single-protobuf body, and largest single NDJSON line / delimited frame. */
  maxBodyBytes: number;
  /** Largest NDJSON or delimited-protobuf stream, counted as the bytes arrive. */
  maxStreamBytes: number;
  /** Frames per bus send while a stream is read. */
  streamBatchFrames: number;
  /** A connection silent this long (mid-request or between requests) is closed. */
  idleTimeoutMs: number;
  /** Retry-After seconds on a 503. */
  retryAfterS: number;
  /** Most messages the shared producer holds before publish pushes back (503 / slow down). */
  producerMaxBuffered: number;
  /** Most sources tracked in the health table. */
  maxSources: number;
  mapping: MappingConfig;
  device: {
    /** Unacknowledged messages per device before the server stops reading from it. */
    maxUnacked: number;
    /** Server → device ping interval. */
    heartbeatMs: number;
    /** A device silent for this long (no message, no pong) is marked offline and disconnected. */
    staleMs: number;
    /** Most devices (online and recently offline) kept in the device table. */
    maxDevices: number;
    /** Largest WebSocket message. */
    maxMessageBytes: number;
    /** Replies waiting to be sent to a device (it is not reading) before it is disconnected. */
    maxSendBufferBytes: number;
  };
  udp: {
    /** 0 = any free port; null = UDP ingest off. */
    port: number | null;
    host: string;
    /** Source name UDP frames are counted under (UDP carries no token). */
    source: string;
    /** Column names of CSV lines; without it CSV lines are rejected (JSON lines still work). */
    csvHeader: string[] | null;
    /** Kernel receive buffer: what a burst may hold while the event loop is busy elsewhere. */
    recvBufferBytes: number;
  };
  partner: {
    url: string;
    token?: string;
    source: string;
    reconnectMinMs: number;
    reconnectMaxMs: number;
    /** A feed silent this long (no message, no pong) is dropped and redialled. */
    staleMs: number;
    /** Send `?since=<ISO time>` on reconnect so the feed can resume where we stopped. */
    sendSince: boolean;
    /** Frames held for the bus before the feed socket is paused. */
    maxQueuedFrames: number;
    /** (session, car) pairs remembered for duplicate suppression. */
    maxTrackedCars: number;
  } | null;
}

const sourceName = /^[A-Za-z0-9._-]{1,64}$/;

function checkSource(variable: string, name: string): string {
  if (!sourceName.test(name)) throw new ConfigError(variable, 'a source name of letters, digits, . _ - (at most 64)', name);
  return name;
}

/**
 * INGEST_TOKENS=source=token,... parsed here rather than by EnvReader.pairs, whose error message
 * would quote the whole value, secrets included, into the logs.
 */
function loadTokens(env: EnvReader): Record<string, string> {
  const variable = 'INGEST_TOKENS';
  const raw = env.optionalString(variable);
  const tokens: Record<string, string> = {};
  if (raw === undefined) return tokens;
  const seen = new Map<string, string>();
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  items.forEach((item, i) => {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ConfigError(variable, 'comma-separated source=token pairs', `(item ${i + 1} has no source=, value not shown)`);
    const source = checkSource(variable, item.slice(0, eq).trim());
    const token = item.slice(eq + 1).trim();
    if (token.length < 8) throw new ConfigError(variable, `a token of at least 8 characters for source ${source}`, '(too short, not shown)');
    if (tokens[source] !== undefined) throw new ConfigError(variable, `one token for source ${source}`, '(source repeated)');
    const other = seen.get(token);
    if (other) throw new ConfigError(variable, `a different token for ${source} and ${other}`, '(shared token, not shown)');
    seen.set(token, source);
    tokens[source] = token;
  });
  return tokens;
}

export function loadCollectorHttpConfig(env: EnvReader): CollectorHttpConfig {
  const tokens = loadTokens(env);
  // The seed server read PORT; INGEST_PORT wins so the embedded process can keep PORT for another app.
  const port = env.has('INGEST_PORT') ? env.port('INGEST_PORT') : env.port('PORT', { default: 8081 });
  const heartbeatMs = env.int('DEVICE_HEARTBEAT_MS', { default: 15_000, min: 50, max: 600_000 });
  const staleMs = env.int('DEVICE_STALE_MS', { default: 45_000, min: 100, max: 3_600_000 });
  if (staleMs <= heartbeatMs) throw new ConfigError('DEVICE_STALE_MS', `more than DEVICE_HEARTBEAT_MS (${heartbeatMs})`, String(staleMs));
  const csvHeader = env.has('UDP_CSV_HEADER') ? env.list('UDP_CSV_HEADER') : null;
  const maxBodyBytes = env.int('INGEST_MAX_BODY_BYTES', { default: 10 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 });
  return {
    host: env.string('HOST', { default: '0.0.0.0' }),
    port,
    tokens,
    maxBodyBytes,
    maxStreamBytes: env.int('INGEST_MAX_STREAM_BYTES', { default: 256 * 1024 * 1024, min: maxBodyBytes, max: Number.MAX_SAFE_INTEGER }),
    streamBatchFrames: env.int('INGEST_STREAM_BATCH_FRAMES', { default: 500, min: 1, max: 100_000 }),
    idleTimeoutMs: env.int('INGEST_IDLE_TIMEOUT_MS', { default: 120_000, min: 100, max: 3_600_000 }),
    retryAfterS: env.int('INGEST_RETRY_AFTER_S', { default: 1, min: 1, max: 3600 }),
    producerMaxBuffered: env.int('INGEST_PRODUCER_MAX_BUFFERED', { default: 20_000, min: 1, max: 10_000_000 }),
    maxSources: env.int('INGEST_MAX_SOURCES', { default: 1000, min: 1, max: 1_000_000 }),
    mapping: loadMappingConfig(env),
    device: {
      maxUnacked: env.int('DEVICE_MAX_UNACKED', { default: 64, min: 1, max: 100_000 }),
      heartbeatMs,
      staleMs,
      maxDevices: env.int('DEVICE_TABLE_MAX', { default: 10_000, min: 1, max: 1_000_000 }),
      maxMessageBytes: env.int('DEVICE_MAX_MESSAGE_BYTES', { default: maxBodyBytes, min: 1024, max: 1024 * 1024 * 1024 }),
      maxSendBufferBytes: env.int('DEVICE_MAX_SEND_BUFFER_BYTES', { default: 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024 }),
    },
    udp: {
      port: env.bool('UDP_ENABLED', { default: true }) ? env.port('UDP_PORT', { default: 20778 }) : null,
      host: env.string('UDP_HOST', { default: '0.0.0.0' }),
      source: checkSource('UDP_SOURCE', env.string('UDP_SOURCE', { default: 'udp' })),
      csvHeader,
      recvBufferBytes: env.int('UDP_RECV_BUFFER_BYTES', { default: 4 * 1024 * 1024, min: 65_536, max: 256 * 1024 * 1024 }),
    },
    partner: env.has('PARTNER_WS_URL')
      ? {
          url: env.url('PARTNER_WS_URL', { protocols: ['ws:', 'wss:'] }),
          token: env.optionalString('PARTNER_WS_TOKEN'),
          source: checkSource('PARTNER_SOURCE', env.string('PARTNER_SOURCE', { default: 'partner' })),
          reconnectMinMs: env.int('PARTNER_RECONNECT_MIN_MS', { default: 500, min: 10, max: 600_000 }),
          reconnectMaxMs: env.int('PARTNER_RECONNECT_MAX_MS', { default: 30_000, min: env.int('PARTNER_RECONNECT_MIN_MS', { default: 500, min: 10, max: 600_000 }), max: 3_600_000 }),
          staleMs: env.int('PARTNER_STALE_MS', { default: 45_000, min: 30, max: 3_600_000 }),
          sendSince: env.bool('PARTNER_SEND_SINCE', { default: true }),
          maxQueuedFrames: env.int('PARTNER_MAX_QUEUED_FRAMES', { default: 20_000, min: 1, max: 10_000_000 }),
          maxTrackedCars: env.int('PARTNER_MAX_TRACKED_CARS', { default: 10_000, min: 1, max: 1_000_000 }),
        }
      : null,
  };
}
