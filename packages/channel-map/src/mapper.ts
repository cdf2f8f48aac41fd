import type { Source, TelemetryFrame } from '@pitwall/proto';
import { DEFAULT_MAPPING, type MappingConfig } from './config';
import { CAR_NAMES, FIELDS, IGNORED, readUnknown, type Field, type Scratch } from './fields';
import { clamp, isEmpty, PointError, type PointRecord, type PointValue } from './values';

/** What a point does not say itself: where it came from, and fallbacks for what it may omit. */
export interface PointDefaults {
  source: Source;
  /** The sender (a token's source name, a transport): the first part of a derived session id. */
  sourceName: string;
  /** Session when the point names none; without it the session is derived (see sessionFor). */
  sessionId?: string;
  /** Car when the point names none (a device's own id). */
  carId?: string;
  /** Source time when the point has none (µs since the epoch). */
  sourceTimeUs?: number;
  track?: string;
  driverName?: string;
  carModel?: string;
}

/** Numbers for points without a time of their own (collector-kit's SequenceAssigner). */
export interface SequenceSource {
  assign(sessionId: string, carId: string): number;
}

export interface MapperOptions {
  /**
   * Without it a point needs a time (its own or the defaults'): the time is its sequence, which
   * is what makes re-reading a source idempotent. With it, untimed points get a number from it.
   */
  sequences?: SequenceSource;
}

export type PointResult = { frame: TelemetryFrame } | { error: { field: string | null; reason: string } };

/** Maps rows of one column layout: `cells[i]` is the value of column `i`. */
export type RowMapper = (cells: readonly PointValue[], defaults: PointDefaults, ingestTimeUs: number) => PointResult;

/**
 * Where each field's names sit in one column layout (a CSV header, a JSON object's keys), worked
 * out once per layout so mapping a row is index lookups. Candidates keep the name priority order.
 */
interface Layout {
  names: readonly string[];
  fields: { field: Field; at: number[] }[];
  unknown: number[];
}

function compileLayout(names: readonly string[]): Layout {
  // A repeated name: the last column wins, as it would as an object key.
  const index = new Map<string, number>();
  names.forEach((n, i) => index.set(n, i));
  const known = new Set<string>(IGNORED);
  const fields: Layout['fields'] = [];
  for (const field of FIELDS) {
    field.names.forEach((n) => known.add(n));
    const at = field.names.filter((n) => index.has(n)).map((n) => index.get(n)!);
    if (at.length > 0) fields.push({ field, at });
  }
  const unknown = names.map((n, i) => (known.has(n) || index.get(n) !== i ? -1 : i)).filter((i) => i >= 0);
  return { names, fields, unknown };
}

/** Layouts seen by `map` (senders keep their key order, so a few cover a feed). */
const layoutCache = new Map<string, Layout>();
const MAX_CACHED_LAYOUTS = 64;

/** The layout `map` used last: a feed's points mostly share their keys, so it is checked first. */
let lastLayout: Layout | undefined;

