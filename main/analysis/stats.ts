/** Mean, sample standard deviation and count of a set of values (one per seed). */
export interface Stat {
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 when n = 1. */
  readonly std: number;
  readonly n: number;
}

/** Mean ± sample std of the values, or null when there are none. */
export function stat(values: readonly number[]): Stat | null {
  const n = values.length;
  if (n === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n === 1) return { mean, std: 0, n };
  let squares = 0;
  for (const v of values) squares += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(squares / (n - 1)), n };
}

/** Stat of the non-null values, or null when every value is null. */
export function statOfPresent(values: readonly (number | null | undefined)[]): Stat | null {
  return stat(values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
}
