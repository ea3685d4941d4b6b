import type { ChartOption } from './common.js';
import { emptyOption } from './common.js';
import { CHART_THEMES, methodLabel, type ChartTheme } from './palette.js';

/** A row/column of the matrix (experiments.jaccard tickets[]). */
export interface MatrixTicketIn {
  readonly ticketId: number;
  readonly method: string;
  readonly seed: number;
  readonly round: number;
  readonly sparsity: number;
}

/** The matrix as experiments.jaccard answers it. */
export interface JaccardMatrixIn {
  readonly tickets: readonly MatrixTicketIn[];
  readonly n: number;
  readonly jaccard: readonly number[];
  readonly expectedRandom: readonly number[];
}

/** What a cell is coloured by: the Jaccard itself, or how far it lies above what random masks would share. */
export type MatrixColour = 'jaccard' | 'excess';

/** A ticket's axis label: "COLT s0 r3". */
export function ticketLabel(t: MatrixTicketIn): string {
  return `${methodLabel(t.method)} s${t.seed} r${t.round}`;
}

/** The tooltip of a cell [x, y, value]: both tickets, their Jaccard, the random-chance value and the ratio. */
export function matrixTooltip(m: JaccardMatrixIn, x: number, y: number): string {
  const a = m.tickets[y];
  const b = m.tickets[x];
  const j = m.jaccard[y * m.n + x];
  const r = m.expectedRandom[y * m.n + x];
  return `${ticketLabel(a)} (t${a.ticketId}, ${(a.sparsity * 100).toFixed(1)} % pruned) × ${ticketLabel(b)} (t${b.ticketId}, ${(b.sparsity * 100).toFixed(1)} % pruned)<br/>Jaccard ${j.toFixed(3)} · random masks ${r.toFixed(3)}${r > 0 ? ` · ${(j / r).toFixed(2)}× chance` : ''}`;
}

/**
 * The Jaccard matrix of an experiment's tickets as a heatmap: rows and columns in the order given
 * (rounds, then methods, then seeds), each cell coloured by the Jaccard (0 … 1) or by its excess
 * over the random-chance value of the same two sparsities (− … +, white at chance), the tooltip
 * naming both tickets with both numbers.
 */
export function jaccardMatrixOption(m: JaccardMatrixIn, colour: MatrixColour = 'jaccard', theme: ChartTheme = CHART_THEMES.light): ChartOption {
  if (m.n === 0) return emptyOption('No tickets in this experiment yet', theme);
  const labels = m.tickets.map(ticketLabel);
  const data: [number, number, number][] = [];
  let maxExcess = 0;
  for (let y = 0; y < m.n; y++) {
    for (let x = 0; x < m.n; x++) {
      const excess = m.jaccard[y * m.n + x] - m.expectedRandom[y * m.n + x];
      if (x !== y) maxExcess = Math.max(maxExcess, Math.abs(excess));
      data.push([x, y, colour === 'jaccard' ? m.jaccard[y * m.n + x] : excess]);
    }
  }
  const span = Math.max(0.01, Number(maxExcess.toPrecision(2)));
  const small = m.n > 24;
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    grid: { left: 8, right: 80, top: 8, bottom: 8, containLabel: true },
    tooltip: { confine: true, formatter: (p: { value: [number, number, number] }) => matrixTooltip(m, p.value[0], p.value[1]) },
    xAxis: { type: 'category', data: labels, axisLabel: { color: theme.muted, rotate: 60, fontSize: small ? 9 : 11, interval: small ? 'auto' : 0 }, axisTick: { show: false }, splitArea: { show: false } },
    yAxis: { type: 'category', data: labels, inverse: true, axisLabel: { color: theme.muted, fontSize: small ? 9 : 11, interval: small ? 'auto' : 0 }, axisTick: { show: false } },
    visualMap:
      colour === 'jaccard'
        ? { type: 'continuous', min: 0, max: 1, calculable: true, orient: 'vertical', right: 0, top: 'middle', text: ['1', '0'], textStyle: { color: theme.text }, inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] } }
        : { type: 'continuous', min: -span, max: span, calculable: true, orient: 'vertical', right: 0, top: 'middle', text: [`+${span}`, `−${span}`], textStyle: { color: theme.text }, inRange: { color: ['#2166ac', '#f7f7f7', '#b2182b'] } },
    series: [{ id: 'matrix', name: colour === 'jaccard' ? 'Jaccard' : 'Jaccard − random', type: 'heatmap', data, progressive: 0, emphasis: { itemStyle: { borderColor: theme.text, borderWidth: 1 } } }],
  };
}
