/**
 * Index ticks for a heatmap axis of n rows or columns: 0 and round steps (1, 2, 5 × 10^k) giving
 * at most `count` labels, each with its position as a fraction of the axis (the start of its cells).
 */
export function axisTicks(n: number, count = 6): { value: number; at: number }[] {
  if (!(n >= 1)) return [];
  const raw = n / Math.max(1, count - 1);
  const decade = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  const step = [1, 2, 5, 10].map((m) => m * decade).find((s) => s >= raw) ?? 10 * decade;
  const ticks: { value: number; at: number }[] = [];
  for (let v = 0; v < n; v += Math.max(1, step)) ticks.push({ value: v, at: v / n });
  return ticks;
}
