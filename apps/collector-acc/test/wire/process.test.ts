// The PM2 entry as a real process over Kafka (librdkafka's mock cluster, or KAFKA_BROKERS): it
// registers with a game peer, publishes frames to the telemetry topic, forwards a command from the
// commands topic, and on SIGTERM unregisters and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { KafkaBus } from '@pitwall/bus';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, decodeFrame, Source, type TelemetryFrame } from '@pitwall/proto';
import { fastGroup, startWireCluster, waitFor, type WireCluster } from '../../../../packages/kafka/test/wire/wire-cluster';
import { AccGame } from '../acc-game';

jest.setTimeout(90_000);

const runTs = path.resolve(__dirname, '../../../../packages/bus/test/wire/child/run-ts.js');
const main = path.resolve(__dirname, '../../src/main.ts');

describe('collector-acc as a process over Kafka', () => {
  let cluster: WireCluster;
  let bus: KafkaBus;
  let game: AccGame;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    cluster = await startWireCluster([
      { name: 'telemetry', partitions: 3 },
      { name: 'commands', partitions: 1 },
    ]);
    bus = new KafkaBus({ settings: cluster.settings, catalogue: [], logger: silentLogger(), metrics: new Metrics('wire-test'), groupTuning: fastGroup });
    game = new AccGame(50);
    await game.start();
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await bus?.close();
    await game?.close();
    await cluster?.stop();
  });

  it('registers, publishes frames, forwards a command, and unregisters on SIGTERM', async () => {
    const lines: string[] = [];
    child = spawn(process.execPath, [runTs, main], {
      env: {
        ...process.env,
        KAFKA_BROKERS: cluster.brokers.join(','),
        KAFKA_TOPIC_TELEMETRY: cluster.topic('telemetry'),
        KAFKA_TOPIC_COMMANDS: cluster.topic('commands'),
        HEALTH_PORT: '0',
        LOG_LEVEL: 'info',
        ACC_HOST: '127.0.0.1',
        ACC_UDP_PORT: String(game.port),
        ACC_CONNECTION_PASSWORD: 'asd',
        ACC_COMMAND_PASSWORD: 'cmd',
        ACC_UPDATE_INTERVAL_MS: '50',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));

    const frames: TelemetryFrame[] = [];
    const consumer = bus.consumer({ groupId: 'wire-frames', topics: [cluster.topic('telemetry')], fromBeginning: true });
    await consumer.run(async (batch) => {
      for (const m of batch.messages) frames.push(decodeFrame(m.value));
    });
    await waitFor('frames from the process on Kafka', () => frames.some((f) => f.driverName === 'Sebastian Vettel'), 60_000);
    expect(frames[0]!.source).toBe(Source.SOURCE_ACC);
    const sessionId = frames[0]!.sessionId!;

    // The command consumer starts at the end of the topic: send until one arrives.
    const producer = bus.producer();
    let n = 0;
    await waitFor(
      'a command at the game',
      async () => {
        if (game.count('CHANGE_HUD_PAGE') > 0) return true;
        const command = { commandId: `c${n++}`, sessionId, target: Source.SOURCE_ACC, changeHudPage: { page: 'Broadcasting' } };
        await producer.send(cluster.topic('commands'), [{ key: sessionId, value: codecs.command.encode(command) }]);
        await new Promise((r) => setTimeout(r, 500));
        return game.count('CHANGE_HUD_PAGE') > 0;
      },
      60_000,
    );
    expect(game.received.find((m) => m.type === 'CHANGE_HUD_PAGE')).toMatchObject({ connectionId: 17, hudPage: 'Broadcasting' });
    await consumer.stop();

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('the unregister at the game', () => game.types().includes('UNREGISTER'), 5000);
    expect(lines.some((l) => l.includes('unregistered from ACC'))).toBe(true);
  });
});
