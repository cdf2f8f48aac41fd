/** Reading optional proto numbers on the per-frame path, where NaN stands for "not sent". */

/** An optional proto number as a plain number, NaN when the source did not send it. */
export function num(value: number | null | undefined): number {
  return value === null || value === undefined ? Number.NaN : value;
}

/** The value, or 0 for NaN and ±Infinity (for figures that must always be finite). */
export function finiteOr0(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
