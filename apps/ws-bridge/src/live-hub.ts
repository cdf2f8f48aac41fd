import type { WebSocket } from 'ws';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { codecs, nowMicros, type Alert, type Insight, type LapSummary, type LiveUpdate, type SessionInfo, type TelemetryFrame } from '@pitwall/proto';
import { alertMessage, insightItem, lapItem, sessionItem, telemetryPoint } from './wire';

export const MESSAGE_TYPES = [
  'telemetry_update',
  'insight_update',
  'lap_completed',
  'vehicle_alert',
  'crash_detected',
  'session_update',
  'broadcast',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** What a viewer wants; null = everything. */
export interface Subscription {
  sessions: Set<string> | null;
  cars: Set<string> | null;
  types: Set<MessageType> | null;
}

export interface Viewer {
  id: number;
  ws: WebSocket;
  format: 'json' | 'protobuf';
  sub: Subscription;
  remote: string;
  connectedAt: number;
  droppedTelemetry: number;
  /** Set by a ping, cleared by the pong: a viewer still set at the next ping is dead. */
  awaitingPong: boolean;
  /** Watching a replay: live updates are held back until it ends. */
  replaying: boolean;
}

export interface LiveHubOptions {
  logger: Logger;
  metrics: Metrics;
  /** Most telemetry points per car in one telemetry_update. */
  maxPointsPerCar: number;
  /** Above this many buffered bytes a viewer gets no telemetry (insights, laps, alerts still go). */
  maxViewerBufferBytes: number;
  /** Above this a viewer is disconnected: it has not read anything for too long. */
  hardViewerBufferBytes: number;
  /** Most cars with points waiting for the next flush. */
  maxCarsPerWindow: number;
}

/**
 * What goes on the wire: JSON is turned into UTF-8 once per message, not once per viewer (`ws`
 * encodes a string on every send, which for a thousand viewers of one update is a thousand copies).
 */
interface Payload {
  bytes: Uint8Array;
  binary: boolean;
}

const text = (json: string): Payload => ({ bytes: Buffer.from(json), binary: false });
const binary = (bytes: Uint8Array): Payload => ({ bytes, binary: true });
const payloadOf = (data: string | Uint8Array): Payload => (typeof data === 'string' ? text(data) : binary(data));

/**
 * Decimating buffer of one car's frames within a batch window: keeps every `stride`-th frame and
 * doubles the stride when full, so memory stays bounded and the kept frames stay evenly spread
 * over the window however fast the car reports.
 */
class CarWindow {
  frames: TelemetryFrame[] = [];
  private stride = 1;
  private seen = 0;

  constructor(private readonly cap: number) {}

  add(f: TelemetryFrame): void {
    if (this.seen++ % this.stride !== 0) return;
    this.frames.push(f);
    if (this.frames.length >= this.cap) {
      this.frames = this.frames.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** At most `n` frames evenly spread over the window, always including the newest. */
  sample(n: number, newest: TelemetryFrame): TelemetryFrame[] {
    const all = this.frames[this.frames.length - 1] === newest ? this.frames : [...this.frames, newest];
    if (all.length <= n) return all;
    const out: TelemetryFrame[] = [];
    for (let i = 0; i < n; i++) out.push(all[Math.round((i * (all.length - 1)) / (n - 1))]!);
    return out;
  }
}

/**
 * Fans live updates out to viewers. Telemetry is gathered per car between flushes and sent as one
 * `telemetry_update` per flush, downsampled to at most maxPointsPerCar a car. Each distinct
 * (subscription, format) is serialised once per flush, so a thousand viewers watching everything
 * cost one JSON.stringify. A viewer that does not keep up loses telemetry (counted), never
 * insights, laps or alerts, and never slows the others.
 */
export class LiveHub {
  readonly viewers = new Map<number, Viewer>();
  private window = new Map<string, { win: CarWindow; newest: TelemetryFrame; sessionId: string; carId: string }>();
  private nextId = 1;
  private readonly sent;
  private readonly dropped;
  private readonly disconnected;
  private readonly viewerGauge;

  constructor(private readonly opts: LiveHubOptions) {
    this.sent = opts.metrics.counter('pitwall_ws_messages_sent_total', 'Messages sent to viewers', ['type']);
    this.dropped = opts.metrics.counter('pitwall_ws_telemetry_dropped_total', 'Telemetry updates not sent to a slow viewer, or frames beyond the window limit', ['reason']);
    this.disconnected = opts.metrics.counter('pitwall_ws_viewers_disconnected_total', 'Viewers disconnected by the bridge', ['reason']);
    this.viewerGauge = opts.metrics.gauge('pitwall_ws_viewers', 'Connected viewers');
  }

  add(ws: WebSocket, format: 'json' | 'protobuf', remote: string): Viewer {
    const v: Viewer = {
      id: this.nextId++,
      ws,
      format,
      sub: { sessions: null, cars: null, types: null },
      remote,
      connectedAt: Date.now(),
      droppedTelemetry: 0,
      awaitingPong: false,
      replaying: false,
    };
    this.viewers.set(v.id, v);
    this.viewerGauge.set(this.viewers.size);
    return v;
  }

  remove(v: Viewer): void {
    this.viewers.delete(v.id);
    this.viewerGauge.set(this.viewers.size);
  }

  /** Gathers a frame for the next flush. */
  addFrame(f: TelemetryFrame): void {
    const key = `${f.sessionId}\u0000${f.carId}`;
    let entry = this.window.get(key);
    if (!entry) {
      if (this.window.size >= this.opts.maxCarsPerWindow) {
        this.dropped.inc({ reason: 'too_many_cars' });
        return;
      }
      entry = { win: new CarWindow(this.opts.maxPointsPerCar * 4), newest: f, sessionId: f.sessionId!, carId: f.carId! };
      this.window.set(key, entry);
    }
    entry.win.add(f);
    entry.newest = f;
  }

  /** Sends the gathered telemetry to every viewer that wants it, then starts a new window. */
  flush(): void {
    if (this.window.size === 0) return;
    const cars = [...this.window.values()].map((e) => ({ sessionId: e.sessionId, carId: e.carId, frames: e.win.sample(this.opts.maxPointsPerCar, e.newest) }));
    this.window = new Map();
    if (this.viewers.size === 0) return;
    const cache = new Map<string, Payload | null>();
    let sent = 0;
    for (const v of this.viewers.values()) {
      if (v.replaying || (v.sub.types && !v.sub.types.has('telemetry_update'))) continue;
      const key = `${v.format}|${subKey(v.sub)}`;
      let payload = cache.get(key);
      if (payload === undefined) {
        const mine = cars.filter((c) => wants(v.sub, c.sessionId, c.carId)).flatMap((c) => c.frames);
        payload = mine.length === 0 ? null : payloadOf(this.encode(v.format, 'telemetry_update', mine));
        cache.set(key, payload);
      }
      if (payload === null) continue;
      if (v.ws.bufferedAmount > this.opts.maxViewerBufferBytes) {
        v.droppedTelemetry++;
        this.dropped.inc({ reason: 'slow_viewer' });
        continue;
      }
      if (this.send(v, payload)) sent++;
    }
    // Counted once per flush: a label lookup per viewer is measurable at a thousand viewers.
    if (sent > 0) this.sent.inc({ type: 'telemetry_update' }, sent);
  }

  insight(i: Insight): void {
    this.publish('insight_update', i.sessionId!, i.carId!, (format) =>
      format === 'json'
        ? JSON.stringify({ type: 'insight_update', data: [insightItem(i)], meta: { generated_at: new Date().toISOString() } })
        : codecs.liveUpdate.encode({ type: 'insight_update', insights: [i], generatedAtUs: nowMicros() }),
    );
  }

  lap(l: LapSummary): void {
    this.publish('lap_completed', l.sessionId!, l.carId!, (format) =>
      format === 'json' ? JSON.stringify({ type: 'lap_completed', data: lapItem(l) }) : codecs.liveUpdate.encode({ type: 'lap_completed', laps: [l], generatedAtUs: nowMicros() }),
    );
  }

  alert(a: Alert): void {
    const { type, body } = alertMessage(a);
    this.publish(type, a.sessionId!, a.carId ?? '', (format) =>
      format === 'json' ? JSON.stringify(body) : codecs.liveUpdate.encode({ type, alerts: [a], generatedAtUs: nowMicros() }),
    );
  }

  session(s: SessionInfo): void {
    this.publish('session_update', s.sessionId!, null, (format) =>
      format === 'json' ? JSON.stringify({ type: 'session_update', data: sessionItem(s) }) : codecs.liveUpdate.encode({ type: 'session_update', sessions: [s], generatedAtUs: nowMicros() }),
    );
  }

  /** An operator message to every viewer (subscriptions to `broadcast` permitting). */
  broadcast(data: unknown): number {
    let reached = 0;
    const json = text(JSON.stringify({ type: 'broadcast', data, meta: { sent_at: new Date().toISOString() } }));
    const bin = binary(codecs.liveUpdate.encode({ type: 'broadcast', broadcastJson: JSON.stringify(data), generatedAtUs: nowMicros() }));
    for (const v of this.viewers.values()) {
      if (v.sub.types && !v.sub.types.has('broadcast')) continue;
      if (this.sendKept(v, v.format === 'json' ? json : bin, 'broadcast')) reached++;
    }
    return reached;
  }

  /** Sends a message to one viewer (replies, recent data). */
  sendTo(v: Viewer, type: MessageType | string, json: unknown, frames?: TelemetryFrame[]): void {
    const payload = v.format === 'json' ? JSON.stringify(json) : frames ? this.encode('protobuf', type, frames) : JSON.stringify(json);
    this.sendKept(v, payloadOf(payload), type);
  }

  encode(format: 'json' | 'protobuf', type: string, frames: TelemetryFrame[]): string | Uint8Array {
    if (format === 'json') return JSON.stringify({ type, data: frames.map(telemetryPoint) });
    const update: LiveUpdate = { type, frames, generatedAtUs: nowMicros() };
    return codecs.liveUpdate.encode(update);
  }

  private publish(type: MessageType, sessionId: string, carId: string | null, render: (format: 'json' | 'protobuf') => string | Uint8Array): void {
    let json: Payload | undefined;
    let bin: Payload | undefined;
    for (const v of this.viewers.values()) {
      if (v.replaying || (v.sub.types && !v.sub.types.has(type))) continue;
      if (!wants(v.sub, sessionId, carId)) continue;
      const payload = v.format === 'json' ? (json ??= payloadOf(render('json'))) : (bin ??= payloadOf(render('protobuf')));
      this.sendKept(v, payload, type);
    }
  }

  /** Messages that are never dropped for slowness: only a viewer past the hard limit loses them, by being disconnected. */
  private sendKept(v: Viewer, payload: Payload, type: string): boolean {
    if (v.ws.bufferedAmount > this.opts.hardViewerBufferBytes) {
      this.disconnected.inc({ reason: 'not_reading' });
      this.opts.logger.warn('disconnecting a viewer that stopped reading', { viewer: v.id, remote: v.remote, bufferedBytes: v.ws.bufferedAmount });
      v.ws.terminate();
      this.remove(v);
      return false;
    }
    if (this.send(v, payload)) this.sent.inc({ type });
    return true;
  }

  /** False when the viewer's socket is no longer open. */
  private send(v: Viewer, payload: Payload): boolean {
    if (v.ws.readyState !== v.ws.OPEN) return false;
    v.ws.send(payload.bytes, { binary: payload.binary });
    return true;
  }
}

export function wants(sub: Subscription, sessionId: string, carId: string | null): boolean {
  if (sub.sessions && !sub.sessions.has(sessionId)) return false;
  if (carId !== null && sub.cars && !sub.cars.has(carId)) return false;
  return true;
}

function subKey(sub: Subscription): string {
  const part = (s: Set<string> | null) => (s ? [...s].sort().join(',') : '*');
  return `${part(sub.sessions)}|${part(sub.cars)}`;
}
