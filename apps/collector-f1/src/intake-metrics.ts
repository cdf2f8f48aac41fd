import { PACKET_NAMES, type PacketFormat, type PacketId } from '@pitwall/f1-udp';
import type { Metrics } from '@pitwall/metrics';
import { RateWindow } from './rate-window';
import type { EvictionReason } from './session-registry';

const SOURCE = 'f1';

/** "car telemetry" → "car_telemetry": packet names as metric label values. */
function packetLabel(id: number): string {
  return PACKET_NAMES[id as PacketId]?.replace(/ /g, '_') ?? `id_${id}`;
}

/**
 * What the socket saw. Every received datagram ends in exactly one of: accepted (decoded and
 * applied, by format and packet) or dropped (by reason: the codec's, or `processing_failed`).
 *
 * The per-datagram counts are tallied in plain numbers and added to the Prometheus counters once
 * per event-loop turn (libuv hands over up to 32 datagrams a turn under load), all together, so
 * received = accepted + dropped holds whenever the counters are read. A label-hashing counter
 * increment per datagram and per series was a measurable share of the per-frame cost. The shared
 * `pitwall_collector_*` series carry `source="f1"` and the label sets the other collectors use
 * (one registry serves every app of the embedded process).
 */
export class IntakeMetrics {
  private readonly receivedTotal;
  private readonly acceptedByKind;
  private readonly acceptedByFormat;
  private readonly droppedByReason;
  private readonly lastDatagram;
  private readonly menuPackets;
  private readonly sessionsStarted;
  private readonly sessionsEvicted;
  private readonly sessionsActive;
  private readonly sequenceResets;
  private readonly sessionInfos;
  private readonly rate = new RateWindow(10);
  private lastPacketMs = 0;
  private pendingReceived = 0;
  /** Accepted datagrams by format × 256 + packet id. */
  private readonly pendingAccepted = new Map<number, number>();
  private readonly pendingDropped = new Map<string, number>();
  private flushScheduled = false;

  constructor(metrics: Metrics) {
    this.receivedTotal = metrics.counter('pitwall_collector_datagrams_received_total', 'Datagrams read from the socket (accepted + dropped)', ['source']);
    this.acceptedByKind = metrics.counter('pitwall_collector_datagrams_total', 'Datagrams from the game that decoded, by message kind', ['source', 'kind']);
    this.acceptedByFormat = metrics.counter('pitwall_f1_packets_total', 'F1 packets decoded and applied, by packet format and packet', ['format', 'packet']);
    this.droppedByReason = metrics.counter('pitwall_collector_datagrams_dropped_total', 'Datagrams dropped without a frame, by reason', ['source', 'reason']);
    this.lastDatagram = metrics.gauge('pitwall_collector_last_datagram_seconds', 'Unix time of the last datagram from the game', ['source']);
    this.menuPackets = metrics.counter('pitwall_f1_menu_packets_total', 'Packets with a zeroed (menu) header: decoded, counted, no session');
    this.sessionsStarted = metrics.counter('pitwall_collector_sessions_started_total', 'Sessions started (new track, car or driver)', ['source']);
    this.sessionsEvicted = metrics.counter('pitwall_f1_sessions_evicted_total', 'Sessions forgotten, by reason (idle, capacity)', ['reason']);
    this.sessionsActive = metrics.gauge('pitwall_f1_sessions', 'Sessions held in memory now');
    this.sequenceResets = metrics.counter('pitwall_f1_frame_identifier_resets_total', 'Times a session\'s overallFrameIdentifier went back (sequence fallback engaged)');
    this.sessionInfos = metrics.counter('pitwall_f1_session_infos_published_total', 'SessionInfo messages acknowledged on the sessions topic');
  }

  received(nowMs: number): void {
    this.pendingReceived++;
    this.rate.add(nowMs);
    this.lastPacketMs = nowMs;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  accepted(format: PacketFormat, packetId: number): void {
    const key = format * 256 + packetId;
    this.pendingAccepted.set(key, (this.pendingAccepted.get(key) ?? 0) + 1);
  }

  dropped(reason: string): void {
    this.pendingDropped.set(reason, (this.pendingDropped.get(reason) ?? 0) + 1);
  }

  /** Adds the tallies to the Prometheus counters (scheduled by `received`; call on stop too). */
  flush(): void {
    this.flushScheduled = false;
    if (this.pendingReceived === 0) return;
    this.receivedTotal.inc({ source: SOURCE }, this.pendingReceived);
    this.pendingReceived = 0;
    for (const [key, n] of this.pendingAccepted) {
      const packet = packetLabel(key % 256);
      this.acceptedByKind.inc({ source: SOURCE, kind: packet }, n);
      this.acceptedByFormat.inc({ format: Math.floor(key / 256), packet }, n);
    }
    this.pendingAccepted.clear();
    for (const [reason, n] of this.pendingDropped) this.droppedByReason.inc({ source: SOURCE, reason }, n);
    this.pendingDropped.clear();
  }

  menuPacket(): void {
    this.menuPackets.inc();
  }

  sessionStarted(): void {
    this.sessionsStarted.inc({ source: SOURCE });
  }

  sessionEvicted(reason: EvictionReason): void {
    this.sessionsEvicted.inc({ reason });
  }

  sessionCount(n: number): void {
    this.sessionsActive.set(n);
  }

  sequenceReset(): void {
    this.sequenceResets.inc();
  }

  sessionInfosPublished(n: number): void {
    this.sessionInfos.inc({}, n);
  }

  /** Sets the last-datagram gauge (once per scrape is enough; the socket path only stores it). */
  publishLastDatagram(): void {
    if (this.lastPacketMs > 0) this.lastDatagram.set(this.lastPacketMs / 1000, { source: SOURCE });
  }

  packetsPerSecond(nowMs: number): number {
    return this.rate.perSecond(nowMs);
  }

  get lastPacketAtMs(): number {
    return this.lastPacketMs;
  }
}
