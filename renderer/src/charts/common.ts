import type { ChartTheme } from './palette.js';
import { CHART_THEMES } from './palette.js';

/** An ECharts option as plain data (the component passes it to setOption unchanged). */
export type ChartOption = Record<string, unknown> & { series: Record<string, unknown>[] };

/** The text shown in place of a chart that has nothing to draw. */
export function emptyOption(message: string, theme: ChartTheme = CHART_THEMES.light): ChartOption {
  return {
    backgroundColor: theme.background,
    title: { text: message, left: 'center', top: 'middle', textStyle: { color: theme.muted, fontSize: 14, fontWeight: 'normal' } },
    xAxis: { show: false },
    yAxis: { show: false },
    series: [],
  };
}

/** Axis styling shared by the charts. */
export function axisStyle(theme: ChartTheme): Record<string, unknown> {
  return {
    axisLine: { lineStyle: { color: theme.muted } },
    axisLabel: { color: theme.muted },
    nameTextStyle: { color: theme.muted },
    splitLine: { lineStyle: { color: theme.grid } },
  };
}

/** A fraction as a percentage with sensible digits (0.2 → "20 %", 0.0123 → "1.23 %"). */
export function percent(x: number | null | undefined, digits?: number): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  const p = x * 100;
  const d = digits ?? (Math.abs(p) >= 10 ? 1 : Math.abs(p) >= 1 ? 2 : 3);
  return `${p.toFixed(d)} %`;
}
