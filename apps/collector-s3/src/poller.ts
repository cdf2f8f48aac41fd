import { setTimeout as sleep } from 'node:timers/promises';
import { ListObjectsV2Command, S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import type { CollectorS3Config } from './config';
import { runObject, type ObjectRunDeps } from './object-run';

/** CSV exports, plain or gzipped; anything else in the bucket is not ours to read. */
export function isCsvKey(key: string): boolean {
  return /\.csv(\.gz)?$/i.test(key);
}

/**
 * The S3 client for AWS or an S3-compatible server. With a custom endpoint (MinIO, s3rver)
 * requests use path-style addressing (`endpoint/bucket/key`): those servers do not resolve
 * bucket subdomains. Checksums only where S3 requires them: the SDK's default CRC checksums are
 * not understood by many S3-compatible servers, and a read that stops early cannot verify one.
 */
export function createS3Client(config: Pick<CollectorS3Config, 'endpoint' | 'region' | 'credentials'>): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.endpoint !== undefined,
    credentials: config.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
  });
}

export interface PollerDeps extends Omit<ObjectRunDeps, 'signal'> {
  config: CollectorS3Config;
}

/**
 * Polls the bucket: finishes the object in progress first, then walks the listing page by page
 * (ListObjectsV2 continuation tokens) and reads every CSV whose (key, ETag) is not done yet.
 * An object already done with the same ETag is never downloaded again; a new ETag is read again
 * from its first row.
 */
export class Poller {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: PollerDeps) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops reading; resolves after the batch in flight is acked and the checkpoint is written. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async pollOnce(): Promise<void> {
    const { checkpoint, stats, logger } = this.deps;
    let ok = true;
    try {
      ok = await this.walk();
    } catch (err) {
      ok = false;
      if (!this.stopping) {
        stats.error(err instanceof ListError ? 'list' : 'read', err);
        logger.warn('poll failed; the next poll resumes from the checkpoint', { err });
      }
    }
    try {
      await checkpoint.flush();
    } catch (err) {
      ok = false;
      stats.error('checkpoint', err);
      logger.error('checkpoint not written', { err });
    }
    if (!this.stopping) stats.pollFinished(ok);
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.pollOnce();
      try {
        await sleep(this.deps.config.pollIntervalMs, undefined, { signal: this.abort.signal });
      } catch {
        // stopped
      }
    }
  }

  /** False when the poll ended early (stop); throws on S3 errors. */
  private async walk(): Promise<boolean> {
    const { s3, checkpoint, config } = this.deps;
    const runDeps: ObjectRunDeps = { ...this.deps, signal: this.abort.signal };

    const pending = checkpoint.inProgress;
    if (pending) {
      const outcome = await runObject(runDeps, pending, pending);
      if (outcome === 'stopped') return false;
      if (outcome !== 'gone') this.deps.stats.objectFinished(outcome);
    }

    // Keys of the done set seen in this listing; done keys not listed any more are forgotten after
    // a complete listing, so the set tracks the bucket instead of growing with its history.
    const listedDone = new Set<string>();
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await s3.send(
          new ListObjectsV2Command({ Bucket: config.bucket, Prefix: config.prefix || undefined, MaxKeys: config.listPageSize, ContinuationToken: token }),
          { abortSignal: this.abort.signal },
        );
      } catch (err) {
        if (this.stopping) return false;
        throw new ListError(config.bucket, err as Error);
      }
      this.deps.stats.listPage();
      for (const item of page.Contents ?? []) {
        if (this.stopping) return false;
        const key = item.Key;
        const etag = item.ETag;
        if (!key || !etag || !isCsvKey(key)) continue;
        if (checkpoint.hasDone(key)) listedDone.add(key);
        if (checkpoint.isDone(key, etag)) continue;
        const outcome = await runObject(runDeps, { key, etag }, { rowsDone: 0, maxOpenSamples: config.maxOpenSamples });
        if (outcome === 'stopped') return false;
        if (outcome !== 'gone') {
          listedDone.add(key);
          this.deps.stats.objectFinished(outcome);
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);

    checkpoint.pruneDone((key) => listedDone.has(key));
    return true;
  }
}

class ListError extends Error {
  constructor(bucket: string, cause: Error) {
    super(`listing s3://${bucket} failed: ${cause.message}`, { cause });
    this.name = 'ListError';
  }
}
