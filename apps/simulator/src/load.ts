// Load mode: N F1 rigs, each with its own session UID and socket, sending a field of M cars at a
// rate to one collector port, driven by one shared ticker, bounded by steps and/or time and
// stopping itself. AC and ACC are not here: the game side of both only answers a client, so
// their load is the collector's to create (run one AcServer/AccServer per simulated rig).
import { MAX_CARS, type PacketFormat } from '@pitwall/f1-udp';
import { silentLogger, type Logger } from '@pitwall/logger';
import { seededRandom, sessionUid } from './driving';
import { F1Sender } from './f1/sender';
import { Ticker } from './ticker';

export interface LoadOptions {
  host?: string;
  port: number;
  format?: PacketFormat;
  rigs: number;
  /** Cars per rig, at most 22. */
  cars: number;
  rateHz: number;
  /** Steps per rig before stopping. */
  steps?: number;
  /** Wall time before stopping. At least one of steps and durationMs is required. */
  durationMs?: number;
  seed?: number;
  trackLengthM?: number;
  logger?: Logger;
}

export interface LoadReport {
  rigs: number;
  /** Per-step packet sets sent, all rigs (one frame identifier each). */
  steps: number;
  /** Car samples sent: the TelemetryFrames the collector should publish. */
  frames: number;
  packets: number;
  bytes: number;
  sendErrors: number;
  /** Steps dropped because the process could not keep the rate (see Ticker). */
  skippedSteps: number;
  elapsedMs: number;
  sessionUids: bigint[];
}

export interface LoadRun {
  /** Resolves with the report once the run stopped (by its bound or by stop()). */
  done: Promise<LoadReport>;
  stop(): Promise<LoadReport>;
}

/** Upper bound on rigs in one process, each being a socket and a 22-car model. */
export const MAX_RIGS = 500;

export function startLoad(opts: LoadOptions): LoadRun {
  if (!(Number.isInteger(opts.rigs) && opts.rigs >= 1 && opts.rigs <= MAX_RIGS)) throw new RangeError(`rigs must be 1..${MAX_RIGS}, got ${opts.rigs}`);
  if (!(Number.isInteger(opts.cars) && opts.cars >= 1 && opts.cars <= MAX_CARS)) throw new RangeError(`cars must be 1..${MAX_CARS}, got ${opts.cars}`);
  if (opts.steps === undefined && opts.durationMs === undefined) throw new RangeError('a load run needs a bound: steps and/or durationMs');
  const logger = opts.logger ?? silentLogger();
  const random = seededRandom(opts.seed ?? 1);
  const uids = new Set<bigint>();
  while (uids.size < opts.rigs) uids.add(sessionUid(random));
  const rigs = [...uids].map(
    (uid, i) =>
      new F1Sender({
        host: opts.host,
        port: opts.port,
        format: opts.format,
        rateHz: opts.rateHz,
        sessionUid: uid,
        race: { seed: (opts.seed ?? 1) * 1000 + i, cars: opts.cars, trackLengthM: opts.trackLengthM },
        logger,
      }),
  );
  const startedAt = Date.now();
  let finish!: (report: LoadReport) => void;
  const done = new Promise<LoadReport>((resolve) => (finish = resolve));
  let stopping: Promise<LoadReport> | null = null;

  const stop = (): Promise<LoadReport> => {
    stopping ??= (async () => {
      ticker.stop();
      clearTimeout(timer);
      await Promise.all(rigs.map((rig) => rig.stop()));
      const report: LoadReport = {
        rigs: rigs.length,
        steps: sum(rigs.map((r) => r.frames)),
        frames: sum(rigs.map((r) => r.carSamples)),
        packets: sum(rigs.map((r) => r.stats.sent)),
        bytes: sum(rigs.map((r) => r.stats.sentBytes)),
        sendErrors: sum(rigs.map((r) => r.stats.sendErrors)),
        skippedSteps: ticker.skipped * rigs.length,
        elapsedMs: Date.now() - startedAt,
        sessionUids: rigs.map((r) => r.sessionUid),
      };
      logger.info('load run finished', { ...report, sessionUids: report.sessionUids.map(String) });
      finish(report);
      return report;
    })();
    return stopping;
  };

  const ticker = new Ticker({ rateHz: opts.rateHz }, (dtMs) => {
    for (const rig of rigs) rig.tick(dtMs);
    if (opts.steps !== undefined && ticker.ticks >= opts.steps) void stop();
  });
  const timer = opts.durationMs === undefined ? undefined : setTimeout(() => void stop(), opts.durationMs);
  ticker.start();
  return { done, stop };
}

export const runLoad = (opts: LoadOptions): Promise<LoadReport> => startLoad(opts).done;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
