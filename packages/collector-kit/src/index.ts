export { SequenceAssigner } from './sequence';
export { BusBusyError, FramePublisher, type FramePublisherOptions } from './publisher';
export { Backoff } from './backoff';
export { LinkMetrics } from './link-metrics';
