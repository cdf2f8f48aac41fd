// The PM2 entry as a real process over Kafka (librdkafka's mock cluster, or KAFKA_BROKERS): it
// handshakes with a game peer, publishes frames to the telemetry topic, and on SIGTERM dismisses
// its subscription and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { AcOperation } from '@pitwall/ac-udp';
import { KafkaBus } from '@pitwall/bus';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { decodeFrame, Source, type TelemetryFrame } from '@pitwall/proto';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../../packages/kafka/test/wire/wire-cluster';
import { AcGame } from '../ac-game';

jest.setTimeout(90_000);

const runTs = path.resolve(__dirname, '../../../../packages/bus/test/wire/child/run-ts.js');
const main = path.resolve(__dirname, '../../src/main.ts');

describe('collector-ac as a process over Kafka', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;
  let game: AcGame;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    cluster = await startWireCluster([{ name: 'telemetry', partitions: 3 }]);
    bus = new KafkaBus({ settings: cluster.settings, catalogue: [], logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
    game = new AcGame(20);
    await game.start();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await bus?.close();
    await game?.close();
    await cluster?.stop();
  });

  it('handshakes, publishes frames, and dismisses on SIGTERM', async () => {
    child = spawn(process.execPath, [runTs, main], {
      env: {
        ...process.env,
        KAFKA_BROKERS: cluster.brokers.join(','),
        KAFKA_TOPIC_TELEMETRY: cluster.topic('telemetry'),
        HEALTH_PORT: '0',
        LOG_LEVEL: 'warn',
        // The names the earlier collector used still work.
        TELEMETRY_UDP_HOST: '127.0.0.1',
        TELEMETRY_UDP_PORT: String(game.port),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));

    const frames: TelemetryFrame[] = [];
    const consumer = bus.consumer({ groupId: 'wire-frames', topics: [cluster.topic('telemetry')], fromBeginning: true });
    await consumer.run(async (batch) => {
      for (const m of batch.messages) frames.push(decodeFrame(m.value));
    });
    await waitFor('frames from the process on Kafka', () => frames.length >= 10, 60_000);
    await consumer.stop();
    expect(frames[0]).toMatchObject({ source: Source.SOURCE_ASSETTO_CORSA, carId: 'player', track: 'monza/junior' });
    // One session: every frame is keyed by the same id, in sequence order per partition.
    expect(new Set(frames.map((f) => f.sessionId)).size).toBe(1);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('the dismiss at the game', () => game.ops().at(-1) === AcOperation.Dismiss, 5000);
  });
});
