import { CAR_NAMES, parseDecimal, TIME_NAMES, type ChannelMapper, type PointDefaults, type PointRecord, type PointResult, type RowMapper } from '@pitwall/channel-map';
import type { CsvRecord } from './csv-stream';

/**
 * What a CSV row becomes: one sample (a future frame) starting at data row `firstRow`.
 * Samples come out in increasing `firstRow` order; ObjectRun's checkpoint rule depends on it.
 */
export interface Sample {
  firstRow: number;
  line: number;
  /** Wide: the row's cells; long: the pivoted record. RowSink.toFrame knows which. */
  cells?: readonly string[];
  record?: PointRecord;
  /** Long CSVs: the line each channel came from, so a bad value is reported where it is. */
  channelLines?: Map<string, number>;
}

export interface RowProblem {
  row: number;
  line: number;
  field?: string;
  reason: string;
}

export interface RowSink {
  /** Takes data row number `row` (0-based, header excluded). */
  push(row: number, rec: CsvRecord, emit: (s: Sample) => void, bad: (p: RowProblem) => void): void;
  /** The file ended: emit whatever is still open. */
  end(emit: (s: Sample) => void): void;
  /** `firstRow` of the oldest sample not yet emitted, if any. */
  oldestOpenRow(): number | undefined;
  /** The sample as a frame (see @pitwall/channel-map). */
  toFrame(sample: Sample, defaults: PointDefaults, ingestTimeUs: number): PointResult;
}

export type CsvShape = 'wide' | 'long';

/** Long CSVs have one row per channel (`telemetry_name`, `telemetry_value`); wide ones a column per channel. */
export function detectShape(header: readonly string[]): CsvShape {
  return header.includes('telemetry_name') && header.includes('telemetry_value') ? 'long' : 'wide';
}

/**
 * The sink for a file with this header, or why no row of it can become a frame (no car or no
 * time column): then the object is refused at its first line instead of every row being bad.
 */
export function createRowSink(header: readonly string[], maxOpenSamples: number, mapper: ChannelMapper): RowSink | { unusable: string } {
  const names = header.map((h) => h.trim());
  const has = (candidates: readonly string[]) => candidates.some((c) => names.includes(c));
  if (detectShape(names) === 'long') {
    if (!names.includes('vehicle_id') || !has(TIME_NAMES)) return { unusable: `long CSV header without vehicle_id and ${TIME_NAMES.join('/')}` };
    return new LongPivot(names, maxOpenSamples, mapper);
  }
  if (!has(CAR_NAMES) || !has(TIME_NAMES)) return { unusable: `header names no car (${CAR_NAMES.join('/')}) or no time (${TIME_NAMES.join('/')}) column` };
  return new WideRows(names, mapper);
}

/** A GR Cup export names the event and session on every row; together they are the session. */
export function sessionFromMeta(event: string | undefined, session: string | undefined): string | undefined {
  const e = event?.trim();
  const s = session?.trim();
  if (!e) return undefined;
  return s ? `${e}/${s}` : e;
}

function lengthProblem(row: number, rec: CsvRecord, expected: number): RowProblem {
  return { row, line: rec.line, reason: `${rec.cells.length} fields where the header has ${expected}` };
}

/** One row, one sample, mapped straight from its cells by column position. */
class WideRows implements RowSink {
  private readonly eventCol: number;
  private readonly sessionCol: number;
  private readonly sessionFromColumns: boolean;
  private readonly map: RowMapper;

  constructor(
    private readonly names: string[],
    mapper: ChannelMapper,
  ) {
    this.eventCol = names.indexOf('meta_event');
    this.sessionCol = names.indexOf('meta_session');
    this.sessionFromColumns = names.includes('session_id');
    this.map = mapper.columns(names);
  }

  push(row: number, rec: CsvRecord, emit: (s: Sample) => void, bad: (p: RowProblem) => void): void {
    if (rec.cells.length !== this.names.length) return bad(lengthProblem(row, rec, this.names.length));
    emit({ firstRow: row, line: rec.line, cells: rec.cells });
  }

  end(): void {}

  oldestOpenRow(): undefined {
    return undefined;
  }

  toFrame(sample: Sample, defaults: PointDefaults, ingestTimeUs: number): PointResult {
    const cells = sample.cells!;
    const result = this.map(cells, defaults, ingestTimeUs);
    if ('frame' in result && !this.sessionFromColumns && this.eventCol >= 0) {
      const session = sessionFromMeta(cells[this.eventCol], cells[this.sessionCol]);
      if (session) result.frame.sessionId = session;
    }
    return result;
  }
}

interface OpenSample extends Sample {
  record: Record<string, string | number>;
  channelLines: Map<string, number>;
}

