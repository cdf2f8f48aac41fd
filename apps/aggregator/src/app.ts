/**
 * The aggregator: consumes telemetry in its own group, runs the race analysis per partition and
 * publishes laps, insights and alerts. A batch's offset is committed only after its outputs are
 * acknowledged (the handler awaits them). Each partition's state is snapshotted to the state topic
 * with the offset it covers and restored when the partition is assigned, so a restart or a
 * rebalance continues the laps and the model instead of starting over.
 */
import { withDeadLetter, type BatchHandler, type Bus, type IncomingMessage, type PartitionBatch, type TopicPartition, type TopicPartitionOffset } from '@pitwall/bus';
import type { TopicRole } from '@pitwall/kafka';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { codecs, type TelemetryFrame } from '@pitwall/proto';
import type { Output } from '@pitwall/race-analysis';
import type { Health, Stoppable } from '@pitwall/service';
import type { AggregatorConfig } from './config';
import { encodeOutputs, outputCount, sendOutputs, type OutputMessages } from './outputs';
import { OwnedPartition } from './owned-partition';
import { PartitionAnalysis } from './partition-analysis';
import { StateStore, type PartitionSnapshot, type PartitionState } from './state-store';

export interface AggregatorDeps {
  bus: Bus;
  topics: Record<TopicRole, string>;
  logger: Logger;
  metrics: Metrics;
  health: Health;
  config: AggregatorConfig;
}

/**
 * Decodes each frame just before analysing it, so a decoded frame is garbage as soon as the
 * analysis has seen it, and returns the messages that did not decode. (Decoded up front by
 * withDeadLetter, each frame hung off an item object living for the whole batch; V8 allocates such
 * objects straight in the old generation once they outlive a scavenge (allocation-site
 * pretenuring), and an old item keeps its young frame alive through every scavenge until a full
 * GC: ~600 B promoted a frame, half the time in the GC.) Not async, so V8 can optimise the loop
 * while it runs (on-stack replacement), which it does not do inside an async function.
 */
function analyseFrames(part: OwnedPartition, messages: IncomingMessage[], out: Output[], replayed: Output[]): IncomingMessage[] {
  const wallMs = part.clockMs();
  const undecodable: IncomingMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    let frame: TelemetryFrame;
    try {
      frame = codecs.frame.decode(message.value);
    } catch {
      undecodable.push(message);
      continue;
    }
    part.analysis.ingest(frame, wallMs, message.offset < part.replayUntil ? replayed : out);
  }
  return undecodable;
}

