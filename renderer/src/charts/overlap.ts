import type { ChartOption } from './common.js';
import { axisStyle, emptyOption } from './common.js';
import { CHART_THEMES, type ChartTheme } from './palette.js';

/** Overlap of two tickets in one layer (tickets.compare layers[]). */
export interface LayerOverlapIn {
  readonly layer: string;
  readonly jaccard: number;
  readonly expectedRandom: number;
}

/** Colour of the measured overlap and of the random-mask expectation. */
export const OVERLAP_COLORS = { measured: '#009E73', random: '#9AA5B1' } as const;

/**
 * Per-layer Jaccard of two tickets' kept weights next to what independent random masks with the
 * same sparsities would share: two bars per layer, on a 0..1 axis.
 */
export function overlapOption(layers: readonly LayerOverlapIn[], theme: ChartTheme = CHART_THEMES.light): ChartOption {
  if (layers.length === 0) return emptyOption('Pick two tickets of the same architecture', theme);
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    legend: { top: 0, textStyle: { color: theme.text } },
    grid: { left: 48, right: 16, top: 36, bottom: 56 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => Number(v).toFixed(3) },
    xAxis: { type: 'category', data: layers.map((l) => l.layer), axisLabel: { color: theme.muted, interval: 0, rotate: layers.length > 6 ? 30 : 0 }, axisLine: { lineStyle: { color: theme.muted } } },
    yAxis: { type: 'value', min: 0, max: 1, name: 'Jaccard', ...axisStyle(theme) },
    series: [
      { name: 'tickets', type: 'bar', data: layers.map((l) => l.jaccard), itemStyle: { color: OVERLAP_COLORS.measured }, barMaxWidth: 28 },
      { name: 'random masks (expected)', type: 'bar', data: layers.map((l) => l.expectedRandom), itemStyle: { color: OVERLAP_COLORS.random }, barMaxWidth: 28 },
    ],
  };
}
