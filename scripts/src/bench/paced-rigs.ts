/**
 * The pipeline benchmark's load: N F1 rigs (the simulator's F1Sender, real UDP to collector-f1),
 * each a field of `cars` cars stepping at `hz`, their steps staggered evenly over the period so the
 * offered rate is smooth, not one burst per period. Every car-telemetry packet's send time is
 * written as the sender hands it to the socket, at rig × (maxFrame + 1) + frame identifier of a
 * SharedArrayBuffer the viewer thread reads.
 */
import { performance } from 'node:perf_hooks';
import { F1Sender, seededRandom, sessionUid } from '@pitwall/simulator';
import { sharedClockMs } from './pipeline-viewer';

export interface PacedRigsOptions {
  port: number;
  rigs: number;
  cars: number;
  hz: number;
  durationMs: number;
  /** Seeds the rigs' session UIDs and fields; every step of a run uses another. */
  seed: number;
}

export interface PacedRigsReport {
  /** Car frames handed to the sockets (steps × cars). */
  frames: number;
  /** Datagrams handed to the sockets (every packet kind). */
  datagrams: number;
  /** Frames per second actually offered, from the first step to the last. */
  offeredPerS: number;
  /** Latest a step went out after it fell due: the load generator's own lag. */
  worstLateMs: number;
  sendErrors: number;
}

export class PacedRigs {
  readonly sessionUids: string[];
  readonly maxFrame: number;
  /** Float64Array over this, indexed rig × (maxFrame + 1) + frame identifier. */
  readonly sentAtBuffer: SharedArrayBuffer;
  private readonly senders: F1Sender[];

  constructor(private readonly opts: PacedRigsOptions) {
    this.maxFrame = Math.ceil((opts.hz * opts.durationMs) / 1000);
    const stride = this.maxFrame + 1;
    this.sentAtBuffer = new SharedArrayBuffer(8 * opts.rigs * stride);
    const sentAt = new Float64Array(this.sentAtBuffer);
    const uids = new Set<bigint>();
    const random = seededRandom(opts.seed);
    while (uids.size < opts.rigs) uids.add(sessionUid(random));
    this.sessionUids = [...uids].map(String);
    this.senders = [...uids].map((uid, rig) => {
      const sender: F1Sender = new F1Sender({
        host: '127.0.0.1',
        port: opts.port,
        rateHz: opts.hz,
        sessionUid: uid,
        race: { seed: opts.seed * 1000 + rig, cars: opts.cars },
        // Frame identifiers count steps from 1, one per tick; the stamp is taken just before the send.
        onSend: (kind) => {
          if (kind === 'carTelemetry') sentAt[rig * stride + sender.frames] = sharedClockMs();
        },
      });
      return sender;
    });
  }

  /** Sends every rig's steps as they fall due, on 1 ms timers, then closes the sockets. */
  async run(): Promise<PacedRigsReport> {
    const { rigs, hz } = this.opts;
    const periodMs = 1000 / hz;
    const start = performance.now();
    const dueAt = (rig: number, step: number) => start + (rig * periodMs) / rigs + step * periodMs;
    let worstLateMs = 0;
    let lastSentAt = start;
    for (;;) {
      let pending = false;
      for (let rig = 0; rig < rigs; rig++) {
        const sender = this.senders[rig]!;
        while (sender.frames < this.maxFrame && dueAt(rig, sender.frames) <= performance.now()) {
          worstLateMs = Math.max(worstLateMs, performance.now() - dueAt(rig, sender.frames));
          sender.tick(periodMs);
          lastSentAt = performance.now();
        }
        if (sender.frames < this.maxFrame) pending = true;
      }
      if (!pending) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(this.senders.map((s) => s.stop()));
    const frames = this.senders.reduce((n, s) => n + s.carSamples, 0);
    const elapsedS = (lastSentAt - start + periodMs) / 1000;
    return {
      frames,
      datagrams: this.senders.reduce((n, s) => n + s.stats.sent, 0),
      offeredPerS: frames / elapsedS,
      worstLateMs,
      sendErrors: this.senders.reduce((n, s) => n + s.stats.sendErrors, 0),
    };
  }

  /** Stops sending (on failure elsewhere), closing every socket. */
  async stop(): Promise<void> {
    await Promise.all(this.senders.map((s) => s.stop()));
  }
}
