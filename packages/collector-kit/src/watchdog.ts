/**
 * How often a link's watchdog looks at its timeouts: five times per the shortest one, so a timeout
 * is noticed at most a fifth late, yet no more often than every 5 ms and at least every 250 ms.
 */
export function watchdogIntervalMs(...timeoutsMs: number[]): number {
  return Math.max(5, Math.min(250, Math.floor(Math.min(...timeoutsMs) / 5)));
}