/**
 * Long CSVs (`telemetry_name`/`telemetry_value` per row) pivoted into one sample per
 * (vehicle, timestamp). A sample's rows need not be adjacent (loggers interleave cars), so up to
 * `maxOpen` samples are gathered at once; when one more arrives, the oldest is emitted. A row for
 * a sample emitted among the last LATE_HORIZON × `maxOpen` is reported as late rather than sent as
 * a second, partial frame with the same sequence number (storage would keep only one of them);
 * later than that it does become such a frame.
 *
 * The grouping depends only on the rows and `maxOpen`, so reading the object again groups it the
 * same way: that is what lets a restart skip exactly the samples it already published.
 */
const LATE_HORIZON = 4;
/** Channels one long-CSV sample may gather beyond the extras limit; more could never make a frame. */
const MODELLED_CHANNELS_ALLOWANCE = 64;

class LongPivot implements RowSink {
  private readonly open = new Map<string, OpenSample>();
  /** Keys of the last LATE_HORIZON × maxOpen emitted samples, oldest first. */
  private readonly closed = new Set<string>();
  private readonly col: Record<'name' | 'value' | 'vehicle' | 'timestamp' | 'metaTime' | 'lap' | 'event' | 'session', number>;

  private readonly maxChannels: number;

  constructor(
    private readonly names: string[],
    private readonly maxOpen: number,
    private readonly mapper: ChannelMapper,
  ) {
    this.maxChannels = mapper.config.maxExtras + MODELLED_CHANNELS_ALLOWANCE;
    const at = (n: string) => names.indexOf(n);
    this.col = {
      name: at('telemetry_name'),
      value: at('telemetry_value'),
      vehicle: at('vehicle_id'),
      timestamp: at('timestamp'),
      metaTime: at('meta_time'),
      lap: at('lap'),
      event: at('meta_event'),
      session: at('meta_session'),
    };
  }

  push(row: number, rec: CsvRecord, emit: (s: Sample) => void, bad: (p: RowProblem) => void): void {
    const { cells, line } = rec;
    if (cells.length !== this.names.length) return bad(lengthProblem(row, rec, this.names.length));
    const cell = (i: number) => (i >= 0 ? cells[i]!.trim() : '');
    const channel = cell(this.col.name);
    if (!channel) return bad({ row, line, field: 'telemetry_name', reason: 'empty channel name' });
    const valueText = cell(this.col.value);
    const value = parseDecimal(valueText);
    if (value === undefined) {
      return bad({ row, line, field: 'telemetry_value', reason: `${channel}: not a number: ${JSON.stringify(valueText)}` });
    }
    const vehicle = cell(this.col.vehicle);
    const time = cell(this.col.timestamp) || cell(this.col.metaTime);
    const key = `${vehicle}\u0000${time}`;
    let sample = this.open.get(key);
    if (!sample) {
      if (this.closed.has(key)) {
        return bad({ row, line, field: channel, reason: `late: sample ${vehicle} @ ${time} was already published (gather more at once with S3_MAX_OPEN_SAMPLES, now ${this.maxOpen})` });
      }
      if (this.open.size >= this.maxOpen) this.emitOldest(emit);
      const record: Record<string, string | number> = { vehicle_id: vehicle, timestamp: time, lap: cell(this.col.lap) };
      const session = sessionFromMeta(cells[this.col.event], cells[this.col.session]);
      if (session) record.session_id = session;
      sample = { firstRow: row, line, record, channelLines: new Map() };
      this.open.set(key, sample);
    }
    if (sample.channelLines.size >= this.maxChannels) {
      return bad({ row, line, field: channel, reason: `more than ${this.maxChannels} channels for ${vehicle} @ ${time}` });
    }
    if (sample.channelLines.has(channel)) {
      return bad({ row, line, field: channel, reason: `duplicate: ${channel} already given for ${vehicle} @ ${time} on line ${sample.channelLines.get(channel)}` });
    }
    sample.record[channel] = value;
    sample.channelLines.set(channel, line);
  }

  end(emit: (s: Sample) => void): void {
    while (this.open.size > 0) this.emitOldest(emit);
  }

  oldestOpenRow(): number | undefined {
    for (const s of this.open.values()) return s.firstRow;
    return undefined;
  }

  toFrame(sample: Sample, defaults: PointDefaults, ingestTimeUs: number): PointResult {
    return this.mapper.tryMap(sample.record!, defaults, ingestTimeUs);
  }

  private emitOldest(emit: (s: Sample) => void): void {
    const [key, sample] = this.open.entries().next().value!;
    this.open.delete(key);
    this.closed.add(key);
    if (this.closed.size > LATE_HORIZON * this.maxOpen) this.closed.delete(this.closed.values().next().value!);
    emit(sample);
  }
}
