/**
 * The pipeline benchmark's WebSocket viewer, run in a worker thread (an event loop of its own, so
 * the load generator's work in the main thread does not delay receipt). It is told, step by step,
 * which F1 sessions (rigs) are being sent and where their send times are (a SharedArrayBuffer the
 * sender writes), and for every car frame that reaches it records the send time and the latency:
 * receive time − send time of the car-telemetry packet that carried it. Taken as the message
 * arrives, before parsing, so parsing counts as the viewer's cost, not the pipeline's.
 *
 * It understands two streams: the bridge's JSON `telemetry_update` (a point per car frame, matched
 * by session_id, seq = the F1 overallFrameIdentifier and chassis = car index, which is how
 * collector-f1 numbers frames), and raw F1 datagrams relayed as binary (the bare baseline), where
 * one car-telemetry packet stands for `cars` frames.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

/** What the main thread sends. */
export type ViewerCommand =
  | { type: 'connect'; url: string }
  | {
      type: 'step';
      /** Session UIDs of this step's rigs (decimal), rig i at index i. */
      sessionUids: string[];
      cars: number;
      /** Highest frame identifier a rig sends in this step. */
      maxFrame: number;
      /** Float64Array: send time (ms, shared clock) of rig r's frame f at r × (maxFrame + 1) + f. */
      sentAt: SharedArrayBuffer;
      /** Int32Array[1]: frames received so far this step, for the main thread to poll. */
      received: SharedArrayBuffer;
    }
  | { type: 'end-step' }
  | { type: 'close' };

export interface StepReport {
  type: 'step-report';
  /** Send time of every frame received (ms), in the order received. */
  sentAt: Float64Array;
  /** Its latency (ms), same index. */
  latencyMs: Float64Array;
  /** Frames received twice (a redelivery); counted once. */
  duplicates: number;
  /** Telemetry frames of sessions not in this step (a previous step's stragglers), ignored. */
  foreign: number;
}

export type ViewerReply = { type: 'connected' } | StepReport | { type: 'closed' } | { type: 'error'; message: string };

/** The clock the main thread stamps with: ms since the epoch, sub-ms resolution, shared by threads. */
export const sharedClockMs = (): number => performance.timeOrigin + performance.now();

// F1 23/24/25 header (packages/f1-udp/src/header.ts): packetId u8 at 6, sessionUID u64 at 7,
// overallFrameIdentifier u32 at 23, all little-endian. Car telemetry is packet id 6.
const PACKET_ID_OFFSET = 6;
const SESSION_UID_OFFSET = 7;
const OVERALL_FRAME_OFFSET = 23;
const CAR_TELEMETRY = 6;

interface Step {
  rigOf: Map<string, number>;
  cars: number;
  stride: number;
  sentAt: Float64Array;
  received: Int32Array;
  seen: Uint8Array;
  outSent: Float64Array;
  outLatency: Float64Array;
  count: number;
  duplicates: number;
  foreign: number;
}

interface TelemetryPoint {
  session_id: string;
  seq: number;
  chassis: string;
}

class Viewer {
  private socket: WebSocket | null = null;
  private step: Step | null = null;

  connect(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
      ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        ws.on('error', () => undefined);
        this.socket = ws;
        resolve();
      });
    });
  }

  begin(cmd: Extract<ViewerCommand, { type: 'step' }>): void {
    const rigs = cmd.sessionUids.length;
    const stride = cmd.maxFrame + 1;
    const capacity = rigs * stride * cmd.cars;
    const rigOf = new Map<string, number>();
    cmd.sessionUids.forEach((uid, i) => {
      rigOf.set(uid, i);
      rigOf.set(`f1:${uid}`, i);
    });
    this.step = {
      rigOf,
      cars: cmd.cars,
      stride,
      sentAt: new Float64Array(cmd.sentAt),
      received: new Int32Array(cmd.received),
      seen: new Uint8Array(capacity),
      outSent: new Float64Array(capacity),
      outLatency: new Float64Array(capacity),
      count: 0,
      duplicates: 0,
      foreign: 0,
    };
  }

  end(): StepReport {
    const s = this.step;
    this.step = null;
    if (!s) return { type: 'step-report', sentAt: new Float64Array(0), latencyMs: new Float64Array(0), duplicates: 0, foreign: 0 };
    return { type: 'step-report', sentAt: s.outSent.slice(0, s.count), latencyMs: s.outLatency.slice(0, s.count), duplicates: s.duplicates, foreign: s.foreign };
  }

  close(): void {
    this.socket?.terminate();
    this.socket = null;
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const at = sharedClockMs();
    const s = this.step;
    if (!s) return;
    if (isBinary) {
      if (data.length <= OVERALL_FRAME_OFFSET + 4 || data[PACKET_ID_OFFSET] !== CAR_TELEMETRY) return;
      const rig = s.rigOf.get(data.readBigUInt64LE(SESSION_UID_OFFSET).toString());
      const frame = data.readUInt32LE(OVERALL_FRAME_OFFSET);
      for (let car = 0; car < s.cars; car++) this.record(s, rig, frame, car, at);
      return;
    }
    const msg = JSON.parse(data.toString()) as { type: string; data?: TelemetryPoint[] };
    if (msg.type !== 'telemetry_update' || !msg.data) return;
    for (const p of msg.data) this.record(s, s.rigOf.get(p.session_id), p.seq, Number(p.chassis), at);
  }

  private record(s: Step, rig: number | undefined, frame: number, car: number, at: number): void {
    if (rig === undefined) {
      s.foreign++;
      return;
    }
    if (!(frame >= 1 && frame < s.stride && car >= 0 && car < s.cars)) throw new Error(`frame ${frame} of car ${car} is outside what rig ${rig} sent in this step`);
    const sent = s.sentAt[rig * s.stride + frame]!;
    if (!(sent > 0)) throw new Error(`frame ${frame} of rig ${rig} arrived but was never stamped as sent`);
    const key = (rig * s.stride + frame) * s.cars + car;
    if (s.seen[key]) {
      s.duplicates++;
      return;
    }
    s.seen[key] = 1;
    s.outSent[s.count] = sent;
    s.outLatency[s.count] = at - sent;
    s.count++;
    Atomics.store(s.received, 0, s.count);
  }
}

if (parentPort && workerData === 'pipeline-viewer') {
  const port = parentPort;
  const viewer = new Viewer();
  const reply = (r: ViewerReply) => port.postMessage(r);
  port.on('message', (cmd: ViewerCommand) => {
    void (async () => {
      switch (cmd.type) {
        case 'connect':
          await viewer.connect(cmd.url);
          return reply({ type: 'connected' });
        case 'step':
          return viewer.begin(cmd);
        case 'end-step':
          return reply(viewer.end());
        case 'close':
          viewer.close();
          return reply({ type: 'closed' });
      }
    })().catch((err: unknown) => reply({ type: 'error', message: err instanceof Error ? err.message : String(err) }));
  });
}
