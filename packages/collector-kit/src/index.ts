export { SequenceAssigner } from './sequence';
export { BusBusyError, FramePublisher, type FramePublisherOptions } from './publisher';
export { Backoff } from './backoff';
export { LinkMetrics } from './link-metrics';
export { GameSocket, type GameAddress, type GameSocketHandlers, type GameSocketOptions } from './game-socket';
export { LinkClock, watchdogIntervalMs } from './link-clock';
