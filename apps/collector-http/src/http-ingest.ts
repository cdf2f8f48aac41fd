import type { IncomingMessage, ServerResponse } from 'node:http';
import { BusBusyError } from '@pitwall/collector-kit';
import type { Logger } from '@pitwall/logger';
import { nowMicros, type TelemetryFrame } from '@pitwall/proto';
import type { TokenAuth } from './auth';
import { tokenOf } from './auth';
import type { CollectorHttpConfig } from './config';
import { decodeFrameBytes, DelimitedSplitter, FramingError, ItemTooLargeError, LineSplitter } from './framing';
import { PointError, type PointDefaults as Origin } from '@pitwall/channel-map';
import { transportSource, type Intake } from './intake';

/**
 * POST /api/ingest. Bodies by Content-Type:
 * - application/json: one point, or an array of points. All or nothing: one bad item refuses the
 *   request and nothing is published.
 * - application/x-ndjson (also application/ndjson, application/jsonl): one point per line, read and
 *   published as it arrives in batches of INGEST_STREAM_BATCH_FRAMES.
 * - application/x-protobuf: the body is one TelemetryFrame.
 * - application/x-protobuf; delimited=true: a stream of TelemetryFrames, each preceded by its byte
 *   length as a varint (protobufjs encodeDelimited / Java writeDelimitedTo).
 * Streams are accepted up to the first bad item: items before `index` are published, none after.
 *
 * 200 {ok, accepted} only after the bus acknowledged every frame. Errors are {error, reason, index,
 * field, accepted}: 400 bad item, 401/403 token, 405 method, 413 size, 415 type, 503 bus busy.
 */

type BodyKind = 'json' | 'ndjson' | 'protobuf' | 'protobuf-delimited';

const ndjsonTypes = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);
const protobufTypes = new Set(['application/x-protobuf', 'application/protobuf', 'application/vnd.google.protobuf']);

export function bodyKind(contentType: string | undefined): BodyKind | undefined {
  if (!contentType) return undefined;
  const [media, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  if (media === 'application/json') return 'json';
  if (ndjsonTypes.has(media!)) return 'ndjson';
  if (protobufTypes.has(media!)) {
    const delimited = params.some((p) => /^delimited\s*=\s*"?(true|1)"?$/.test(p));
    return delimited ? 'protobuf-delimited' : 'protobuf';
  }
  return undefined;
}

/** A refusal with its HTTP status; `code` is the machine-readable `error` of the body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    reason: string,
    readonly index: number | null = null,
    readonly field: string | null = null,
  ) {
    super(reason);
    this.name = 'HttpError';
  }
}

/** The frames of one request, published in batches; `accepted` counts what the bus acknowledged. */
class Batches {
  accepted = 0;
  pending: TelemetryFrame[] = [];

  constructor(private readonly publish: (frames: TelemetryFrame[]) => Promise<void>) {}

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const frames = this.pending;
    this.pending = [];
    await this.publish(frames);
    this.accepted += frames.length;
  }
}

const asPointError = (err: unknown, index: number): HttpError => {
  if (err instanceof PointError) return new HttpError(400, 'invalid_point', err.message, index, err.field);
  if (err instanceof SyntaxError) return new HttpError(400, 'invalid_json', err.message, index, null);
  throw err;
};

export interface HttpIngestDeps {
  intake: Intake;
  auth: TokenAuth;
  config: CollectorHttpConfig;
  logger: Logger;
}

