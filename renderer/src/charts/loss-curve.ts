import type { ChartOption } from './common.js';
import { axisStyle, emptyOption } from './common.js';
import { CHART_THEMES, type ChartTheme } from './palette.js';

/** A sampled batch loss (runs.get curve[], or a run.progress event). */
export interface LossPoint {
  readonly round: number;
  readonly phase: string;
  readonly iteration: number;
  readonly loss: number | null;
}

/** How the loss chart is drawn. */
export interface LossCurveSettings {
  /** Line colour of the compact chart (the method's). */
  readonly color?: string;
  /** Exponential-moving-average weight 0 … 0.99 (TensorBoard's smoothing, debiased); 0 draws the raw losses. */
  readonly smoothing?: number;
  readonly logScale?: boolean;
  /** Series names the user switched off in the legend. */
  readonly hidden?: readonly string[];
  /** The live card's chart: no legend, one colour, earlier rounds faded. */
  readonly compact?: boolean;
}

/** One line of the chart: a round's training phase. */
export interface LossSeries {
  readonly name: string;
  readonly round: number;
  readonly phase: string;
  readonly data: [number, number][];
}

/**
 * The series name of a (round, phase): "round 3" for IMP's training, "round 3 · partition 1/2"
 * and "round 3 · evaluate" for COLT's partition trainings and its ticket evaluation.
 */
export function seriesName(round: number, phase: string): string {
  return phase === 'train' ? `round ${round}` : `round ${round} · ${phase}`;
}

/** Debiased exponential moving average (as TensorBoard smooths scalars); weight 0 returns the values. */
export function smooth(values: readonly number[], weight: number): number[] {
  const w = Math.min(0.999, Math.max(0, weight));
  if (w === 0) return [...values];
  let last = 0;
  let n = 0;
  return values.map((v) => {
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}

/** Groups points into one line per (round, phase), ordered by round then phase, each sorted by iteration. */
export function lossSeries(points: readonly LossPoint[], smoothing = 0, logScale = false): LossSeries[] {
  const groups = new Map<string, LossSeries>();
  for (const p of points) {
    if (p.loss === null || !Number.isFinite(p.loss) || (logScale && p.loss <= 0)) continue;
    const key = `${p.round}\u0000${p.phase}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { name: seriesName(p.round, p.phase), round: p.round, phase: p.phase, data: [] }));
    g.data.push([p.iteration, p.loss]);
  }
  const list = [...groups.values()].sort((a, b) => a.round - b.round || phaseRank(a.phase) - phaseRank(b.phase) || a.phase.localeCompare(b.phase));
  for (const g of list) {
    g.data.sort((a, b) => a[0] - b[0]);
    if (smoothing > 0) {
      const s = smooth(
        g.data.map((d) => d[1]),
        smoothing,
      );
      g.data.forEach((d, i) => (d[1] = s[i]));
    }
  }
  return list;
}

/** Training first, then partitions in order, the ticket evaluation last. */
function phaseRank(phase: string): number {
  if (phase === 'train') return 0;
  if (phase.startsWith('partition')) return 1;
  return 2;
}

/** A colour for each of n rounds, dark to light along a viridis-like ramp (ordered, colour-blind safe). */
export function roundColors(n: number): string[] {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [218, 190, 32],
  ];
  return Array.from({ length: n }, (_, i) => {
    const t = n <= 1 ? 0 : i / (n - 1);
    const x = t * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(x));
    const f = x - k;
    const c = stops[k].map((v, j) => Math.round(v + (stops[k + 1][j] - v) * f));
    return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
  });
}

/** The dash of a phase: training and partition 1 solid, other partitions dashed, the evaluation dotted. */
export function phaseDash(phase: string): 'solid' | 'dashed' | 'dotted' | number[] {
  if (phase === 'train') return 'solid';
  const m = /^partition (\d+)/.exec(phase);
  if (m) return Number(m[1]) === 1 ? 'solid' : Number(m[1]) === 2 ? 'dashed' : [2, 2, 8, 2];
  return 'dotted';
}

/** The axis tooltip: the lines at the hovered iteration, latest round first, at most `limit` of them. */
export function lossTooltip(params: readonly { seriesName: string; value: [number, number]; color: string }[], limit = 8): string {
  if (params.length === 0) return '';
  const rows = [...params].reverse().slice(0, limit);
  const head = `iteration ${params[0].value[0]}`;
  const more = params.length > limit ? `<br/>… ${params.length - limit} more` : '';
  return `${head}<br/>${rows.map((p) => `<span style="color:${p.color}">●</span> ${p.seriesName}: ${Number(p.value[1]).toFixed(4)}`).join('<br/>')}${more}`;
}

/**
 * The training loss of a run: one line per (round, phase) over its iterations, so each round's
 * training restarts at iteration 0 and rounds can be compared. The full chart colours rounds along
 * an ordered ramp and phases by dash (COLT's partitions and ticket evaluation), with a scrolling
 * legend whose entries switch lines on and off, optional smoothing and a log loss axis; the
 * tooltip stays inside the chart. The compact chart (live cards) draws the latest round on top in
 * the method's colour and fades earlier ones. Null losses leave gaps.
 */
export function lossCurveOption(points: readonly LossPoint[], theme: ChartTheme = CHART_THEMES.light, settings: LossCurveSettings = {}): ChartOption {
  const list = lossSeries(points, settings.smoothing ?? 0, settings.logScale ?? false);
  if (list.length === 0) return emptyOption('No loss recorded yet', theme);
  const compact = settings.compact ?? false;
  const color = settings.color ?? '#0072B2';
  const lastRound = list[list.length - 1].round;
  const rounds = [...new Set(list.map((s) => s.round))];
  const ramp = roundColors(rounds.length);
  const hidden = new Set(settings.hidden ?? []);
  const series = list.map((g) => {
    const current = g.round === lastRound;
    const c = compact ? color : ramp[rounds.indexOf(g.round)];
    return {
      id: g.name,
      name: g.name,
      type: 'line',
      data: g.data,
      showSymbol: false,
      sampling: 'lttb',
      lineStyle: { width: current ? 2 : 1.2, color: c, type: phaseDash(g.phase), opacity: compact && !current ? 0.25 + 0.5 * (g.round / Math.max(1, lastRound)) : 1 },
      itemStyle: { color: c },
      z: current ? 3 : 2,
    };
  });
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    legend: compact
      ? { show: false }
      : { type: 'scroll', top: 0, left: 0, right: 0, textStyle: { color: theme.text }, pageTextStyle: { color: theme.muted }, selected: Object.fromEntries(list.map((s) => [s.name, !hidden.has(s.name)])) },
    grid: compact ? { left: 48, right: 12, top: 16, bottom: 40 } : { left: 56, right: 16, top: 58, bottom: 44 },
    tooltip: { trigger: 'axis', confine: true, formatter: lossTooltip },
    xAxis: { type: 'value', name: 'iteration in round', nameLocation: 'middle', nameGap: 26, ...axisStyle(theme) },
    yAxis: { type: settings.logScale ? 'log' : 'value', name: settings.smoothing ? `loss (smoothed ${settings.smoothing})` : 'loss', scale: true, ...axisStyle(theme) },
    series,
  };
}
