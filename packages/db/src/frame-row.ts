import { codecs, type Codec, type TelemetryFrame } from '@pitwall/proto';
import { frameRowFromWire } from './frame-wire';
import { FRAME_COLUMNS, frameIdentityProblem, frameTimeProblem, frameTimeUs } from './frames';
import { binaryRowEncoder, BinaryRowWriter, NotBinaryEncodable } from './pg-binary';

/** One writer for every frame row: rows made one after another lie side by side (see binaryCopyData). */
const rows = new BinaryRowWriter();
const encodeRow = binaryRowEncoder(FRAME_COLUMNS, rows);

/**
 * A frame made ready for the writer when it arrives: what the writer checks and partitions by,
 * and its row in COPY's binary format. The decoded frame itself is not kept: thousands wait in a
 * writer's queue, and as objects they outlive the young generation and made most of the writer's
 * GC work (measured). The text path, taken only after a refused COPY, decodes the frame again.
 */
export class FrameRow {
  private constructor(
    /** Why the frame cannot be stored whatever its time (no session or car id). */
    private readonly identityProblem: string | undefined,
    /** The stored time (frameTimeUs). */
    readonly timeUs: number,
    /** The row in COPY binary; undefined when a value cannot go in binary (its batch then goes as text). */
    readonly binary: Buffer | undefined,
    private readonly source: TelemetryFrame | Uint8Array,
  ) {}

  /** From a frame object, which is kept (for frames made in-process). */
  static of(frame: TelemetryFrame): FrameRow {
    return FrameRow.made(frame, frame);
  }

  /**
   * From the wire (throws DecodeError as codecs.frame does); keeps the bytes, not a decoded frame.
   * A plain frame goes straight from its bytes to its row (frameRowFromWire), any other through
   * codecs.frame.
   */
  static fromWire(bytes: Uint8Array): FrameRow {
    const read = frameRowFromWire(bytes, rows);
    // It reads only frames with both ids.
    if (read) return new FrameRow(undefined, read.timeUs, read.row, bytes);
    return FrameRow.made(codecs.frame.decode(bytes), bytes);
  }

  private static made(frame: TelemetryFrame, source: TelemetryFrame | Uint8Array): FrameRow {
    let binary: Buffer | undefined;
    try {
      binary = encodeRow(frame);
    } catch (err) {
      if (!(err instanceof NotBinaryEncodable)) throw err;
    }
    return new FrameRow(frameIdentityProblem(frame), frameTimeUs(frame), binary, source);
  }

  /** Why the frame cannot be stored now, or undefined when it can. */
  problem(nowUs: number): string | undefined {
    return this.identityProblem ?? frameTimeProblem(this.timeUs, nowUs);
  }

  frame(): TelemetryFrame {
    return this.source instanceof Uint8Array ? codecs.frame.decode(this.source) : this.source;
  }

  wire(): Uint8Array {
    return this.source instanceof Uint8Array ? this.source : codecs.frame.encode(this.source);
  }
}

/** TelemetryFrame bytes as FrameRows: for a consumer that hands frames to writeFrameRows. */
export const frameRowCodec: Codec<FrameRow> = {
  typeName: codecs.frame.typeName,
  decode: (bytes) => FrameRow.fromWire(bytes),
  encode: (row) => row.wire(),
  toJSON: (row) => codecs.frame.toJSON(row.frame()),
};
