import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { BusBusyError } from '@pitwall/collector-kit';
import type { Logger } from '@pitwall/logger';
import { nowMicros, type TelemetryFrame } from '@pitwall/proto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { tokenOf, type TokenAuth } from './auth';
import type { CollectorHttpConfig } from './config';
import { readEnvelope, type Envelope } from './envelope';
import { decodeFrameBytes } from './framing';
import { PointError, type PointDefaults as Origin } from '@pitwall/channel-map';
import { transportSource, type Intake } from './intake';

/**
 * Device push over WebSocket at /ws/ingest (see README "Device WebSocket").
 *
 * A device connects with its token (`Authorization: Bearer` or `?token=`) and optionally
 * `?device=<id>` (else a `register_device` message names it). It sends JSON messages (shapes in
 * envelope.ts) or binary messages (one protobuf TelemetryFrame each). Each message with frames is
 * answered after the bus acknowledged them: `{type: 'ack', id, seq, accepted}` (id = the message's
 * id, seq = the last frame's sequence), or `{type: 'error', id, error, reason, index, field}` when a
 * point is refused, or `{type: 'nack', id, error: 'bus_busy', retryAfterMs}` when the bus pushes
 * back (resend it later).
 *
 * Backpressure: with DEVICE_MAX_UNACKED messages unacknowledged the server stops reading the
 * socket and sends `{type: 'slow_down', unacked, limit}`; it reads again once acks catch up.
 * Heartbeats: the server pings every DEVICE_HEARTBEAT_MS; a device's `{type: 'heartbeat'}` gets
 * `{type: 'heartbeat_ack', id, serverTime}`. A device heard from (message or pong) less recently
 * than DEVICE_STALE_MS is marked offline and disconnected.
 */

export interface DeviceReport {
  source: string;
  online: boolean;
  connectedAt: string;
  lastSeen: string;
  messages: number;
  frames: number;
  errors: number;
  unacked: number;
  /** Messages read but not yet handled because the device is at its unacked limit. */
  held: number;
  offlineReason?: string;
}

interface DeviceState {
  deviceId: string;
  /** Whether the id came from the device (query or register), so it can stand in for a car id. */
  named: boolean;
  source: string;
  ws: WebSocket;
  connectedAtMs: number;
  lastSeenMs: number;
  messages: number;
  frames: number;
  errors: number;
  unacked: number;
  /** Messages read after the limit was reached, in arrival order. */
  held: { data: RawData; isBinary: boolean }[];
  paused: boolean;
  online: boolean;
  offlineReason?: string;
}

/** Devices are told apart per source, so one team's device cannot displace another's by name. */
const keyOf = (d: { source: string; deviceId: string }) => `${d.source}/${d.deviceId}`;

/** ws hands text and binary messages over as Buffers (binaryType 'nodebuffer'); no copy then. */
const bytesOf = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

export interface DeviceGatewayDeps {
  intake: Intake;
  auth: TokenAuth;
  config: CollectorHttpConfig;
  logger: Logger;
  clock?: () => number;
}

export class DeviceGateway {
  private readonly wss: WebSocketServer;
  /** Devices by `source/id`, in order of connection; offline ones stay (bounded) for /health. */
  private readonly devices = new Map<string, DeviceState>();
  private readonly timer: NodeJS.Timeout;
  private readonly inFlight = new Set<Promise<void>>();
  private anonymous = 0;
  private stopping = false;
  private readonly clock: () => number;

