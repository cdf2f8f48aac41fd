import type { Producer } from '@pitwall/bus';
import { ChannelMapper } from '@pitwall/channel-map';
import { FramePublisher, SequenceAssigner } from '@pitwall/collector-kit';
import type { Logger } from '@pitwall/logger';
import type { Metrics } from '@pitwall/metrics';
import { Source, type TelemetryFrame } from '@pitwall/proto';
import type { CollectorHttpConfig } from './config';
import { SourceStats, type Transport } from './source-stats';

/** Default Source per transport, so frames say how they arrived. */
export const transportSource = {
  http: Source.SOURCE_HTTP,
  device: Source.SOURCE_DEVICE_WS,
  udp: Source.SOURCE_UDP_TEXT,
  partner: Source.SOURCE_PARTNER_WS,
} as const;

/**
 * What every transport shares: the one point mapping, one frame publisher per transport (so the
 * collector-kit metrics say how frames arrived) and the per-source health table.
 */
export class Intake {
  readonly mapper: ChannelMapper;
  readonly stats: SourceStats;
  private readonly publishers: Record<Transport, FramePublisher>;

  constructor(deps: { producer: Producer; topic: string; metrics: Metrics; logger: Logger; config: CollectorHttpConfig }) {
    // Points without a time of their own still get increasing sequences (pushed live, not re-read).
    this.mapper = new ChannelMapper(deps.config.mapping, { sequences: new SequenceAssigner() });
    this.stats = new SourceStats(deps.config.maxSources, deps.metrics);
    const publisher = (source: Transport) =>
      new FramePublisher({ producer: deps.producer, topic: deps.topic, source, metrics: deps.metrics, logger: deps.logger });
    this.publishers = { http: publisher('http'), device: publisher('device'), udp: publisher('udp'), partner: publisher('partner') };
  }

  /** Resolves when the bus acknowledged every frame; throws BusBusyError when it pushes back. */
  async publish(transport: Transport, source: string, frames: TelemetryFrame[]): Promise<void> {
    if (frames.length === 0) return;
    await this.publishers[transport].publish(frames);
    this.stats.accepted(source, transport, frames.length);
  }

  /** For sources that cannot wait (UDP): queued, never blocks; the publisher sheds the oldest when full. */
  offer(transport: Transport, source: string, frames: TelemetryFrame[]): void {
    const publisher = this.publishers[transport];
    for (const f of frames) publisher.offer(f);
    this.stats.accepted(source, transport, frames.length);
  }

  /** Waits until every offered frame was acknowledged or dropped. */
  async drain(): Promise<void> {
    await Promise.all(Object.values(this.publishers).map((p) => p.drain()));
  }
}