export function httpIngestHandler(deps: HttpIngestDeps) {
  const { intake, auth, config, logger } = deps;

  function mapJson(body: Buffer, origin: Origin): TelemetryFrame[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, 'invalid_json', (err as Error).message);
    }
    const items = Array.isArray(parsed) ? parsed : [parsed];
    const nowUs = nowMicros();
    const frames: TelemetryFrame[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      try {
        frames[i] = intake.mapper.map(items[i], origin, nowUs);
      } catch (err) {
        throw asPointError(err, i);
      }
    }
    return frames;
  }

  /** Reads a stream item by item, publishing in batches while it arrives. */
  async function streamed(req: IncomingMessage, kind: BodyKind, origin: Origin, batches: Batches): Promise<void> {
    const items: Buffer[] = [];
    const splitter = kind === 'ndjson' ? new LineSplitter(config.maxBodyBytes) : new DelimitedSplitter(config.maxBodyBytes);
    let index = 0;
    let received = 0;
    const toFrames = () => {
      const nowUs = nowMicros();
      for (const item of items) {
        if (kind === 'ndjson') {
          const text = item.toString('utf8');
          if (text.trim() === '') continue;
          try {
            batches.pending.push(intake.mapper.map(JSON.parse(text), origin, nowUs));
          } catch (err) {
            throw asPointError(err, index);
          }
        } else {
          try {
            batches.pending.push(intake.mapper.complete(decodeFrameBytes(item), origin, nowUs));
          } catch (err) {
            throw asPointError(err, index);
          }
        }
        index++;
      }
      items.length = 0;
    };
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > config.maxStreamBytes) throw new HttpError(413, 'too_large', `the stream is over the ${config.maxStreamBytes}-byte limit`, index);
        splitter.push(chunk, items);
        toFrames();
        // Waiting here stops reading the request: the sender feels the bus's pace.
        if (batches.pending.length >= config.streamBatchFrames) await batches.flush();
      }
      if (splitter instanceof LineSplitter) {
        const last = splitter.end();
        if (last) items.push(last);
      } else splitter.end();
      toFrames();
    } catch (err) {
      // Items before the failing one are published, so `accepted` tells the sender where to resume.
      await batches.flush();
      if (err instanceof ItemTooLargeError) throw new HttpError(413, 'too_large', err.message, index);
      if (err instanceof FramingError) throw new HttpError(400, 'invalid_framing', err.message, index);
      if (!(err instanceof HttpError) && req.destroyed && !req.complete) throw new HttpError(400, 'aborted', `the client closed the connection at item ${index}`, index);
      throw err;
    }
    await batches.flush();
  }

  async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          req.off('data', onData);
          reject(new HttpError(413, 'too_large', `the body is over the ${limit}-byte limit`));
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
      req.once('error', reject);
      req.once('close', () => {
        if (!req.complete) reject(new HttpError(400, 'aborted', 'the client closed the connection before the body ended'));
      });
    });
  }

  async function ingest(req: IncomingMessage, url: URL, batches: Batches, setSource: (s: string) => void): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', `${req.method} is not supported on ${url.pathname}; POST points there`);
    const who = auth.check(tokenOf(req, url), 'http');
    if (!who.ok) throw new HttpError(who.status, who.status === 401 ? 'unauthorized' : 'forbidden', who.reason);
    setSource(who.source);
    const encoding = req.headers['content-encoding'];
    if (encoding && encoding !== 'identity') throw new HttpError(415, 'unsupported_encoding', `Content-Encoding ${encoding} is not supported; send the body uncompressed`);
    const kind = bodyKind(req.headers['content-type']);
    if (!kind) {
      throw new HttpError(415, 'unsupported_media_type', `Content-Type ${JSON.stringify(req.headers['content-type'] ?? null)} is not one of application/json, application/x-ndjson, application/x-protobuf[; delimited=true]`);
    }
    const streaming = kind === 'ndjson' || kind === 'protobuf-delimited';
    const limit = streaming ? config.maxStreamBytes : config.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) throw new HttpError(413, 'too_large', `Content-Length ${declared} is over the ${limit}-byte limit`);
    const origin: Origin = { source: transportSource.http, sourceName: who.source };
    if (streaming) return streamed(req, kind, origin, batches);
    const body = await readBody(req, limit);
    if (kind === 'json') batches.pending = mapJson(body, origin);
    else {
      try {
        batches.pending = [intake.mapper.complete(decodeFrameBytes(body), origin, nowMicros())];
      } catch (err) {
        throw asPointError(err, 0);
      }
    }
    await batches.flush();
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    let source = 'http';
    const batches = new Batches((frames) => intake.publish('http', source, frames));
    try {
      await ingest(req, url, batches, (s) => (source = s));
      send(res, 200, { ok: true, accepted: batches.accepted });
    } catch (err) {
      const refusal = classify(err, config.retryAfterS);
      intake.stats.rejected(source, 'http', refusal.code, refusal.message);
      if (refusal.status >= 500) logger.warn('ingest request not accepted', { source, status: refusal.status, reason: refusal.message, accepted: batches.accepted });
      const headers: Record<string, string> = {};
      if (refusal.status === 503) headers['retry-after'] = String(config.retryAfterS);
      if (refusal.status === 405) headers.allow = 'POST';
      // The rest of an unread body is discarded; the connection closes so a large upload ends.
      if (!req.complete) headers.connection = 'close';
      send(res, refusal.status, { error: refusal.code, reason: refusal.message, index: refusal.index, field: refusal.field, accepted: batches.accepted }, headers);
      if (!req.complete) req.resume();
    }
  };
}

function classify(err: unknown, retryAfterS: number): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof BusBusyError) return new HttpError(503, 'bus_busy', `${err.message}; retry after ${retryAfterS} s`);
  // A bus that failed after its own retries: the sender should retry too, nothing was acknowledged.
  return new HttpError(503, 'publish_failed', `the bus did not acknowledge the frames: ${(err as Error).message}`);
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
