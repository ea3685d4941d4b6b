import type { ChartOption } from './common.js';
import { axisStyle, emptyOption, percent } from './common.js';
import { CHART_THEMES, METHOD_ORDER, methodColor, methodLabel, type ChartTheme } from './palette.js';

/** Mean, standard deviation and count over seeds (the contract's stat). */
export interface Stat {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** One round of a method's series (comparisons.get series[].points[]). */
export interface SeriesPointIn {
  readonly round: number;
  readonly remaining: Stat;
  readonly testAccuracy: Stat | null;
  readonly sparsity?: Stat;
}

/** A method's series (comparisons.get series[]). */
export interface MethodSeriesIn {
  readonly method: string;
  readonly points: readonly SeriesPointIn[];
}

/** x (remaining weights in %, the log axis) and y (accuracy in %) of a band edge or the mean. */
export type XY = [number, number];

/** The mean line and the ±std band of one method, in chart units (percent), with each point's round and spreads. */
export interface MethodLines {
  readonly method: string;
  readonly mean: XY[];
  readonly lower: XY[];
  readonly upper: XY[];
  /** Per point: its round, the std of remaining weights and accuracy (in %), and how many seeds it averages. */
  readonly points: { readonly round: number; readonly remainingStd: number; readonly accuracyStd: number; readonly n: number }[];
}

/**
 * The lines of one method: x = remaining weights in % (log-scaled in the chart), y = test accuracy
 * in %, band = mean ± std over seeds. Rounds without an accuracy are skipped; points sorted by x
 * descending (dense first), and remaining 0 is clamped to the axis floor since log(0) is undefined.
 */
export function methodLines(series: MethodSeriesIn, floor = 0.01): MethodLines {
  const points = series.points
    .filter((p) => p.testAccuracy !== null && Number.isFinite(p.testAccuracy.mean))
    .map((p) => ({ x: Math.max(p.remaining.mean * 100, floor), acc: p.testAccuracy as Stat, round: p.round, remainingStd: p.remaining.std * 100 }))
    .sort((a, b) => b.x - a.x);
  return {
    method: series.method,
    mean: points.map((p) => [p.x, p.acc.mean * 100]),
    lower: points.map((p) => [p.x, (p.acc.mean - p.acc.std) * 100]),
    upper: points.map((p) => [p.x, (p.acc.mean + p.acc.std) * 100]),
    points: points.map((p) => ({ round: p.round, remainingStd: p.remainingStd, accuracyStd: p.acc.std * 100, n: p.acc.n })),
  };
}

/**
 * Accuracy vs sparsity for every method (COLT, IMP, the random control, reinit): x = remaining
 * weights on a log axis running from dense (100 %) on the left to sparse on the right, as in the LTH
 * paper; a line per method with its mean ± std band (a transparent lower edge plus the band's
 * height stacked on it, filled; all three share the method's name so its legend entry toggles them together),
 * and the dense network's accuracy as a dashed line.
 */
export function accuracyVsSparsityOption(series: readonly MethodSeriesIn[], dense: Stat | null, theme: ChartTheme = CHART_THEMES.light): ChartOption {
  const ordered = [...series].sort((a, b) => rank(a.method) - rank(b.method));
  const lines = ordered.map((s) => methodLines(s)).filter((l) => l.mean.length > 0);
  if (lines.length === 0) return emptyOption('No rounds with a test accuracy yet', theme);
  const xs = lines.flatMap((l) => l.mean.map((p) => p[0]));
  const minX = Math.min(...xs);
  const out: Record<string, unknown>[] = [];
  for (const l of lines) {
    const color = methodColor(l.method);
    const label = methodLabel(l.method);
    const stack = `band-${l.method}`;
    out.push({
      name: label,
      itemStyle: { color },
      type: 'line',
      data: l.lower,
      stack,
      symbol: 'none',
      lineStyle: { opacity: 0 },
      tooltip: { show: false },
      silent: true,
      z: 1,
    });
    out.push({
      name: label,
      itemStyle: { color },
      type: 'line',
      // Stacked on the lower edge: the band's height is 2·std, so its top edge sits at mean + std.
      data: l.upper.map((p, i): XY => [p[0], p[1] - l.lower[i][1]]),
      stack,
      symbol: 'none',
      lineStyle: { opacity: 0 },
      areaStyle: { color, opacity: 0.18 },
      tooltip: { show: false },
      silent: true,
      z: 1,
    });
    out.push({
      name: label,
      type: 'line',
      // Each point carries its method, round and spreads for the tooltip.
      data: l.mean.map((p, i) => ({ value: p, method: label, ...l.points[i] })),
      symbol: 'circle',
      symbolSize: 6,
      itemStyle: { color },
      lineStyle: { color, width: 2 },
      z: 3,
    });
  }
  if (dense !== null) {
    out.push({
      name: 'Dense',
      type: 'line',
      data: [
        [100, dense.mean * 100],
        [Math.min(minX, 100), dense.mean * 100],
      ],
      symbol: 'none',
      lineStyle: { type: 'dashed', color: theme.muted, width: 1 },
      itemStyle: { color: theme.muted },
      z: 2,
    });
  }
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    legend: { data: [...lines.map((l) => methodLabel(l.method)), ...(dense ? ['Dense'] : [])], textStyle: { color: theme.text }, top: 0 },
    grid: { left: 56, right: 24, top: 40, bottom: 48 },
    tooltip: { trigger: 'item', confine: true, formatter: pointTooltip },
    xAxis: {
      type: 'log',
      logBase: 10,
      inverse: true,
      name: 'weights remaining (%)',
      nameLocation: 'middle',
      nameGap: 28,
      min: niceLogFloor(minX),
      max: 100,
      ...axisStyle(theme),
      // ECharts puts log-axis labels only at powers of ten (two labels for 100 → 20 %): give it real ticks.
      axisLabel: { color: theme.muted, formatter: remainingTick, customValues: logTicks(niceLogFloor(minX), 100) },
      axisTick: { customValues: logTicks(niceLogFloor(minX), 100) },
    },
    yAxis: { type: 'value', name: 'test accuracy (%)', scale: true, ...axisStyle(theme) },
    series: out,
  };
}

