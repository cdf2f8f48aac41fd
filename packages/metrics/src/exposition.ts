/**
 * Reading another process's /metrics (the Prometheus text exposition every app serves): what the
 * fleet test and the pipeline benchmarks check the apps by.
 */

/** Sum of a metric's samples whose labels `match` accepts (0 when there are none). */
export function metricSum(text: string, name: string, match: (labels: Record<string, string>) => boolean = () => true): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    if (match(labels)) sum += Number(m[3]);
  }
  return sum;
}

/** The /metrics text of the app whose ops server listens on `port` (127.0.0.1). */
export async function fetchMetricsText(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET /metrics on port ${port}: HTTP ${res.status}`);
  return res.text();
}
