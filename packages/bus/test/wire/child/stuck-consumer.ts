// A group member that takes one batch and never finishes it: the parent SIGKILLs it mid-batch.
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { KafkaBus } from '../../../src/kafka-bus';
import { fastGroup } from '../../../../kafka/test/wire/wire-cluster';

const [brokers, topic, groupId] = [process.env.BROKERS!, process.env.TOPIC!, process.env.GROUP!];
const bus = new KafkaBus({
  settings: { brokers: brokers.split(','), clientId: 'stuck-consumer', idempotent: false, ssl: false },
  catalogue: [],
  logger: silentLogger(),
  metrics: new Metrics('stuck-consumer'),
  groupTuning: fastGroup,
});
void bus.consumer({ groupId, topics: [topic] }).run(async (batch) => {
  process.stdout.write(`${JSON.stringify({ partition: batch.partition, offsets: batch.messages.map((m) => m.offset) })}\n`);
  await new Promise(() => undefined);
});
