export type HealthState = 'ok' | 'degraded' | 'down';

export interface HealthStatus {
  status: HealthState;
  detail?: Record<string, unknown>;
}

export type HealthCheck = () => HealthStatus | Promise<HealthStatus>;

export interface HealthReport {
  /** The older PitWall server's `/api/health` answered `{ ok, now }`: its clients read these. */
  ok: boolean;
  now: string;
  status: HealthState;
  apps: string[];
  uptimeS: number;
  checks: Record<string, HealthStatus>;
}

const rank: Record<HealthState, number> = { ok: 0, degraded: 1, down: 2 };

/** The checks behind `/health`; the worst check decides the overall status. */
export class Health {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly apps = new Set<string>();
  private readonly startedAt = Date.now();

  addApp(name: string): void {
    this.apps.add(name);
  }

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  async report(): Promise<HealthReport> {
    const checks: Record<string, HealthStatus> = {};
    let status: HealthState = 'ok';
    for (const [name, check] of this.checks) {
      let result: HealthStatus;
      try {
        result = await check();
      } catch (err) {
        result = { status: 'down', detail: { error: (err as Error).message } };
      }
      checks[name] = result;
      if (rank[result.status] > rank[status]) status = result.status;
    }
    return { ok: status !== 'down', now: new Date().toISOString(), status, apps: [...this.apps], uptimeS: Math.round((Date.now() - this.startedAt) / 1000), checks };
  }
}
