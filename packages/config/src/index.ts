/**
 * Typed settings from the environment. Every reader validates its variable and throws a
 * ConfigError naming the variable, what it expected and what it got, so a bad deployment stops
 * at start with one clear line instead of failing later.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
    readonly got: string | undefined,
  ) {
    super(`${variable}: expected ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

interface Opts<T> {
  default?: T;
}

export interface IntOpts extends Opts<number> {
  min?: number;
  max?: number;
}

/** Reads typed values from an environment (process.env by default). */
export class EnvReader {
  constructor(private readonly env: Env = process.env) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  private required<T>(name: string, expected: string, opts: Opts<T>): T {
    if (opts.default !== undefined) return opts.default;
    throw new ConfigError(name, expected, undefined);
  }

  /** Whether the variable is set to a non-empty value. */
  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  string(name: string, opts: Opts<string> = {}): string {
    return this.raw(name) ?? this.required(name, 'a non-empty string', opts);
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, opts: IntOpts = {}): number {
    const min = opts.min ?? Number.MIN_SAFE_INTEGER;
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    const expected = `an integer from ${min} to ${max}`;
    const v = this.raw(name);
    if (v === undefined) return this.required(name, expected, opts);
    if (!/^[-+]?\d+$/.test(v)) throw new ConfigError(name, expected, v);
    const n = Number(v);
    if (n < min || n > max) throw new ConfigError(name, expected, v);
    return n;
  }

  port(name: string, opts: Opts<number> = {}): number {
    return this.int(name, { ...opts, min: 0, max: 65535 });
  }

  number(name: string, opts: Opts<number> & { min?: number; max?: number } = {}): number {
    const min = opts.min ?? -Infinity;
    const max = opts.max ?? Infinity;
    const expected = `a number from ${min} to ${max}`;
    const v = this.raw(name);
    if (v === undefined) return this.required(name, expected, opts);
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(name, expected, v);
    return n;
  }

  bool(name: string, opts: Opts<boolean> = {}): boolean {
    const expected = 'one of true/false/1/0/yes/no';
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return this.required(name, expected, opts);
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(name, expected, v);
  }

  oneOf<const T extends string>(name: string, values: readonly T[], opts: Opts<NoInfer<T>> = {}): T {
    const expected = `one of ${values.join(', ')}`;
    const v = this.raw(name);
    if (v === undefined) return this.required(name, expected, opts);
    if (!(values as readonly string[]).includes(v)) throw new ConfigError(name, expected, v);
    return v as T;
  }

  /** Comma-separated list; empty items are ignored. */
  list(name: string, opts: Opts<string[]> = {}): string[] {
    const v = this.raw(name);
    if (v === undefined) return this.required(name, 'a comma-separated list', opts);
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** Comma-separated `host:port` list, as Kafka clients take their bootstrap servers. */
  hostPorts(name: string, opts: Opts<string[]> = {}): string[] {
    const expected = 'a comma-separated list of host:port';
    const v = this.raw(name);
    if (v === undefined) return this.required(name, expected, opts);
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    const ok = items.length > 0 && items.every((i) => /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):\d{1,5}$/.test(i) && Number(i.slice(i.lastIndexOf(':') + 1)) <= 65535);
    if (!ok) throw new ConfigError(name, expected, v);
    return items;
  }

  /** `name=value` pairs separated by commas, e.g. ingest tokens per source. */
  pairs(name: string, opts: Opts<Record<string, string>> = {}): Record<string, string> {
    const expected = 'comma-separated name=value pairs';
    const v = this.raw(name);
    if (v === undefined) return this.required(name, expected, opts);
    const out: Record<string, string> = {};
    for (const item of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      const eq = item.indexOf('=');
      if (eq <= 0 || eq === item.length - 1) throw new ConfigError(name, expected, v);
      out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
    }
    return out;
  }

  url(name: string, opts: Opts<string> & { protocols?: string[] } = {}): string {
    const protocols = opts.protocols ?? ['http:', 'https:'];
    const expected = `a URL (${protocols.join(' or ')})`;
    const v = this.raw(name);
    if (v === undefined) return this.required(name, expected, opts);
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
    } catch {
      throw new ConfigError(name, expected, v);
    }
    return v;
  }
}

export const env = new EnvReader();
