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

/**
 * The training loss of a run: one line per (round, phase) over its iterations, so each round's
 * training restarts at iteration 0 and rounds can be compared; the latest round is drawn on top and
 * opaque, earlier ones fade. Null losses (diverged or not yet known) leave gaps.
 */
export function lossCurveOption(points: readonly LossPoint[], theme: ChartTheme = CHART_THEMES.light, color = '#0072B2'): ChartOption {
  const usable = points.filter((p) => p.loss !== null && Number.isFinite(p.loss));
  if (usable.length === 0) return emptyOption('No loss recorded yet', theme);
  const groups = new Map<string, { round: number; phase: string; data: [number, number][] }>();
  for (const p of usable) {
    const key = `${p.round}\u0000${p.phase}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { round: p.round, phase: p.phase, data: [] }));
    g.data.push([p.iteration, p.loss as number]);
  }
  const list = [...groups.values()].sort((a, b) => a.round - b.round || a.phase.localeCompare(b.phase));
  const lastRound = list[list.length - 1].round;
  const series = list.map((g) => {
    g.data.sort((a, b) => a[0] - b[0]);
    const current = g.round === lastRound;
    const name = g.phase === 'train' ? `round ${g.round}` : `round ${g.round} · ${g.phase}`;
    return {
      name,
      type: 'line',
      data: g.data,
      showSymbol: false,
      sampling: 'lttb',
      lineStyle: { width: current ? 2 : 1, color, opacity: current ? 1 : 0.25 + 0.5 * (g.round / Math.max(1, lastRound)) },
      itemStyle: { color },
      z: current ? 3 : 2,
    };
  });
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    grid: { left: 56, right: 16, top: 30, bottom: 44 },
    tooltip: { trigger: 'axis', valueFormatter: (v: number) => Number(v).toFixed(4) },
    xAxis: { type: 'value', name: 'iteration in round', nameLocation: 'middle', nameGap: 26, ...axisStyle(theme) },
    yAxis: { type: 'value', name: 'loss', scale: true, ...axisStyle(theme) },
    series,
  };
}
