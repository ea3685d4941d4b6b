import type { ChartOption } from './common.js';
import { axisStyle, emptyOption } from './common.js';
import { DIFF_COLORS } from '../heatmap/values.js';
import { CHART_THEMES, type ChartTheme } from './palette.js';
import { compact } from './layer-sparsity.js';

/** One layer of two tickets' difference (tickets.diff layers[]). */
export interface LayerDiffIn {
  readonly layer: string;
  readonly weights: number;
  readonly both: number;
  readonly onlyA: number;
  readonly onlyB: number;
}

const rgb = (c: readonly number[]): string => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

/**
 * Per layer, the share of its weights kept by both tickets, only by A and only by B, as stacked
 * horizontal bars in % of the layer (the rest, kept by neither, is the empty part of the bar), with
 * the counts in the tooltip. Colours are the difference heatmaps'.
 */
export function maskDiffOption(layers: readonly LayerDiffIn[], names: { a: string; b: string }, theme: ChartTheme = CHART_THEMES.light, dark = false): ChartOption {
  if (layers.length === 0) return emptyOption('Pick two tickets of the same architecture', theme);
  const colors = DIFF_COLORS[dark ? 'dark' : 'light'];
  const parts = [
    { key: 'both', name: 'kept by both', color: rgb(colors.both) },
    { key: 'onlyA', name: `only ${names.a}`, color: rgb(colors.onlyA) },
    { key: 'onlyB', name: `only ${names.b}`, color: rgb(colors.onlyB) },
  ] as const;
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    legend: { top: 0, textStyle: { color: theme.text } },
    grid: { left: 8, right: 24, top: 32, bottom: 32, containLabel: true },
    tooltip: {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: 'shadow' },
      formatter: (ps: { dataIndex: number }[]) => {
        const l = layers[ps[0]?.dataIndex ?? 0];
        const row = (label: string, v: number): string => `${label}: ${v.toLocaleString('en-US')} (${((v / l.weights) * 100).toFixed(1)} %)`;
        return [`<strong>${l.layer}</strong> (${l.weights.toLocaleString('en-US')} weights)`, row('kept by both', l.both), row(`only ${names.a}`, l.onlyA), row(`only ${names.b}`, l.onlyB), row('neither', l.weights - l.both - l.onlyA - l.onlyB)].join('<br/>');
      },
    },
    xAxis: { type: 'value', min: 0, max: 100, name: '% of the layer’s weights', nameLocation: 'middle', nameGap: 22, ...axisStyle(theme) },
    yAxis: { type: 'category', inverse: true, data: layers.map((l) => `${l.layer} (${compact(l.weights)})`), ...axisStyle(theme) },
    series: parts.map((p) => ({ id: p.key, name: p.name, type: 'bar', stack: 'kept', data: layers.map((l) => (l[p.key] / l.weights) * 100), itemStyle: { color: p.color }, barMaxWidth: 22 })),
  };
}
