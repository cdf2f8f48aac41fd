import type { Bus } from '@pitwall/bus';
import { ChannelMapper } from '@pitwall/channel-map';
import { FramePublisher } from '@pitwall/collector-kit';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import type { Health, Stoppable } from '@pitwall/service';
import { Checkpoint } from './checkpoint';
import type { CollectorS3Config } from './config';
import { createS3Client, Poller } from './poller';
import { CollectorStats } from './stats';

export interface CollectorS3Deps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: CollectorS3Config;
}

/**
 * Polls the bucket for CSV exports and publishes their rows as TelemetryFrames on the telemetry
 * topic. `stop()` stops reading, waits for the batch in flight to be acked, writes the checkpoint
 * and closes its producer and the S3 client (the bus belongs to the caller).
 */
export async function startCollectorS3(deps: CollectorS3Deps): Promise<Stoppable> {
  const { config, logger } = deps;
  const { checkpoint, ignored } = await Checkpoint.load({
    file: config.checkpointFile,
    bucket: config.bucket,
    prefix: config.prefix,
    maxDone: config.maxDoneObjects,
  });
  if (ignored) logger.warn('checkpoint ignored: starting over', { file: config.checkpointFile, reason: ignored });
  const stats = new CollectorStats(deps.metrics);
  const s3 = createS3Client(config);
  const producer = deps.bus.producer();
  const publisher = new FramePublisher({ producer, topic: deps.topics.telemetry, source: 's3', metrics: deps.metrics, logger });
  const poller = new Poller({
    s3,
    bucket: config.bucket,
    publisher,
    checkpoint,
    stats,
    logger,
    batchFrames: config.batchFrames,
    mapper: new ChannelMapper(config.mapping),
    sessionId: config.sessionId,
    track: config.track,
    config,
  });
  deps.health.register('collector-s3', () => stats.health(config.pollIntervalMs, checkpoint.doneCount));
  logger.info('polling', {
    bucket: config.bucket,
    prefix: config.prefix,
    endpoint: config.endpoint ?? 'aws',
    intervalMs: config.pollIntervalMs,
    checkpoint: config.checkpointFile,
    resuming: checkpoint.inProgress,
    objectsDone: checkpoint.doneCount,
  });
  poller.start();
  return {
    async stop() {
      await poller.stop();
      await checkpoint.flush();
      await producer.close();
      deps.health.unregister('collector-s3');
      s3.destroy();
    },
  };
}
