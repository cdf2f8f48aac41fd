export * from './catalogue';
export { catalogueFromEnv, topicNameVariable } from './catalogue-env';
export { kafkaSettingsFromEnv, type KafkaSettings, type SaslMechanism } from './settings';
export { createKafkaClient, type ClientOptions } from './client';
export { kafkaLogCreator, kafkaLogLevel } from './log-creator';
export { KafkaProducer, KafkaSendError, type KafkaProducerOptions, type ProduceMessage } from './producer';
export {
  KafkaConsumer,
  settleLingeringLeaves,
  type KafkaConsumerOptions,
  type ConsumedBatch,
  type ConsumedBatchHandler,
  type ConsumedMessage,
  type TopicPartitionPosition,
  type TopicPartitionRef,
} from './consumer';
export { KafkaAdmin, KafkaAdminUnsupportedError, KafkaUnreachableError, type KafkaAdminOptions } from './admin';
export {
  brokerCompression,
  describeDifference,
  isSettled,
  planStatus,
  planTopic,
  topicConfigs,
  type ExistingTopic,
  type TopicDifference,
  type TopicPlan,
  type TopicResult,
  type TopicStatus,
} from './topic-plan';
export { formatRetention, renderTopicTable } from './topic-table';