/** A point of a mean line as the tooltip receives it. */
export interface PointParams {
  readonly color?: string;
  readonly data: { readonly value: XY; readonly method: string; readonly round: number; readonly remainingStd: number; readonly accuracyStd: number; readonly n: number };
}

/** The tooltip of one point: method, round, weights remaining and test accuracy, each ± std over n seeds. */
export function pointTooltip(p: PointParams): string {
  const d = p.data;
  const pm = (mean: number, std: number, digits: number): string => (d.n > 1 ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)} %` : `${mean.toFixed(digits)} %`);
  return [
    `<span style="color:${p.color ?? 'inherit'}">●</span> <strong>${d.method}</strong>, round ${d.round}${d.n > 1 ? ` (${d.n} seeds, ± sample std)` : ' (1 seed)'}`,
    `weights remaining ${pm(d.value[0], d.remainingStd, d.value[0] < 1 ? 3 : 2)}`,
    `test accuracy ${pm(d.value[1], d.accuracyStd, 2)}`,
  ].join('<br/>');
}

/**
 * Ticks for the remaining-weights log axis from `min` to `max` (percent): 1-2-5 steps per decade,
 * or finer steps (…, 40, 50, 60, 80, 100) when the range spans too little of a decade for four
 * labels; at most nine.
 */
export function logTicks(min: number, max: number): number[] {
  const ladders = [
    [1, 2, 5],
    [1, 1.5, 2, 3, 4, 5, 6, 8],
    [1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9],
  ];
  let ticks: number[] = [];
  for (const ladder of ladders) {
    ticks = [];
    for (let k = Math.floor(Math.log10(min)) - 1; k <= Math.ceil(Math.log10(max)); k++) {
      for (const m of ladder) {
        const v = Number((m * 10 ** k).toPrecision(6));
        if (v >= min - 1e-9 && v <= max + 1e-9) ticks.push(v);
      }
    }
    if (ticks.length >= 4) break;
  }
  ticks = [...new Set(ticks)].sort((a, b) => b - a);
  while (ticks.length > 9) ticks = ticks.filter((_, i) => i % 2 === 0);
  return ticks;
}

/** The remaining-weights label of a sparsity (0.8 → "20 %"). */
export function remainingLabel(sparsity: number): string {
  return percent(1 - sparsity);
}

/** The log axis' lower end: the largest of 1-2-5 × 10^k at or below the sparsest point (54.4 → 50, 3.1 → 2). */
export function niceLogFloor(minRemaining: number): number {
  const x = Math.max(minRemaining, 0.01);
  const decade = 10 ** Math.floor(Math.log10(x));
  for (const m of [5, 2, 1]) if (m * decade <= x + 1e-9) return Math.min(100, m * decade);
  return decade;
}

/** A remaining-weights tick: 100, 51.2, 6.87, 0.43 (three significant digits at most). */
export function remainingTick(value: number): string {
  return String(Number(value.toPrecision(3)));
}

function rank(method: string): number {
  const i = (METHOD_ORDER as readonly string[]).indexOf(method);
  return i < 0 ? METHOD_ORDER.length : i;
}
