export { SequenceAssigner } from './sequence';
export { BusBusyError, FramePublisher, type FramePublisherOptions } from './publisher';
