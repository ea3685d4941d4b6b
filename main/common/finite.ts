/** A finite number, or null where the value is unknown or not finite (JSON has no NaN or Infinity). */
export function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}
