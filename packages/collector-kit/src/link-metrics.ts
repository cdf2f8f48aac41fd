import type { Metrics } from '@pitwall/metrics';

/**
 * What the collector's UDP socket saw: every datagram lands in exactly one of `accepted` (by
 * message kind) or `dropped` (by reason), so their sum is what arrived. Plus the link state as a
 * one-hot gauge and the time of the last datagram from the game.
 */
export class LinkMetrics<State extends string> {
  private readonly accepted;
  private readonly dropped;
  private readonly stateGauge;
  private readonly lastDatagram;
  private current: State | undefined;

  constructor(
    metrics: Metrics,
    private readonly source: string,
    private readonly states: readonly State[],
  ) {
    this.accepted = metrics.counter('pitwall_collector_datagrams_total', 'Datagrams from the game that decoded, by message kind', ['source', 'kind']);
    this.dropped = metrics.counter('pitwall_collector_datagrams_dropped_total', 'Datagrams dropped without a frame, by reason', ['source', 'reason']);
    this.stateGauge = metrics.gauge('pitwall_collector_link_state', 'Link to the game: 1 for the current state', ['source', 'state']);
    this.lastDatagram = metrics.gauge('pitwall_collector_last_datagram_seconds', 'Unix time of the last datagram from the game', ['source']);
  }

  accept(kind: string): void {
    this.accepted.inc({ source: this.source, kind });
    this.lastDatagram.set(Date.now() / 1000, { source: this.source });
  }

  drop(reason: string): void {
    this.dropped.inc({ source: this.source, reason });
  }

  setState(state: State): void {
    this.current = state;
    for (const s of this.states) this.stateGauge.set(s === state ? 1 : 0, { source: this.source, state: s });
  }

  get state(): State | undefined {
    return this.current;
  }

  /** Accepted plus dropped: every datagram counted so far. */
  async total(): Promise<number> {
    return (await this.accepted.value({ source: this.source })) + (await this.dropped.value({ source: this.source }));
  }
}
