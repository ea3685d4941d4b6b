import type { ChartOption } from './common.js';
import { axisStyle, emptyOption, percent } from './common.js';
import { phaseDash, roundColors, seriesName } from './loss-curve.js';
import { CHART_THEMES, type ChartTheme } from './palette.js';

/** One evaluated point of a round's training, as runs.get gives it (round.evaluations[]). */
export interface EvaluationPoint {
  readonly phase: string;
  readonly iteration: number;
  readonly epoch: number;
  readonly testAccuracy: number | null;
  readonly valAccuracy: number | null;
  readonly selected: boolean;
}

/** A stored round with its evaluated points. */
export interface RoundEvaluations {
  readonly round: number;
  readonly evaluations: readonly EvaluationPoint[];
}

/** Which accuracy the curves show. */
export type AccuracyKind = 'test' | 'val';

/** One line: a round's training phase, its points as [epoch, accuracy, iteration]. */
export interface AccuracySeries {
  readonly name: string;
  readonly round: number;
  readonly phase: string;
  readonly data: [number, number, number][];
  /** The point the selection rule picked (what the round reports), if it is on this line. */
  readonly selected?: [number, number, number];
  /** The untrained ticket (iteration 0), if it was evaluated. */
  readonly untrained?: [number, number, number];
}

/** Groups every round's evaluated points into one line per (round, phase), sorted by iteration; points without the accuracy are left out. */
export function accuracySeries(rounds: readonly RoundEvaluations[], kind: AccuracyKind = 'test'): AccuracySeries[] {
  const out: AccuracySeries[] = [];
  for (const r of [...rounds].sort((a, b) => a.round - b.round)) {
    const phases = new Map<string, EvaluationPoint[]>();
    for (const e of r.evaluations) {
      const list = phases.get(e.phase) ?? [];
      list.push(e);
      phases.set(e.phase, list);
    }
    for (const [phase, points] of phases) {
      const data: [number, number, number][] = [];
      let selected: [number, number, number] | undefined;
      let untrained: [number, number, number] | undefined;
      for (const e of [...points].sort((a, b) => a.iteration - b.iteration)) {
        const acc = kind === 'test' ? e.testAccuracy : e.valAccuracy;
        if (acc === null || !Number.isFinite(acc)) continue;
        const point: [number, number, number] = [e.epoch, acc, e.iteration];
        data.push(point);
        if (e.selected) selected = point;
        if (e.iteration === 0) untrained = point;
      }
      if (data.length > 0) out.push({ name: seriesName(r.round, phase), round: r.round, phase, data, ...(selected ? { selected } : {}), ...(untrained ? { untrained } : {}) });
    }
  }
  return out;
}

/**
 * Accuracy while each round trains: one line per round and phase over epochs, the untrained
 * ticket (iteration 0, the "supermask" accuracy) drawn as an open circle and the point the
 * selection rule picked (the round's reported accuracy) as a filled diamond. Rounds are coloured
 * along the loss chart's ramp and phases dashed as there, so the two charts read alike.
 */
export function accuracyCurvesOption(rounds: readonly RoundEvaluations[], theme: ChartTheme = CHART_THEMES.light, kind: AccuracyKind = 'test'): ChartOption {
  const list = accuracySeries(rounds, kind);
  if (list.length === 0) return emptyOption(`No ${kind === 'test' ? 'test' : 'validation'} accuracy evaluated yet`, theme);
  const roundsSeen = [...new Set(list.map((s) => s.round))];
  const ramp = roundColors(roundsSeen.length);
  const series = list.map((s) => {
    const color = ramp[roundsSeen.indexOf(s.round)];
    const marks = [
      ...(s.untrained ? [{ name: 'untrained', coord: s.untrained, symbol: 'emptyCircle', symbolSize: 9 }] : []),
      ...(s.selected ? [{ name: 'selected', coord: s.selected, symbol: 'diamond', symbolSize: 11 }] : []),
    ];
    return {
      id: s.name,
      name: s.name,
      type: 'line',
      data: s.data,
      showSymbol: s.data.length <= 40,
      symbolSize: 4,
      lineStyle: { width: 1.5, color, type: phaseDash(s.phase) },
      itemStyle: { color },
      markPoint: { data: marks, label: { show: false }, itemStyle: { color } },
    };
  });
  return {
    backgroundColor: theme.background,
    animation: false,
    textStyle: { color: theme.text },
    legend: { type: 'scroll', top: 0, left: 0, right: 0, textStyle: { color: theme.text }, pageTextStyle: { color: theme.muted } },
    grid: { left: 56, right: 16, top: 58, bottom: 44 },
    tooltip: { trigger: 'item', confine: true, formatter: accuracyTooltip },
    xAxis: { type: 'value', name: 'epoch in round', nameLocation: 'middle', nameGap: 26, ...axisStyle(theme) },
    yAxis: { type: 'value', name: `${kind === 'test' ? 'test' : 'validation'} accuracy`, scale: true, ...axisStyle(theme), axisLabel: { color: theme.muted, formatter: (v: number) => percent(v, 0) } },
    series,
  };
}

/** The tooltip of a point: its line, epoch, iteration and accuracy, and whether it is the untrained or the selected one. */
export function accuracyTooltip(p: { seriesName: string; name?: string; value?: unknown; data?: unknown; color: string }): string {
  const v = (Array.isArray(p.value) ? p.value : (p.data as { coord?: unknown } | undefined)?.coord) as [number, number, number] | undefined;
  if (!v) return p.seriesName;
  const what = v[2] === 0 ? ' (untrained ticket)' : p.name === 'selected' ? ' (selected: the round reports it)' : '';
  return `<span style="color:${p.color}">●</span> ${p.seriesName}<br/>epoch ${Number(v[0]).toFixed(2)}, iteration ${v[2]}${what}<br/>accuracy ${percent(v[1])}`;
}
