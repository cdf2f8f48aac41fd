/** Reading optional proto numbers on the per-frame path, where NaN stands for "not sent". */

/**
 * An optional proto number as a plain number; NaN when the source did not send it, and also for
 * NaN or ±Infinity on the wire (a float field can carry them), so a broken channel reads as absent
 * instead of poisoning every sum it touches.
 */
export function num(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

/** The value, or 0 for NaN and ±Infinity (for figures that must always be finite). */
export function finiteOr0(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