  constructor(private readonly deps: DeviceGatewayDeps) {
    this.clock = deps.clock ?? Date.now;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.config.device.maxMessageBytes, perMessageDeflate: false });
    this.timer = setInterval(() => this.sweep(), deps.config.device.heartbeatMs);
    this.timer.unref();
  }

  /** For the HTTP server's 'upgrade' event on /ws/ingest. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const who = this.deps.auth.check(tokenOf(req, url), 'device');
    if (!who.ok) {
      const text = who.status === 401 ? 'Unauthorized' : 'Forbidden';
      socket.end(`HTTP/1.1 ${who.status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${who.reason}\n`);
      this.deps.intake.stats.rejected('device', 'device', who.status === 401 ? 'unauthorized' : 'forbidden', who.reason);
      return;
    }
    const requested = url.searchParams.get('device');
    if (requested !== null && (requested === '' || requested.length > 128)) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\ndevice: expected 1 to 128 characters\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, who.source, requested));
  }

  private connected(ws: WebSocket, source: string, requested: string | null): void {
    const now = this.clock();
    const state: DeviceState = {
      deviceId: requested ?? `${source}-anonymous-${++this.anonymous}`,
      named: requested !== null,
      source,
      ws,
      connectedAtMs: now,
      lastSeenMs: now,
      messages: 0,
      frames: 0,
      errors: 0,
      unacked: 0,
      held: [],
      paused: false,
      online: true,
    };
    this.track(state);
    ws.on('pong', () => this.touch(state));
    ws.on('message', (data, isBinary) => this.onMessage(state, data, isBinary));
    ws.on('close', (code) => this.offline(state, state.offlineReason ?? `closed (${code})`));
    ws.on('error', (err) => this.deps.logger.warn('device socket error', { device: state.deviceId, err }));
  }

  private track(state: DeviceState): void {
    const key = keyOf(state);
    const previous = this.devices.get(key);
    if (previous && previous !== state && previous.online) {
      // One connection per device: the newer one wins (a device that reconnected before we noticed).
      previous.offlineReason = 'replaced by a newer connection';
      previous.ws.close(4000, 'replaced by a newer connection');
    }
    this.devices.delete(key);
    if (this.devices.size >= this.deps.config.device.maxDevices) this.evictOne();
    this.devices.set(key, state);
  }

  /** Forgets the least recently seen offline device, else the least recently seen one. */
  private evictOne(): void {
    for (const [id, d] of this.devices) {
      if (!d.online) {
        this.devices.delete(id);
        return;
      }
    }
    const [id, d] = this.devices.entries().next().value!;
    d.offlineReason = 'device table full';
    d.ws.close(1013, 'device table full');
    this.devices.delete(id);
  }

  private touch(state: DeviceState): void {
    state.lastSeenMs = this.clock();
  }

  private offline(state: DeviceState, reason: string): void {
    if (!state.online) return;
    state.online = false;
    state.offlineReason = reason;
    this.deps.logger.info('device offline', { device: state.deviceId, source: state.source, reason });
  }

  private onMessage(state: DeviceState, data: RawData, isBinary: boolean): void {
    if (this.stopping) return;
    this.touch(state);
    // Messages the socket had already read when it was paused wait here (at most one read's worth),
    // so the device never has more than DEVICE_MAX_UNACKED messages in progress.
    if (state.unacked >= this.deps.config.device.maxUnacked || state.held.length > 0) {
      state.held.push({ data, isBinary });
      return;
    }
    this.handle(state, data, isBinary);
  }

  private handle(state: DeviceState, data: RawData, isBinary: boolean): void {
    state.messages++;
    const bytes = bytesOf(data);
    const origin: Origin = { source: transportSource.device, sourceName: state.source, carId: state.named ? state.deviceId : undefined };
    if (isBinary) {
      let frame: TelemetryFrame;
      try {
        frame = this.deps.intake.mapper.complete(decodeFrameBytes(bytes), origin, nowMicros());
      } catch (err) {
        return this.refuse(state, undefined, err, 0);
      }
      return this.publish(state, undefined, [frame]);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      return this.refuse(state, undefined, err, null);
    }
    let env: Envelope;
    try {
      env = readEnvelope(parsed);
    } catch (err) {
      return this.refuse(state, (parsed as { id?: unknown }).id, err, null);
    }
    if (env.kind === 'heartbeat') return this.reply(state, { type: 'heartbeat_ack', id: env.id ?? null, serverTime: new Date(this.clock()).toISOString() });
    if (env.kind === 'register') return this.register(state, env.id, env.deviceId);
    if (env.kind === 'other') {
      return this.refuse(state, env.id, new PointError('type', `unknown message type ${JSON.stringify(env.type)}; send telemetry_data, a point, points, register_device or heartbeat`), null);
    }
    const nowUs = nowMicros();
    const frames: TelemetryFrame[] = [];
    for (let i = 0; i < env.points.length; i++) {
      try {
        frames.push(this.deps.intake.mapper.map(env.points[i], origin, nowUs));
      } catch (err) {
        return this.refuse(state, env.id, err, i);
      }
    }
    this.publish(state, env.id, frames);
  }

  /**
   * Sends a JSON message. A device that does not read what we send would make its send buffer
   * grow without end: past DEVICE_MAX_SEND_BUFFER_BYTES it is disconnected instead.
   */
  private reply(state: DeviceState, msg: object): void {
    const ws = state.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > this.deps.config.device.maxSendBufferBytes) {
      this.offline(state, `not reading its acks (${ws.bufferedAmount} bytes waiting to be sent)`);
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(msg));
  }

  private register(state: DeviceState, id: unknown, deviceId: string | undefined): void {
    if (!deviceId || deviceId.length > 128) {
      return this.refuse(state, id, new PointError('imei', 'register_device needs imei (or deviceId) of 1 to 128 characters'), null);
    }
    if (deviceId !== state.deviceId) {
      if (this.devices.get(keyOf(state)) === state) this.devices.delete(keyOf(state));
      state.deviceId = deviceId;
      this.track(state);
    }
    state.named = true;
    this.reply(state, { type: 'registered', id: id ?? null, deviceId, imei: deviceId, message: 'Device registered successfully' });
  }

  private refuse(state: DeviceState, id: unknown, err: unknown, index: number | null): void {
    state.errors++;
    const field = err instanceof PointError ? err.field : null;
    const code = err instanceof PointError ? 'invalid_point' : err instanceof SyntaxError ? 'invalid_json' : 'invalid_message';
    const reason = (err as Error).message;
    this.deps.intake.stats.rejected(state.source, 'device', code, `${state.deviceId}: ${reason}`);
    this.reply(state, { type: 'error', id: id ?? null, error: code, reason, index, field });
  }

  private publish(state: DeviceState, id: unknown, frames: TelemetryFrame[]): void {
    const limit = this.deps.config.device.maxUnacked;
    state.unacked++;
    if (state.unacked >= limit && !state.paused) {
      state.paused = true;
      state.ws.pause();
      this.reply(state, { type: 'slow_down', unacked: state.unacked, limit });
    }
    const seq = frames.length > 0 ? frames[frames.length - 1]!.sequence : null;
    const done = this.deps.intake
      .publish('device', state.source, frames)
      .then(
        () => {
          state.frames += frames.length;
          this.reply(state, { type: 'ack', id: id ?? null, seq, accepted: frames.length, success: true, message: 'Telemetry processed successfully' });
        },
        (err: Error) => {
          state.errors++;
          const busy = err instanceof BusBusyError;
          const retryAfterMs = this.deps.config.retryAfterS * 1000;
          this.deps.intake.stats.rejected(state.source, 'device', busy ? 'bus_busy' : 'publish_failed', `${state.deviceId}: ${err.message}`);
          this.reply(state, { type: 'nack', id: id ?? null, seq, error: busy ? 'bus_busy' : 'publish_failed', reason: err.message, retryAfterMs });
        },
      )
      .finally(() => {
        state.unacked--;
        this.inFlight.delete(done);
        while (state.held.length > 0 && state.unacked < limit && !this.stopping) {
          const next = state.held.shift()!;
          this.handle(state, next.data, next.isBinary);
        }
        if (state.paused && state.unacked < limit && state.held.length === 0) {
          state.paused = false;
          state.ws.resume();
        }
      });
    this.inFlight.add(done);
  }

  /** Pings every device; marks those not heard from within DEVICE_STALE_MS offline. */
  private sweep(): void {
    const now = this.clock();
    for (const d of this.devices.values()) {
      if (!d.online) continue;
      // A device we stopped reading cannot answer pings: its silence is ours, not its.
      if (d.paused) continue;
      if (now - d.lastSeenMs > this.deps.config.device.staleMs) {
        this.offline(d, `stale: nothing heard for ${now - d.lastSeenMs} ms`);
        d.ws.terminate();
        continue;
      }
      if (d.ws.readyState === d.ws.OPEN) d.ws.ping();
    }
  }

  /** Counts, and details (keyed `source/device`) of the `detailLimit` most recently connected devices. */
  report(detailLimit = 100): { online: number; offline: number; devices: Record<string, DeviceReport> } {
    const devices: Record<string, DeviceReport> = {};
    let online = 0;
    for (const d of this.devices.values()) if (d.online) online++;
    const recent = [...this.devices.values()].slice(-detailLimit).reverse();
    for (const d of recent) {
      devices[keyOf(d)] = {
        source: d.source,
        online: d.online,
        connectedAt: new Date(d.connectedAtMs).toISOString(),
        lastSeen: new Date(d.lastSeenMs).toISOString(),
        messages: d.messages,
        frames: d.frames,
        errors: d.errors,
        unacked: d.unacked,
        held: d.held.length,
        ...(d.offlineReason && !d.online ? { offlineReason: d.offlineReason } : {}),
      };
    }
    return { online, offline: this.devices.size - online, devices };
  }

  /** Stops reading, lets acknowledgements in flight go out, then closes every device socket. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    for (const d of this.devices.values()) if (d.online) d.ws.pause();
    await Promise.all([...this.inFlight]);
    const closed = new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const d of this.devices.values()) {
      if (!d.online) continue;
      d.offlineReason = 'server shutting down';
      // Read again so the device's close reply arrives; messages after this point are ignored.
      d.ws.resume();
      d.ws.close(1001, 'server shutting down');
    }
    const grace = setTimeout(() => {
      for (const client of this.wss.clients) client.terminate();
    }, 1000);
    await closed;
    clearTimeout(grace);
  }
}