export async function startAggregator(deps: AggregatorDeps): Promise<Stoppable> {
  const { bus, topics, config } = deps;
  const logger = deps.logger.child({ app: 'aggregator', group: config.groupId });
  const m = {
    frames: deps.metrics.counter('pitwall_aggregator_frames_total', 'Decoded frames fed to the analysis'),
    outputs: deps.metrics.counter('pitwall_aggregator_outputs_total', 'Messages published, by kind', ['kind']),
    publishFailures: deps.metrics.counter('pitwall_aggregator_publish_failures_total', 'Output sends that failed (retried before anything else)'),
    snapshots: deps.metrics.counter('pitwall_aggregator_snapshots_total', 'Partition snapshots written, by result', ['result']),
    snapshotBytes: deps.metrics.histogram('pitwall_aggregator_snapshot_bytes', 'Size of a partition snapshot', [1e3, 1e4, 1e5, 1e6, 1e7]),
    restores: deps.metrics.counter('pitwall_aggregator_restores_total', 'Partition assignments, by how the state started', ['result']),
    sessions: deps.metrics.gauge('pitwall_aggregator_sessions', 'Sessions held'),
    cars: deps.metrics.gauge('pitwall_aggregator_cars', 'Cars held'),
    replayed: deps.metrics.counter('pitwall_aggregator_replayed_outputs_total', 'Outputs of frames analysed again after a restore, not published again (they were before)'),
    inputGaps: deps.metrics.counter('pitwall_aggregator_input_gaps_total', 'Batches starting past the offset the state covers (frames gone): the partition restarted its analysis'),
    batchSeconds: deps.metrics.histogram('pitwall_aggregator_batch_seconds', 'Time from a batch handed over to its outputs acknowledged', [0.001, 0.01, 0.1, 1, 10]),
  };
  const producer = bus.producer();
  const store = new StateStore({
    bus,
    producer,
    topic: topics.aggregator_state,
    groupId: config.groupId,
    readTimeoutMs: config.stateReadTimeoutMs,
    logger,
    metrics: deps.metrics,
  });
  try {
    await store.start();
  } catch (err) {
    await producer.close();
    throw new Error(`aggregator: cannot read the state topic ${topics.aggregator_state}: ${(err as Error).message}`, { cause: err });
  }

  const owned = new Map<number, OwnedPartition>();
  let lastRestoreProblem: string | null = null;
  let stopping = false;
  const newPartition = (partition: number) => new OwnedPartition(partition, new PartitionAnalysis(config), Date.now());

  /** Sends outputs; until acknowledged they are the partition's pending outputs. */
  const publish = async (part: OwnedPartition, messages: OutputMessages): Promise<void> => {
    if (outputCount(messages) === 0) return;
    part.pending = messages;
    const startedMs = Date.now();
    try {
      await sendOutputs(producer, topics, messages);
    } catch (err) {
      m.publishFailures.inc();
      throw new Error(`partition ${part.partition}: publishing ${outputCount(messages)} outputs failed: ${(err as Error).message}`, { cause: err });
    } finally {
      part.stalledMs += Date.now() - startedMs;
    }
    part.pending = null;
    m.outputs.inc({ kind: 'insight' }, messages.insights.length);
    m.outputs.inc({ kind: 'lap' }, messages.laps.length);
    m.outputs.inc({ kind: 'alert' }, messages.alerts.length);
  };

  const writeSnapshot = async (part: OwnedPartition): Promise<void> => {
    if (part.nextOffset === undefined || part.pending) return;
    const snapshot: PartitionSnapshot = {
      version: 1,
      topic: topics.telemetry,
      partition: part.partition,
      nextOffset: part.nextOffset,
      writtenAtMs: Date.now(),
      sessions: part.analysis.snapshot(),
    };
    try {
      m.snapshotBytes.observe(await store.write(snapshot));
      m.snapshots.inc({ result: 'written' });
      part.batchesSinceSnapshot = 0;
      part.lastSnapshotMs = Date.now();
      part.onStateTopic = true;
    } catch (err) {
      // The outputs are durable, so the batch stands; the next batch tries the snapshot again.
      m.snapshots.inc({ result: 'failed' });
      logger.error('state snapshot not written', { partition: part.partition, nextOffset: part.nextOffset, err });
    }
  };

  const partitionFor = (partition: number): OwnedPartition => {
    const part = owned.get(partition);
    // The bus assigns before it delivers and drops batches of revoked partitions. Analysing one
    // here with empty state would publish partial laps over whole ones: fail it instead.
    if (!part) throw new Error(`batch for ${topics.telemetry}[${partition}], which is not assigned to this instance`);
    return part;
  };

  /** Sends frames that do not decode to the DLQ: withDeadLetter decodes them again, and fails. */
  const deadLetterUndecodable = withDeadLetter(
    { codec: codecs.frame, producer, dlqTopic: topics.dlq, groupId: config.groupId, metrics: deps.metrics, logger },
    async () => undefined,
  );

  /** Analyses a batch and publishes its outputs; resolves with how many it published. */
  const analyse = async (part: OwnedPartition, batch: PartitionBatch): Promise<number> => {
    const out: Output[] = [];
    const replayed: Output[] = [];
    const undecodable = analyseFrames(part, batch.messages, out, replayed);
    m.frames.inc({}, batch.messages.length - undecodable.length);
    m.replayed.inc({}, replayed.length);
    const messages = encodeOutputs(out);
    await publish(part, messages);
    // After the outputs: if a DLQ send fails, the batch comes again with its outputs already out
    // (its frames are stale to the analysis by then), and only the DLQ sends are repeated.
    if (undecodable.length > 0) await deadLetterUndecodable({ ...batch, messages: undecodable });
    return outputCount(messages);
  };

  const writeProgress = async (part: OwnedPartition): Promise<void> => {
    try {
      await store.writeProgress({ version: 1, topic: topics.telemetry, partition: part.partition, nextOffset: part.nextOffset! });
      part.onStateTopic = true;
    } catch (err) {
      // Only costs repeats after a crash (identical messages); the outputs themselves are durable.
      logger.warn('progress record not written', { partition: part.partition, nextOffset: part.nextOffset, err });
    }
  };

  const handler: BatchHandler = (batch) => {
    const part = partitionFor(batch.partition);
    return part.exclusive(async () => {
      const startedMs = Date.now();
      // A redelivery after a failed send: its frames are already in the analysis (it drops them as
      // stale), so the outputs they made go out first.
      if (part.pending) await publish(part, part.pending);
      const first = batch.messages[0]!.offset;
      if (part.nextOffset !== undefined && first > part.nextOffset) {
        // The frames after the state are gone: committed and trimmed (in-memory bus), or past
        // retention. Their outputs were published already, or never will be; analysing on from
        // the older state would publish laps that conflict with them (a "data gap" lap under the
        // key of a clean one). Starting afresh makes the laps in progress come out as partial.
        m.inputGaps.inc();
        logger.warn('input resumes past the restored state: analysis of the partition starts afresh', {
          partition: part.partition,
          stateCovers: part.nextOffset,
          firstOffset: first,
        });
        part.analysis.clear();
      }
      const publishedOutputs = await analyse(part, batch);
      part.nextOffset = batch.messages[batch.messages.length - 1]!.offset + 1;
      part.batchesSinceSnapshot++;
      const due = part.batchesSinceSnapshot >= config.snapshotEveryBatches || Date.now() - part.lastSnapshotMs >= config.snapshotIntervalMs;
      // A snapshot marks progress too; a batch that published nothing would publish nothing again,
      // except the partition's first: its record says the group has analysed the partition, so a
      // next owner that finds no snapshot re-analyses it from the beginning.
      if (due) await writeSnapshot(part);
      else if (publishedOutputs > 0 || !part.onStateTopic) await writeProgress(part);
      m.batchSeconds.observe((Date.now() - startedMs) / 1000);
    });
  };

  const onAssigned = async (partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> => {
    // Partitions kept across a rebalance (Kafka revokes only what moves) keep their live state,
    // which is newer than any snapshot, and their position.
    const mine = partitions.filter((tp) => tp.topic === topics.telemetry && !owned.has(tp.partition));
    let states: Map<number, PartitionState> | null = null;
    try {
      states = await store.read(topics.telemetry, mine.map((tp) => tp.partition));
      lastRestoreProblem = null;
    } catch (err) {
      // Stopping: take nothing on. A batch for these partitions fails uncommitted, and no empty
      // state gets snapshotted over the good one.
      if (stopping) return [];
      // Never block the partitions: they start from the committed offsets with empty state (laps
      // in progress come out as partial; nothing is counted twice).
      lastRestoreProblem = (err as Error).message;
      m.restores.inc({ result: 'unread' }, mine.length);
      logger.error('state not read: the partitions start without it', { partitions: mine.map((tp) => tp.partition), err });
    }
    const starts: TopicPartitionOffset[] = [];
    for (const tp of mine) {
      const part = newPartition(tp.partition);
      const { snapshot, progress } = states?.get(tp.partition) ?? {};
      part.replayUntil = progress?.nextOffset ?? 0;
      if (snapshot) {
        try {
          part.analysis.restore(snapshot.sessions, part.clockMs());
          part.nextOffset = snapshot.nextOffset;
          starts.push({ ...tp, offset: snapshot.nextOffset });
          m.restores.inc({ result: 'restored' });
          logger.info('partition state restored', { partition: tp.partition, nextOffset: snapshot.nextOffset, ...part.analysis.stats });
        } catch (err) {
          lastRestoreProblem = (err as Error).message;
          m.restores.inc({ result: 'invalid' });
          logger.error('state snapshot does not restore: the partition starts without it', { partition: tp.partition, err });
        }
      } else if (states) {
        m.restores.inc({ result: 'none' });
        if (progress) {
          // The group has analysed the partition, but no snapshot of it is on the topic yet: none was
          // due, or the old owner's final one lands after this read (kafkajs revokes only after the
          // group re-formed). No snapshot is the state at the partition's beginning, so the frames
          // from there are analysed again, published only past the progress offset.
          part.nextOffset = 0;
          starts.push({ ...tp, offset: 0 });
          logger.info('partition has no snapshot yet: analysing it again from its beginning', { partition: tp.partition, replayUntil: part.replayUntil });
        }
      }
      part.onStateTopic = Boolean(snapshot ?? progress);
      owned.set(tp.partition, part);
    }
    return starts;
  };

  const onRevoked = async (partitions: TopicPartition[]): Promise<void> => {
    for (const tp of partitions) {
      if (tp.topic !== topics.telemetry) continue;
      const part = owned.get(tp.partition);
      if (!part) continue;
      owned.delete(tp.partition);
      // The final snapshot covers exactly what was committed, so the next owner re-feeds nothing.
      await part.exclusive(async () => {
        part.revoked = true;
        await writeSnapshot(part);
      });
    }
  };

  const housekeep = (part: OwnedPartition): void => {
    if (part.housekeepingQueued) return;
    part.housekeepingQueued = true;
    part
      .exclusive(async () => {
        if (part.revoked) return;
        // Outputs a failed send left behind go first (a quiet partition has no batch to carry them).
        if (part.pending) await publish(part, part.pending);
        await publish(part, encodeOutputs(part.analysis.housekeeping(part.clockMs(), config.idleEvictMs * 1000)));
      })
      .catch((err: unknown) => logger.error('outputs not published; retried on the next tick or batch', { partition: part.partition, err }))
      .finally(() => (part.housekeepingQueued = false));
  };
  const timer = setInterval(() => {
    let sessions = 0;
    let cars = 0;
    for (const part of owned.values()) {
      housekeep(part);
      const stats = part.analysis.stats;
      sessions += stats.sessions;
      cars += stats.cars;
    }
    m.sessions.set(sessions);
    m.cars.set(cars);
  }, config.tickMs);

  const consumer = bus.consumer({
    groupId: config.groupId,
    topics: [topics.telemetry],
    fromBeginning: true,
    maxBatchMessages: config.maxBatchMessages,
    onAssigned,
    onRevoked,
  });

  deps.health.register('aggregator', () => {
    const stuck = [...owned.values()].filter((p) => p.pending).map((p) => p.partition);
    const detail = { partitions: [...owned.keys()], stuckPartitions: stuck, lastRestoreProblem };
    return { status: stuck.length > 0 || lastRestoreProblem ? 'degraded' : 'ok', detail };
  });

  try {
    await consumer.run(handler);
  } catch (err) {
    clearInterval(timer);
    await store.stop();
    await producer.close();
    throw err;
  }
  logger.info('aggregator consuming', { topic: topics.telemetry, stateTopic: topics.aggregator_state });

  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      store.cancelReads();
      // Finishes the batch in progress, commits it, and revokes: each partition's final snapshot.
      await consumer.stop();
      await store.stop();
      await producer.close();
      deps.health.unregister('aggregator');
      logger.info('aggregator stopped');
    },
  };
}
