// A game collector's PM2 entry as a real process over Kafka (librdkafka's mock cluster, or
// KAFKA_BROKERS), with a fake game on loopback for it to talk to.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { KafkaBus } from '@pitwall/bus';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame, type TelemetryFrame } from '@pitwall/proto';
import { fastGroup, startWireCluster, type WireCluster } from '../../../kafka/test/wire/wire-cluster';
import type { UdpGamePeer } from './udp-game-peer';

const runTs = path.resolve(__dirname, '../../../bus/test/wire/child/run-ts.js');

export interface CollectorProcess {
  child: ChildProcess;
  /** The exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** The suite's cluster, bus and game: set in beforeAll, closed in afterAll. */
export class CollectorProcessFixture<G extends UdpGamePeer> {
  cluster!: WireCluster;
  bus!: KafkaBus;
  game!: G;
  /** The last process started, killed in afterAll if it is still running. */
  child: ChildProcess | null = null;

  /**
   * Starts `main` (an app's src/main.ts, compiled on the fly like jest does) with the cluster's
   * brokers and telemetry topic, HEALTH_PORT 0, and `env`; stderr goes to the test's.
   */
  spawn(main: string, env: Record<string, string>, stdout: 'ignore' | 'pipe' = 'ignore'): CollectorProcess {
    const child = spawn(process.execPath, [runTs, main], {
      env: { ...process.env, KAFKA_BROKERS: this.cluster.brokers.join(','), KAFKA_TOPIC_TELEMETRY: this.cluster.topic('telemetry'), HEALTH_PORT: '0', ...env },
      stdio: ['ignore', stdout, 'inherit'],
    });
    this.child = child;
    return { child, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  }

  /** Consumes the telemetry topic from the beginning into `frames` until `stop`. */
  async consumeFrames(): Promise<{ frames: TelemetryFrame[]; stop(): Promise<void> }> {
    const frames: TelemetryFrame[] = [];
    const consumer = this.bus.consumer({ groupId: 'wire-frames', topics: [this.cluster.topic('telemetry')], fromBeginning: true });
    await consumer.run(async (batch) => {
      for (const m of batch.messages) frames.push(decodeFrame(m.value));
    });
    return { frames, stop: () => consumer.stop() };
  }
}

/**
 * Registers the suite's beforeAll (the cluster with `topics`, a KafkaBus on it, the game started)
 * and afterAll (a process still running is killed, then everything closed).
 */
export function collectorProcessFixture<G extends UdpGamePeer>(topics: { name: string; partitions: number }[], makeGame: () => G): CollectorProcessFixture<G> {
  const f = new CollectorProcessFixture<G>();
  beforeAll(async () => {
    f.cluster = await startWireCluster(topics);
    f.bus = new KafkaBus({ settings: f.cluster.settings, catalogue: [], logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
    f.game = makeGame();
    await f.game.start();
  });
  afterAll(async () => {
    if (f.child && f.child.exitCode === null) f.child.kill('SIGKILL');
    await f.bus?.close();
    await f.game?.close();
    await f.cluster?.stop();
  });
  return f;
}
