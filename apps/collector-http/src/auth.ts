import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type AuthResult = { ok: true; source: string } | { ok: false; status: 401 | 403; reason: string };

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Per-source ingest tokens (INGEST_TOKENS=source=token,...). A token names its source, which is
 * what health, metrics and derived session ids call the sender. With no tokens configured every
 * request is accepted under the transport's name (the app logs a warning at start).
 */
export class TokenAuth {
  private readonly tokens: { source: string; digest: Buffer }[];

  constructor(tokens: Record<string, string>) {
    this.tokens = Object.entries(tokens).map(([source, token]) => ({ source, digest: digest(token) }));
  }

  get open(): boolean {
    return this.tokens.length === 0;
  }

  /** Checks a presented token; `openSource` is the name used when ingest is open. */
  check(token: string | undefined, openSource: string): AuthResult {
    if (this.open) return { ok: true, source: openSource };
    if (!token) return { ok: false, status: 401, reason: 'missing token: send Authorization: Bearer <token> or ?token=<token>' };
    // Compare digests in constant time against every token, so timing says nothing about which matched.
    const presented = digest(token);
    let source: string | undefined;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, presented)) source = t.source;
    return source ? { ok: true, source } : { ok: false, status: 403, reason: 'token not recognised' };
  }
}

/** The token of a request: `Authorization: Bearer <token>`, else the `token` query parameter. */
export function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1];
  }
  return url.searchParams.get('token') ?? undefined;
}
