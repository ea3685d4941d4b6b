import type { ChartOption } from './common.js';
import { axisStyle, emptyOption } from './common.js';
import { CHART_THEMES, methodColor, type ChartTheme } from './palette.js';

/** A prunable layer of a ticket (tickets.get layers[]). */
export interface LayerIn {
  readonly name: string;
  readonly weights: number;
  readonly sparsity: number;
}

/**
 * Per-layer sparsity as horizontal bars in %, layers top to bottom in network order, each labelled
 * with its weight count so a 90 %-pruned 300-weight head reads differently from a 235K-weight layer.
 */
export function layerSparsityOption(layers: readonly LayerIn[], method = 'imp', theme: ChartTheme = CHART_THEMES.light): ChartOption {
  if (layers.length === 0) return emptyOption('This ticket has no prunable layers', theme);
  const names = layers.map((l) => `${l.name} (${compact(l.weights)})`);
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    grid: { left: 8, right: 56, top: 8, bottom: 32, containLabel: true },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: number) => `${Number(v).toFixed(2)} %` },
    xAxis: { type: 'value', min: 0, max: 100, name: 'pruned (%)', nameLocation: 'middle', nameGap: 22, ...axisStyle(theme) },
    yAxis: { type: 'category', inverse: true, data: names, ...axisStyle(theme) },
    series: [
      {
        name: 'sparsity',
        type: 'bar',
        data: layers.map((l) => l.sparsity * 100),
        itemStyle: { color: methodColor(method) },
        barMaxWidth: 22,
        label: { show: true, position: 'right', color: theme.text, formatter: (p: { value: number }) => `${p.value.toFixed(1)} %` },
      },
    ],
  };
}

/** 235200 → "235K", 1200000 → "1.2M". */
export function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}K`;
  return String(n);
}
