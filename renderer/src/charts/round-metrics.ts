import type { ChartOption } from './common.js';
import { axisStyle, emptyOption } from './common.js';
import { CHART_THEMES, methodColor, type ChartTheme } from './palette.js';

/** A finished round's figures (runs.get rounds[], run.roundDone record). */
export interface RoundPoint {
  readonly round: number;
  readonly sparsity: number;
  readonly testAccuracy: number | null;
  readonly valAccuracy?: number | null;
}

/**
 * Accuracy (test, and validation when known) and sparsity per round of one run, in % on one axis
 * (both are fractions): accuracy solid in the method's colour, sparsity as bars behind.
 */
export function roundMetricsOption(rounds: readonly RoundPoint[], method: string, theme: ChartTheme = CHART_THEMES.light): ChartOption {
  if (rounds.length === 0) return emptyOption('No finished round yet', theme);
  const sorted = [...rounds].sort((a, b) => a.round - b.round);
  const color = methodColor(method);
  const pct = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x * 100);
  const series: Record<string, unknown>[] = [
    { id: 'sparsity', name: 'sparsity', type: 'bar', data: sorted.map((r) => [r.round, pct(r.sparsity)]), itemStyle: { color: theme.faint }, barMaxWidth: 24, z: 1 },
    { id: 'test', name: 'test accuracy', type: 'line', data: sorted.map((r) => [r.round, pct(r.testAccuracy)]), itemStyle: { color }, lineStyle: { color, width: 2 }, connectNulls: false, z: 3 },
  ];
  if (sorted.some((r) => r.valAccuracy !== null && r.valAccuracy !== undefined)) {
    series.push({ id: 'val', name: 'val accuracy', type: 'line', data: sorted.map((r) => [r.round, pct(r.valAccuracy)]), itemStyle: { color }, lineStyle: { color, width: 1, type: 'dashed' }, z: 2 });
  }
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    legend: { top: 0, textStyle: { color: theme.text } },
    grid: { left: 48, right: 16, top: 32, bottom: 40 },
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: number | null) => (v === null ? '—' : `${Number(v).toFixed(2)} %`) },
    xAxis: { type: 'value', name: 'round', nameLocation: 'middle', nameGap: 24, minInterval: 1, min: 0, max: Math.max(1, sorted[sorted.length - 1].round), ...axisStyle(theme) },
    yAxis: { type: 'value', min: 0, max: 100, name: '%', ...axisStyle(theme) },
    series,
  };
}
