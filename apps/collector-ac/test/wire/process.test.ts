// The PM2 entry as a real process over Kafka (librdkafka's mock cluster, or KAFKA_BROKERS): it
// handshakes with a game peer, publishes frames to the telemetry topic, and on SIGTERM dismisses
// its subscription and exits 0.
import * as path from 'node:path';
import { AcOperation } from '@pitwall/ac-udp';
import { Source } from '@pitwall/proto';
import { waitFor } from '../../../../packages/kafka/test/wire/wire-cluster';
import { collectorProcessFixture } from '../../../../packages/collector-kit/test/support/collector-process';
import { AcGame } from '../ac-game';

jest.setTimeout(90_000);

const main = path.resolve(__dirname, '../../src/main.ts');

describe('collector-ac as a process over Kafka', () => {
  const wire = collectorProcessFixture([{ name: 'telemetry', partitions: 3 }], () => new AcGame(20));

  it('handshakes, publishes frames, and dismisses on SIGTERM', async () => {
    const { child, exited } = wire.spawn(main, {
      LOG_LEVEL: 'warn',
      // The names the earlier collector used still work.
      TELEMETRY_UDP_HOST: '127.0.0.1',
      TELEMETRY_UDP_PORT: String(wire.game.port),
    });

    const consumer = await wire.consumeFrames();
    const { frames } = consumer;
    await waitFor('frames from the process on Kafka', () => frames.length >= 10, 60_000);
    await consumer.stop();
    expect(frames[0]).toMatchObject({ source: Source.SOURCE_ASSETTO_CORSA, carId: 'player', track: 'monza/junior' });
    // One session: every frame is keyed by the same id, in sequence order per partition.
    expect(new Set(frames.map((f) => f.sessionId)).size).toBe(1);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('the dismiss at the game', () => wire.game.ops().at(-1) === AcOperation.Dismiss, 5000);
  });
});
