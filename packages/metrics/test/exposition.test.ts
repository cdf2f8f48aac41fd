// How the fleet test and the pipeline benchmarks read the apps' /metrics: the sum of one metric's
// samples whose labels match, from the Prometheus text exposition the apps serve.
import { metricSum } from '../src';

const text = [
  '# HELP pitwall_kafka_consumer_lag_messages Messages behind the partition end, as of the last fetch',
  '# TYPE pitwall_kafka_consumer_lag_messages gauge',
  'pitwall_kafka_consumer_lag_messages{app="ws-bridge",topic="telemetry",partition="0",group="pitwall-ws-bridge-vm-1"} 12',
  'pitwall_kafka_consumer_lag_messages{app="ws-bridge",topic="telemetry",partition="1",group="pitwall-ws-bridge-vm-1"} 30',
  'pitwall_kafka_consumer_lag_messages{app="ws-bridge",topic="telemetry.laps",partition="0",group="pitwall-ws-bridge-vm-1"} 7',
  'pitwall_kafka_consumer_lag_messages_other{topic="telemetry"} 1000',
  'pitwall_bus_produced_messages_total{topic="telemetry",app="pitwall"} 4240',
  'pitwall_bus_consumed_messages_total{topic="telemetry",group="pitwall-ws-bridge-vm-21497",app="pitwall"} 4100',
  'pitwall_bus_consumed_messages_total{topic="telemetry",group="pitwall-db-writer",app="pitwall"} 1004',
  'process_resident_memory_bytes 123456',
].join('\n');

describe('metricSum', () => {
  it('adds the samples of one metric whose labels match, and no other metric sharing its prefix', () => {
    expect(metricSum(text, 'pitwall_kafka_consumer_lag_messages', (l) => l.topic === 'telemetry')).toBe(42);
    expect(metricSum(text, 'pitwall_bus_consumed_messages_total', (l) => l.group?.startsWith('pitwall-ws-bridge') === true)).toBe(4100);
    expect(metricSum(text, 'process_resident_memory_bytes', () => true)).toBe(123456);
  });

  it('is 0 when nothing matches', () => {
    expect(metricSum(text, 'pitwall_kafka_consumer_lag_messages', (l) => l.topic === 'commands')).toBe(0);
    expect(metricSum('', 'anything', () => true)).toBe(0);
  });
});
