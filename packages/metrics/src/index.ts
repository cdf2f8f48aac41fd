import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Registry };

type Labels = Record<string, string | number>;

/**
 * Metrics for one app. Every app of a process shares one Registry (the embedded mode runs them all
 * in one process), so metrics are get-or-create by name and every series carries an `app` label:
 * two apps counting `pitwall_bus_produced_messages_total` add series, not a name clash.
 */
export class Metrics {
  constructor(
    readonly app: string,
    readonly registry: Registry = new Registry(),
  ) {}

  /** The same registry, for another app of this process. */
  forApp(app: string): Metrics {
    return new Metrics(app, this.registry);
  }

  counter(name: string, help: string, labelNames: string[] = []): BoundCounter {
    const metric = this.getOrCreate(name, () => new Counter({ name, help, labelNames: ['app', ...labelNames], registers: [this.registry] }));
    return new BoundCounter(metric as Counter, this.app);
  }

  gauge(name: string, help: string, labelNames: string[] = []): BoundGauge {
    const metric = this.getOrCreate(name, () => new Gauge({ name, help, labelNames: ['app', ...labelNames], registers: [this.registry] }));
    return new BoundGauge(metric as Gauge, this.app);
  }

  histogram(name: string, help: string, buckets: number[], labelNames: string[] = []): BoundHistogram {
    const metric = this.getOrCreate(
      name,
      () => new Histogram({ name, help, buckets, labelNames: ['app', ...labelNames], registers: [this.registry] }),
    );
    return new BoundHistogram(metric as Histogram, this.app);
  }

  /** Process metrics (CPU, memory, event loop lag), once per registry. */
  collectProcessMetrics(): void {
    if (!this.registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: this.registry });
  }

  /** The Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private getOrCreate(name: string, create: () => unknown): unknown {
    return this.registry.getSingleMetric(name) ?? create();
  }
}

export class BoundCounter {
  constructor(
    private readonly metric: Counter,
    private readonly app: string,
  ) {}

  inc(labels: Labels = {}, value = 1): void {
    this.metric.inc({ ...labels, app: this.app }, value);
  }

  async value(labels: Labels = {}): Promise<number> {
    return sumMatching(await this.metric.get(), { ...labels, app: this.app });
  }
}

export class BoundGauge {
  constructor(
    private readonly metric: Gauge,
    private readonly app: string,
  ) {}

  set(value: number, labels: Labels = {}): void {
    this.metric.set({ ...labels, app: this.app }, value);
  }

  inc(labels: Labels = {}, value = 1): void {
    this.metric.inc({ ...labels, app: this.app }, value);
  }

  dec(labels: Labels = {}, value = 1): void {
    this.metric.dec({ ...labels, app: this.app }, value);
  }

  async value(labels: Labels = {}): Promise<number> {
    return sumMatching(await this.metric.get(), { ...labels, app: this.app });
  }
}

export class BoundHistogram {
  constructor(
    private readonly metric: Histogram,
    private readonly app: string,
  ) {}

  observe(value: number, labels: Labels = {}): void {
    this.metric.observe({ ...labels, app: this.app }, value);
  }
}

function sumMatching(data: { values: { value: number; labels: Partial<Labels> }[] }, labels: Labels): number {
  let sum = 0;
  for (const v of data.values) {
    if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === String(want))) sum += v.value;
  }
  return sum;
}
export { metricSum, fetchMetricsText } from './exposition';
