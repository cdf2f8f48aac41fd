import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** How far one object got: every data row before `rowsDone` is on the bus (acked) or was bad. */
export interface ObjectProgress {
  key: string;
  etag: string;
  rowsDone: number;
  /**
   * The long-CSV sample window the object was started with. Resuming must group rows exactly as
   * the first run did (see ObjectRun), so it keeps this even if S3_MAX_OPEN_SAMPLES changed.
   */
  maxOpenSamples: number;
}

interface CheckpointFile {
  version: 1;
  bucket: string;
  prefix: string;
  inProgress: ObjectProgress | null;
  /** [key, ETag], oldest first. */
  done: [string, string][];
}

export class CheckpointError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`checkpoint ${file}: ${reason}`);
    this.name = 'CheckpointError';
  }
}

/**
 * The collector's durable state: the object in progress and the (key, ETag) pairs already done.
 *
 * A local JSON file, because it has to work under PM2 on one server with nothing else running.
 * Each save writes a temporary file, fsyncs it and renames it over the old one: a crash leaves
 * either the old or the new checkpoint, never half of one. Saves are serialised and at most one
 * runs per `minSaveIntervalMs` (the `done` list can be large), except `flush()`.
 *
 * The caller only records progress the bus has acknowledged, so the file never claims rows that
 * are not on the bus. It may claim fewer (a crash between ack and save): those rows are published
 * again with the same sequence numbers, which storage deduplicates.
 */
export class Checkpoint {
  private readonly done = new Map<string, string>();
  private inProgressValue: ObjectProgress | null = null;
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private lastSaveAt = 0;
  /** Done entries dropped because the set was full. */
  forgotten = 0;

  private constructor(
    readonly file: string,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly maxDone: number,
    private readonly minSaveIntervalMs: number,
  ) {}

  /**
   * Reads the file (none = a fresh start). A checkpoint for another bucket or prefix is ignored
   * rather than trusted: its keys mean nothing here. A file that is not a checkpoint stops the
   * app, because guessing would re-publish or skip whole objects.
   */
  static async load(opts: { file: string; bucket: string; prefix: string; maxDone: number; minSaveIntervalMs?: number }): Promise<{ checkpoint: Checkpoint; ignored?: string }> {
    const cp = new Checkpoint(opts.file, opts.bucket, opts.prefix, opts.maxDone, opts.minSaveIntervalMs ?? 1000);
    let text: string;
    try {
      text = await readFile(opts.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoint: cp };
      throw new CheckpointError(opts.file, `cannot read: ${(err as Error).message}`);
    }
    const parsed = parseFile(opts.file, text);
    if (parsed.bucket !== opts.bucket || parsed.prefix !== opts.prefix) {
      return { checkpoint: cp, ignored: `it is for s3://${parsed.bucket}/${parsed.prefix}` };
    }
    cp.inProgressValue = parsed.inProgress;
    for (const [key, etag] of parsed.done) cp.rememberDone(key, etag);
    return { checkpoint: cp };
  }

  get inProgress(): ObjectProgress | null {
    return this.inProgressValue;
  }

  get doneCount(): number {
    return this.done.size;
  }

  isDone(key: string, etag: string): boolean {
    return this.done.get(key) === etag;
  }

  hasDone(key: string): boolean {
    return this.done.has(key);
  }

  /** Acked progress within an object. */
  progress(p: ObjectProgress): void {
    this.inProgressValue = { ...p };
    this.changed();
  }

  /** The object is finished (all rows acked or bad, or it failed for good): never read this ETag again. */
  complete(key: string, etag: string): void {
    if (this.inProgressValue?.key === key) this.inProgressValue = null;
    this.rememberDone(key, etag);
    this.changed();
  }

  /** Stop tracking an in-progress object that no longer exists as recorded (deleted or replaced). */
  abandon(key: string): void {
    if (this.inProgressValue?.key !== key) return;
    this.inProgressValue = null;
    this.changed();
  }

  /** After a complete listing: forget done keys that were not listed (deleted objects). */
  pruneDone(listed: (key: string) => boolean): number {
    let pruned = 0;
    for (const key of [...this.done.keys()]) {
      if (!listed(key)) {
        this.done.delete(key);
        pruned++;
      }
    }
    if (pruned > 0) this.changed();
    return pruned;
  }

  /** Writes now if anything changed; resolves when it is on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.dirty) await this.save();
    else await this.saving;
  }

  private rememberDone(key: string, etag: string): void {
    // Re-inserting moves the key to the newest end, so the oldest completions are forgotten first.
    this.done.delete(key);
    this.done.set(key, etag);
    while (this.done.size > this.maxDone) {
      this.done.delete(this.done.keys().next().value!);
      this.forgotten++;
    }
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.lastSaveAt + this.minSaveIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      // A failed background save leaves `dirty` set: the next change or flush retries it.
      this.save().catch(() => undefined);
    }, wait);
    this.timer.unref();
  }

  private save(): Promise<void> {
    this.saving = this.saving
      .catch(() => undefined)
      .then(async () => {
        if (!this.dirty) return;
        this.dirty = false;
        const content: CheckpointFile = {
          version: 1,
          bucket: this.bucket,
          prefix: this.prefix,
          inProgress: this.inProgressValue,
          done: [...this.done],
        };
        try {
          await writeAtomically(this.file, JSON.stringify(content));
          this.lastSaveAt = Date.now();
        } catch (err) {
          this.dirty = true;
          throw new CheckpointError(this.file, `cannot write: ${(err as Error).message}`);
        }
      });
    return this.saving;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

function parseFile(file: string, text: string): CheckpointFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(file, `not JSON (${(err as Error).message}); move it away to start over`);
  }
  const v = value as Partial<CheckpointFile>;
  const bad = (what: string) => new CheckpointError(file, `${what}; move it away to start over`);
  if (v === null || typeof v !== 'object' || v.version !== 1) throw bad('not a version 1 checkpoint');
  if (typeof v.bucket !== 'string' || typeof v.prefix !== 'string') throw bad('bucket/prefix missing');
  if (!Array.isArray(v.done) || !v.done.every((d) => Array.isArray(d) && d.length === 2 && typeof d[0] === 'string' && typeof d[1] === 'string')) {
    throw bad('done is not a list of [key, etag]');
  }
  const p = v.inProgress;
  if (p !== null) {
    const ok =
      typeof p === 'object' &&
      typeof p.key === 'string' &&
      typeof p.etag === 'string' &&
      Number.isSafeInteger(p.rowsDone) &&
      p.rowsDone >= 0 &&
      Number.isSafeInteger(p.maxOpenSamples) &&
      p.maxOpenSamples > 0;
    if (!ok) throw bad('inProgress is not {key, etag, rowsDone, maxOpenSamples}');
  }
  return v as CheckpointFile;
}