function layoutOf(names: string[]): Layout {
  const last = lastLayout;
  if (last !== undefined && sameNames(last.names, names)) return last;
  lastLayout = layoutBySignature(names);
  return lastLayout;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function layoutBySignature(names: string[]): Layout {
  const signature = names.join('\u0000');
  let layout = layoutCache.get(signature);
  if (!layout) {
    layout = compileLayout(names);
    if (layoutCache.size >= MAX_CACHED_LAYOUTS) layoutCache.delete(layoutCache.keys().next().value!);
    layoutCache.set(signature, layout);
  }
  return layout;
}

/** The first of the candidate columns with a non-empty value, or -1. */
function firstPresent(cells: readonly PointValue[], candidates: readonly number[]): number {
  for (let c = 0; c < candidates.length; c++) if (!isEmpty(cells[candidates[c]!])) return candidates[c]!;
  return -1;
}

const DAY_US = 86_400_000_000;

/**
 * Named channels (GR Cup logger CSV/JSON, the seed servers' JSON, our own frame field names) →
 * TelemetryFrame: the one mapping every collector uses. The names, units and rules are in
 * fields.ts and the package README.
 *
 * - Empty values ('' or blank, null, undefined) are absent channels and stay absent, not zero.
 * - When a point carries several names for one field, the first present in the field's name list
 *   wins (a point's key order means nothing); an explicit `brake`/`steer`/`throttle` beats the one
 *   derived from pressures / angle / pedal %.
 * - A present modelled value that is wrong is refused, naming the input field; unknown numeric
 *   values go to extras (at most `maxExtras`), unknown text is ignored.
 * - session: the point's, else the defaults', else `<sourceName>:<track>:<UTC date of the sample>`.
 * - sequence: the point's, else its time in µs (so a re-sent or re-read sample keeps its number
 *   and storage keeps one copy), else the SequenceSource, else the point is refused.
 */
export class ChannelMapper {
  private readonly sequences: SequenceSource | undefined;
  private readonly scratch: Scratch;
  private readonly days = new Map<number, string>();
  private lastSession = { day: NaN, sourceName: '', track: '', id: '' };

  constructor(
    readonly config: MappingConfig = DEFAULT_MAPPING,
    options: MapperOptions = {},
  ) {
    this.sequences = options.sequences;
    // One scratch reused for every point: mapping is synchronous, so it is never shared.
    this.scratch = { config, timeUs: undefined, brakeBar: undefined, steerDeg: undefined, extras: undefined, extraCount: 0, mayRepeat: false };
  }

  /** One point (a JSON object) → a frame; throws PointError naming the field that is wrong. */
  map(point: unknown, defaults: PointDefaults, ingestTimeUs: number): TelemetryFrame {
    if (typeof point !== 'object' || point === null || Array.isArray(point)) throw new PointError(null, 'expected a JSON object (one point)');
    return this.mapCells(layoutOf(Object.keys(point)), Object.values(point) as PointValue[], defaults, ingestTimeUs);
  }

  /** `map` for a record known to be an object, with the refusal as a value instead of a throw. */
  tryMap(record: PointRecord, defaults: PointDefaults, ingestTimeUs: number): PointResult {
    return this.attempt(layoutOf(Object.keys(record)), Object.values(record), defaults, ingestTimeUs);
  }

  /** A mapper for rows of one fixed layout (a CSV header), without building an object per row. */
  columns(header: readonly string[]): RowMapper {
    const layout = compileLayout([...header]);
    return (cells, defaults, ingestTimeUs) => this.attempt(layout, cells, defaults, ingestTimeUs);
  }

  /**
   * Fills what the collector owns on a frame that arrived whole (protobuf): source when unset,
   * ingest time, session and sequence by the same rules as a mapped point.
   */
  complete(frame: TelemetryFrame, defaults: PointDefaults, ingestTimeUs: number): TelemetryFrame {
    if (!frame.source) frame.source = defaults.source;
    frame.ingestTimeUs = ingestTimeUs;
    return this.identify(frame, defaults, frame.sourceTimeUs || undefined, ingestTimeUs, 'source_time_us');
  }

  /** `<source>:<track>:<UTC date of the sample>`, or `<source>:<UTC date>` without a track. */
  sessionFor(sourceName: string, track: string | null | undefined, timeUs: number): string {
    const day = Math.floor(timeUs / DAY_US);
    const last = this.lastSession;
    // Points of a batch share their session: reuse the string (one flat string, not a new
    // concatenation the bus key hash and the encoder would each have to flatten).
    if (last.day === day && last.sourceName === sourceName && last.track === (track ?? '')) return last.id;
    let date = this.days.get(day);
    if (date === undefined) {
      if (this.days.size >= 64) this.days.clear();
      date = new Date(day * 86_400_000).toISOString().slice(0, 10);
      this.days.set(day, date);
    }
    const id = track ? `${sourceName}:${track}:${date}` : `${sourceName}:${date}`;
    this.lastSession = { day, sourceName, track: track ?? '', id };
    return id;
  }

  private attempt(layout: Layout, cells: readonly PointValue[], defaults: PointDefaults, ingestTimeUs: number): PointResult {
    try {
      return { frame: this.mapCells(layout, cells, defaults, ingestTimeUs) };
    } catch (err) {
      if (err instanceof PointError) return { error: { field: err.field, reason: err.reason } };
      throw err;
    }
  }

  private mapCells(layout: Layout, cells: readonly PointValue[], defaults: PointDefaults, ingestTimeUs: number): TelemetryFrame {
    const s = this.scratch;
    s.timeUs = undefined;
    s.brakeBar = undefined;
    s.steerDeg = undefined;
    s.extras = undefined;
    s.extraCount = 0;
    s.mayRepeat = false;
    const frame: TelemetryFrame = {
      sessionId: undefined,
      source: defaults.source,
      carId: undefined,
      track: undefined,
      driverName: undefined,
      carModel: undefined,
      sequence: undefined,
      sourceTimeUs: undefined,
      ingestTimeUs,
      lap: 0,
      // Every common channel field exists from the start (absent = undefined, which encodes as
      // absent), so most frames share one object shape and the stores stay fast.
      speedKmh: undefined,
      rpm: undefined,
      throttle: undefined,
      brake: undefined,
      gLon: undefined,
      gLat: undefined,
      steer: undefined,
      gear: undefined,
      lapDistanceM: undefined,
      extras: undefined,
    };
    const { names, fields, unknown } = layout;
    for (let k = 0; k < fields.length; k++) {
      const { field, at } = fields[k]!;
      if (field.every) {
        for (let c = 0; c < at.length; c++) if (!isEmpty(cells[at[c]!])) field.read(cells[at[c]!], names[at[c]!]!, frame, s);
        continue;
      }
      const i = firstPresent(cells, at);
      if (i >= 0) field.read(cells[i], names[i]!, frame, s);
    }
    // readUnknown skips empty values itself (blank text is not a decimal, null not an object).
    for (let u = 0; u < unknown.length; u++) readUnknown(cells[unknown[u]!], names[unknown[u]!]!, s);

    const { config } = this;
    if (frame.brake === undefined && s.brakeBar !== undefined) frame.brake = clamp(s.brakeBar / config.brakeFullScaleBar, 0, 1);
    if (frame.steer === undefined && s.steerDeg !== undefined) frame.steer = clamp(s.steerDeg / config.steerFullScaleDeg, -1, 1);
    frame.extras = s.extras;
    if (frame.carId === undefined) {
      if (!defaults.carId) throw new PointError(CAR_NAMES[0]!, `missing car id: set one of ${CAR_NAMES.join(', ')}`);
      frame.carId = defaults.carId;
    }
    frame.track ??= defaults.track;
    frame.driverName ??= defaults.driverName;
    frame.carModel ??= defaults.carModel;
    const timeUs = s.timeUs ?? defaults.sourceTimeUs;
    frame.sourceTimeUs = timeUs;
    return this.identify(frame, defaults, timeUs, ingestTimeUs, 'timestamp');
  }

  /** Session and sequence (see the class comment); `timeField` is named when a time is required. */
  private identify(frame: TelemetryFrame, defaults: PointDefaults, timeUs: number | undefined, ingestTimeUs: number, timeField: string): TelemetryFrame {
    if (!frame.sessionId) frame.sessionId = defaults.sessionId || this.sessionFor(defaults.sourceName, frame.track, timeUs ?? ingestTimeUs);
    if (!frame.sequence) {
      if (timeUs !== undefined) frame.sequence = timeUs;
      else if (this.sequences) frame.sequence = this.sequences.assign(frame.sessionId, frame.carId!);
      else throw new PointError(timeField, 'missing timestamp (the sample time is its sequence number here)');
    }
    return frame;
  }
}
