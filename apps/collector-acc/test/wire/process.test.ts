// The PM2 entry as a real process over Kafka (librdkafka's mock cluster, or KAFKA_BROKERS): it
// registers with a game peer, publishes frames to the telemetry topic, forwards a command from the
// commands topic, and on SIGTERM unregisters and exits 0.
import * as path from 'node:path';
import { codecs, Source } from '@pitwall/proto';
import { waitFor } from '../../../../packages/kafka/test/wire/wire-cluster';
import { collectorProcessFixture } from '../../../../packages/collector-kit/test/support/collector-process';
import { AccGame } from '../acc-game';

jest.setTimeout(90_000);

const main = path.resolve(__dirname, '../../src/main.ts');

describe('collector-acc as a process over Kafka', () => {
  const wire = collectorProcessFixture(
    [
      { name: 'telemetry', partitions: 3 },
      { name: 'commands', partitions: 1 },
    ],
    () => new AccGame(50),
  );

  it('registers, publishes frames, forwards a command, and unregisters on SIGTERM', async () => {
    const { cluster, bus, game } = wire;
    const lines: string[] = [];
    const { child, exited } = wire.spawn(
      main,
      {
        KAFKA_TOPIC_COMMANDS: cluster.topic('commands'),
        LOG_LEVEL: 'info',
        ACC_HOST: '127.0.0.1',
        ACC_UDP_PORT: String(game.port),
        ACC_CONNECTION_PASSWORD: 'asd',
        ACC_COMMAND_PASSWORD: 'cmd',
        ACC_UPDATE_INTERVAL_MS: '50',
      },
      'pipe',
    );
    child.stdout!.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));

    const consumer = await wire.consumeFrames();
    const { frames } = consumer;
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
