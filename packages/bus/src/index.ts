export * from './types';
export { murmur2, partitionForKey } from './murmur2';
export { MemoryBus, MemoryConsumer, type MemoryBusOptions } from './memory-bus';
export { withDeadLetter, DLQ_HEADERS, type Decoded, type DecodedBatch, type DeadLetterOptions } from './dead-letter';
export { KafkaBus, type KafkaBusOptions, type KafkaGroupTuning } from './kafka-bus';
export { busFromEnv, type BusFromEnv } from './from-env';
