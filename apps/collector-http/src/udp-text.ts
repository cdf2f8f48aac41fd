import * as dgram from 'node:dgram';
import type { Logger } from '@pitwall/logger';
import { nowMicros, type TelemetryFrame } from '@pitwall/proto';
import type { CollectorHttpConfig } from './config';
import { PointError, type PointDefaults as Origin } from '@pitwall/channel-map';
import { transportSource, type Intake } from './intake';

/**
 * UDP text ingest: each datagram holds one or more lines ('\n' separated), each a JSON point, a
 * JSON array of points, or a CSV row. CSV columns come from UDP_CSV_HEADER, not from a header
 * datagram: UDP may lose or reorder the datagram that carried the header, after which every row
 * would be misread. A row equal to the header is skipped (senders that repeat it).
 * UDP carries no token: frames count under UDP_SOURCE; bind UDP_HOST to a trusted interface.
 * Bad lines are counted (`pitwall_ingest_errors_total{transport="udp"}`) and logged at most every
 * 5 s with how many were suppressed; nothing a sender does can throw.
 */

/** Splits one CSV row (RFC 4180 quoting: "a,b" and "" for a quote inside quotes). */
export function splitCsvRow(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new PointError(null, 'unterminated quote in CSV row');
  out.push(field);
  return out;
}

const LOG_EVERY_MS = 5000;

export class UdpTextIngest {
  private readonly socket: dgram.Socket;
  private readonly header: string[] | null;
  private readonly headerLine: string | null;
  private readonly origin: Origin;
  private lastLogMs = 0;
  private suppressed = 0;

  private constructor(
    private readonly deps: { intake: Intake; config: CollectorHttpConfig; logger: Logger },
    readonly port: number,
    socket: dgram.Socket,
  ) {
    this.socket = socket;
    this.header = deps.config.udp.csvHeader;
    this.headerLine = this.header ? this.header.join(',') : null;
    this.origin = { source: transportSource.udp, sourceName: deps.config.udp.source };
    socket.on('message', (msg) => this.onDatagram(msg));
  }

  static async start(deps: { intake: Intake; config: CollectorHttpConfig; logger: Logger }): Promise<UdpTextIngest> {
    const { host, port, recvBufferBytes } = deps.config.udp;
    // The kernel default (~208 KB) overflowed in the fleet test when a sender burst while HTTP
    // batches kept the event loop busy; UDP drops silently there, so hold more (the kernel caps it
    // at net.core.rmem_max, and the log says what it granted).
    const socket = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: recvBufferBytes });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`UDP text ingest: port ${port} on ${host} is already in use (set UDP_PORT, or UDP_ENABLED=false)`) : err),
      );
      socket.bind(port!, host, () => resolve());
    });
    socket.on('error', (err) => deps.logger.error('UDP text socket error', { err }));
    const bound = socket.address().port;
    deps.logger.info('UDP text ingest listening', { host, port: bound, csvHeader: deps.config.udp.csvHeader !== null, recvBufferBytes: socket.getRecvBufferSize() });
    return new UdpTextIngest(deps, bound, socket);
  }

  private onDatagram(msg: Buffer): void {
    const frames: TelemetryFrame[] = [];
    const nowUs = nowMicros();
    const lines = msg.toString('utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        this.readLine(line, nowUs, frames);
      } catch (err) {
        this.bad(err, i, line);
      }
    }
    if (frames.length > 0) this.deps.intake.offer('udp', this.origin.sourceName, frames);
  }

  private readLine(line: string, nowUs: number, out: TelemetryFrame[]): void {
    const mapper = this.deps.intake.mapper;
    const first = line[0];
    if (first === '{' || first === '[') {
      const parsed: unknown = JSON.parse(line);
      const points = Array.isArray(parsed) ? parsed : [parsed];
      // Map all before keeping any, so a line is accepted or refused whole.
      const mapped = points.map((p) => mapper.map(p, this.origin, nowUs));
      for (const f of mapped) out.push(f);
      return;
    }
    if (!this.header) throw new PointError(null, 'a CSV row but UDP_CSV_HEADER is not set');
    if (line === this.headerLine) return;
    const values = splitCsvRow(line);
    if (values.length !== this.header.length) throw new PointError(null, `a CSV row of ${values.length} columns, the header has ${this.header.length}`);
    const point: Record<string, string> = {};
    for (let c = 0; c < values.length; c++) point[this.header[c]!] = values[c]!.trim();
    out.push(mapper.map(point, this.origin, nowUs));
  }

  private bad(err: unknown, lineIndex: number, line: string): void {
    const reason = err instanceof PointError ? 'invalid_point' : err instanceof SyntaxError ? 'invalid_json' : 'invalid_line';
    const message = (err as Error).message;
    this.deps.intake.stats.rejected(this.origin.sourceName, 'udp', reason, `line ${lineIndex}: ${message}`);
    const now = Date.now();
    if (now - this.lastLogMs < LOG_EVERY_MS) {
      this.suppressed++;
      return;
    }
    this.deps.logger.warn('UDP text line refused', { reason: message, line: line.slice(0, 200), suppressedSinceLastLog: this.suppressed });
    this.lastLogMs = now;
    this.suppressed = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
