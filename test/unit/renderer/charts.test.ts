import { describe, expect, it } from 'vitest';
import { accuracyVsSparsityOption, logTicks, methodLines, niceLogFloor, pointTooltip, remainingTick, type MethodSeriesIn } from '../../../renderer/src/charts/accuracy-vs-sparsity.js';
import { layerSparsityOption, compact } from '../../../renderer/src/charts/layer-sparsity.js';
import { lossCurveOption, lossSeries, lossTooltip, phaseDash, roundColors, seriesName, smooth } from '../../../renderer/src/charts/loss-curve.js';
import { jaccardMatrixOption, matrixTooltip, ticketLabel } from '../../../renderer/src/charts/jaccard-matrix.js';
import { maskDiffOption } from '../../../renderer/src/charts/mask-diff.js';
import { gridToPngDataUri } from '../../../main/report/heatmap-image.js';
import { METHOD_COLOR } from '../../../main/report/charts.js';
import { HEATMAP_COLORS } from '../../../renderer/src/heatmap/pixels.js';
import { PNG } from 'pngjs';
import { overlapOption } from '../../../renderer/src/charts/overlap.js';
import { METHOD_COLORS, methodColor } from '../../../renderer/src/charts/palette.js';
import { roundMetricsOption } from '../../../renderer/src/charts/round-metrics.js';

const stat = (mean: number, std = 0, n = 1) => ({ mean, std, n });

function series(method: string, pts: [remaining: number, acc: number, std: number][]): MethodSeriesIn {
  return { method, points: pts.map(([r, a, s], round) => ({ round, remaining: stat(r), testAccuracy: stat(a, s, 3) })) };
}

const imp = series('imp', [
  [1, 0.86, 0.01],
  [0.8, 0.85, 0.02],
  [0.64, 0.84, 0.005],
]);
const colt = series('colt', [
  [1, 0.86, 0.01],
  [0.7, 0.84, 0.03],
  [0.49, 0.85, 0.01],
]);
const random = series('random', [
  [1, 0.86, 0],
  [0.8, 0.8, 0.04],
]);

type S = { name: string; type: string; data: [number, number][]; stack?: string; areaStyle?: unknown; itemStyle?: { color: string }; lineStyle?: { color?: string } };
const seriesOf = (o: { series: unknown[] }) => o.series as S[];

describe('accuracyVsSparsityOption', () => {
  it('puts remaining weights in % on an inverted log x axis', () => {
    const o = accuracyVsSparsityOption([imp], stat(0.86)) as unknown as { xAxis: { type: string; inverse: boolean; max: number } };
    expect(o.xAxis.type).toBe('log');
    expect(o.xAxis.inverse).toBe(true);
    expect(o.xAxis.max).toBe(100);
    const mean = (o as unknown as { series: { name: string; stack?: string; data: { value: [number, number] }[] }[] }).series.find((s) => s.name === 'IMP' && s.stack === undefined)!;
    expect(mean.data.map((p) => p.value[0])).toEqual([100, 80, 64]);
    expect(mean.data.map((p) => p.value[1])).toEqual([86, 85, 84]);
  });

  it('draws a band whose edges are mean − std and mean + std', () => {
    const o = accuracyVsSparsityOption([colt], null);
    const band = seriesOf(o).filter((s) => s.stack === 'band-colt');
    expect(band).toHaveLength(2);
    const [lower, height] = band;
    expect(height.areaStyle).toBeDefined();
    expect(lower.areaStyle).toBeUndefined();
    const expected = colt.points.map((p) => [(p.testAccuracy!.mean - p.testAccuracy!.std) * 100, (p.testAccuracy!.mean + p.testAccuracy!.std) * 100]);
    lower.data.forEach((p, i) => {
      expect(p[1]).toBeCloseTo(expected[i][0], 10);
      // The stacked series holds the band's height; lower + height is the upper edge.
      expect(p[1] + height.data[i][1]).toBeCloseTo(expected[i][1], 10);
    });
    const l = methodLines(colt);
    expect(l.upper[1][1]).toBeCloseTo(87, 10);
    expect(l.lower[1][1]).toBeCloseTo(81, 10);
  });

  it('gives every method its own colour, the same for its line and band, in the order IMP, COLT, random', () => {
    const o = accuracyVsSparsityOption([random, colt, imp], stat(0.86));
    const byName = new Map<string, Set<string>>();
    for (const s of seriesOf(o)) {
      if (s.name === 'Dense') continue;
      const set = byName.get(s.name) ?? new Set();
      set.add(s.itemStyle!.color);
      byName.set(s.name, set);
    }
    expect([...byName.keys()]).toEqual(['IMP', 'COLT', 'Random']);
    expect([...byName.get('IMP')!]).toEqual([METHOD_COLORS.imp]);
    expect([...byName.get('COLT')!]).toEqual([METHOD_COLORS.colt]);
    expect(new Set([METHOD_COLORS.imp, METHOD_COLORS.colt, METHOD_COLORS.random]).size).toBe(3);
    expect(methodColor('colt')).toBe(methodColor('colt'));
  });

  it('draws the dense accuracy as a dashed line across the sparsities shown', () => {
    const o = accuracyVsSparsityOption([colt], stat(0.9));
    const dense = seriesOf(o).find((s) => s.name === 'Dense')!;
    expect(dense.data).toEqual([
      [100, 90],
      [49, 90],
    ]);
  });

  it('answers an empty chart with a message when there is nothing to draw', () => {
    const o = accuracyVsSparsityOption([], null) as { series: unknown[]; title: { text: string } };
    expect(o.series).toEqual([]);
    expect(o.title.text).toMatch(/No rounds/);
    const noAcc = accuracyVsSparsityOption([{ method: 'imp', points: [{ round: 0, remaining: stat(1), testAccuracy: null }] }], null);
    expect(noAcc.series).toEqual([]);
  });

  it('starts the log axis at a round value just below the sparsest point and labels ticks briefly', () => {
    expect(niceLogFloor(54.42307692307693)).toBe(50);
    expect(niceLogFloor(3.1)).toBe(2);
    expect(niceLogFloor(1.2)).toBe(1);
    expect(niceLogFloor(100)).toBe(100);
    expect(remainingTick(54.42307692307693)).toBe('54.4');
    expect(remainingTick(0.4312)).toBe('0.431');
    const o = accuracyVsSparsityOption([colt], null) as unknown as { xAxis: { min: number } };
    expect(o.xAxis.min).toBe(20);
  });

  it('labels the log axis with at least four round ticks, where ECharts alone shows powers of ten', () => {
    expect(logTicks(50, 100)).toEqual([100, 80, 60, 50]);
    expect(logTicks(20, 100)).toEqual([100, 80, 60, 50, 40, 30, 20]);
    expect(logTicks(20, 100).length).toBeGreaterThanOrEqual(4);
    expect(logTicks(1, 100)).toEqual([100, 50, 20, 10, 5, 2, 1]);
    expect(logTicks(0.01, 100).length).toBeLessThanOrEqual(9);
    const o = accuracyVsSparsityOption([colt], null) as unknown as { xAxis: { axisLabel: { customValues: number[] }; min: number } };
    expect(o.xAxis.axisLabel.customValues.length).toBeGreaterThanOrEqual(4);
    expect(Math.min(...o.xAxis.axisLabel.customValues)).toBeGreaterThanOrEqual(o.xAxis.min);
  });

  it('gives each point a tooltip with its method, round and ± std over the seeds', () => {
    const o = accuracyVsSparsityOption([colt], null) as unknown as { tooltip: { trigger: string; confine: boolean }; series: { stack?: string; data: unknown[] }[] };
    expect(o.tooltip).toMatchObject({ trigger: 'item', confine: true });
    const point = o.series.find((x) => x.stack === undefined)!.data[1] as Parameters<typeof pointTooltip>[0]['data'];
    expect(point).toMatchObject({ method: 'COLT', round: 1, n: 3 });
    const text = pointTooltip({ data: point });
    expect(text).toContain('COLT');
    expect(text).toContain('round 1');
    expect(text).toContain('84.00 ± 3.00 %');
    expect(text).toContain('3 seeds');
    expect(pointTooltip({ data: { ...point, n: 1 } })).not.toContain('±');
  });

  it('clamps a fully pruned point to the log axis floor instead of log(0)', () => {
    const l = methodLines(series('imp', [[0, 0.1, 0]]));
    expect(l.mean[0][0]).toBeGreaterThan(0);
  });
});

describe('lossCurveOption', () => {
  it('draws one line per round over its iterations, skipping null losses', () => {
    const o = lossCurveOption([
      { round: 0, phase: 'train', iteration: 10, loss: 1.2 },
      { round: 0, phase: 'train', iteration: 0, loss: 2.3 },
      { round: 1, phase: 'train', iteration: 0, loss: 2.1 },
      { round: 1, phase: 'train', iteration: 5, loss: null },
    ]);
    const s = seriesOf(o);
    expect(s.map((x) => x.name)).toEqual(['round 0', 'round 1']);
    expect(s[0].data).toEqual([
      [0, 2.3],
      [10, 1.2],
    ]);
    expect(s[1].data).toEqual([[0, 2.1]]);
  });

  it('answers an empty chart with a message when no loss is known', () => {
    expect(lossCurveOption([]).series).toEqual([]);
    expect(lossCurveOption([{ round: 0, phase: 'train', iteration: 0, loss: null }]).series).toEqual([]);
  });
  const colt = [0, 1].flatMap((round) =>
    ['partition 1/2', 'partition 2/2', 'evaluate'].flatMap((phase) => [0, 10, 20].map((iteration) => ({ round, phase, iteration, loss: 2 - iteration / 20 - round / 10 }))),
  );

  it("names COLT's lines by round and phase and tells phases apart by dash, rounds by colour", () => {
    const o = lossCurveOption(colt) as unknown as { series: { name: string; id: string; lineStyle: { type: unknown; color: string } }[]; legend: { type: string; show?: boolean } };
    expect(o.series.map((x) => x.name)).toEqual([
      'round 0 · partition 1/2', 'round 0 · partition 2/2', 'round 0 · evaluate',
      'round 1 · partition 1/2', 'round 1 · partition 2/2', 'round 1 · evaluate',
    ]);
    expect(o.series.map((x) => x.id)).toEqual(o.series.map((x) => x.name));
    expect(o.series.map((x) => x.lineStyle.type)).toEqual(['solid', 'dashed', 'dotted', 'solid', 'dashed', 'dotted']);
    expect(o.series[0].lineStyle.color).not.toBe(o.series[3].lineStyle.color);
    expect(o.legend.type).toBe('scroll');
    expect(seriesName(3, 'train')).toBe('round 3');
    expect(phaseDash('partition 3/4')).toEqual([2, 2, 8, 2]);
    expect(new Set(roundColors(5)).size).toBe(5);
  });

  it('keeps the lines the user switched off in the legend off', () => {
    const o = lossCurveOption(colt, undefined, { hidden: ['round 0 · evaluate'] }) as unknown as { legend: { selected: Record<string, boolean> } };
    expect(o.legend.selected['round 0 · evaluate']).toBe(false);
    expect(o.legend.selected['round 1 · evaluate']).toBe(true);
  });

  it('smooths with a debiased moving average and draws a log loss axis without non-positive losses', () => {
    expect(smooth([1, 1, 1], 0.9)).toEqual([1, 1, 1].map(() => expect.closeTo(1, 12)));
    const s = smooth([0, 10], 0.5);
    expect(s[0]).toBe(0);
    expect(s[1]).toBeCloseTo((0.5 * 0 * 0.5 + 0.5 * 10) / (1 - 0.25), 12);
    expect(smooth([3, 4], 0)).toEqual([3, 4]);
    const logged = lossSeries([{ round: 0, phase: 'train', iteration: 0, loss: 0 }, { round: 0, phase: 'train', iteration: 1, loss: 1 }], 0, true);
    expect(logged[0].data).toEqual([[1, 1]]);
    const o = lossCurveOption(colt, undefined, { logScale: true, smoothing: 0.6 }) as unknown as { yAxis: { type: string; name: string } };
    expect(o.yAxis.type).toBe('log');
    expect(o.yAxis.name).toContain('smoothed');
  });

  it('keeps the tooltip inside the chart and lists at most eight lines, the latest round first', () => {
    const o = lossCurveOption(colt) as unknown as { tooltip: { confine: boolean } };
    expect(o.tooltip.confine).toBe(true);
    const params = Array.from({ length: 12 }, (_, i) => ({ seriesName: `round ${i}`, value: [5, 1 / (i + 1)] as [number, number], color: '#000' }));
    const text = lossTooltip(params);
    expect(text.split('<br/>')).toHaveLength(1 + 8 + 1);
    expect(text.indexOf('round 11')).toBeLessThan(text.indexOf('round 10'));
    expect(text).toContain('4 more');
  });

  it('draws the compact live chart in the method colour with earlier rounds faded and no legend', () => {
    const o = lossCurveOption(colt, undefined, { compact: true, color: '#123456' }) as unknown as { legend: { show: boolean }; series: { lineStyle: { color: string; opacity: number } }[] };
    expect(o.legend.show).toBe(false);
    expect(new Set(o.series.map((x) => x.lineStyle.color))).toEqual(new Set(['#123456']));
    expect(o.series[0].lineStyle.opacity).toBeLessThan(o.series[5].lineStyle.opacity);
  });
});

describe('jaccardMatrixOption', () => {
  const m = {
    tickets: [
      { ticketId: 1, method: 'imp', seed: 0, round: 1, sparsity: 0.2 },
      { ticketId: 2, method: 'colt', seed: 0, round: 1, sparsity: 0.3 },
    ],
    n: 2,
    jaccard: [1, 0.6, 0.6, 1],
    expectedRandom: [0.667, 0.5, 0.5, 0.583],
  };

  it('has one cell per pair, labelled by method, seed and round, coloured by the Jaccard on 0 … 1', () => {
    const o = jaccardMatrixOption(m) as unknown as { xAxis: { data: string[] }; visualMap: { min: number; max: number }; series: { data: [number, number, number][] }[] };
    expect(o.xAxis.data).toEqual(['IMP s0 r1', 'COLT s0 r1']);
    expect(o.series[0].data).toHaveLength(4);
    expect(o.series[0].data).toContainEqual([1, 0, 0.6]);
    expect([o.visualMap.min, o.visualMap.max]).toEqual([0, 1]);
    expect(ticketLabel(m.tickets[1])).toBe('COLT s0 r1');
  });

  it('colours by the excess over the random-chance value on a symmetric scale when asked', () => {
    const o = jaccardMatrixOption(m, 'excess') as unknown as { visualMap: { min: number; max: number }; series: { data: [number, number, number][] }[] };
    expect(o.series[0].data.find((d) => d[0] === 1 && d[1] === 0)![2]).toBeCloseTo(0.1, 12);
    expect(o.visualMap.min).toBe(-o.visualMap.max);
    expect(o.visualMap.max).toBeCloseTo(0.1, 12);
  });

  it('names both tickets, the Jaccard, the random value and the ratio in the tooltip', () => {
    const t = matrixTooltip(m, 1, 0);
    expect(t).toContain('IMP s0 r1 (t1, 20.0 % pruned) × COLT s0 r1 (t2, 30.0 % pruned)');
    expect(t).toContain('Jaccard 0.600 · random masks 0.500 · 1.20× chance');
  });

  it('answers an empty chart for an experiment without tickets', () => {
    expect(jaccardMatrixOption({ tickets: [], n: 0, jaccard: [], expectedRandom: [] }).series).toEqual([]);
  });
});

describe('maskDiffOption', () => {
  it('stacks the shares kept by both, only A and only B per layer in %', () => {
    const o = maskDiffOption([{ layer: 'fc1.weight', weights: 200, both: 100, onlyA: 30, onlyB: 20 }], { a: 't1', b: 't2' }) as unknown as {
      yAxis: { data: string[] };
      series: { name: string; stack: string; data: number[] }[];
      tooltip: { formatter: (p: { dataIndex: number }[]) => string };
    };
    expect(o.series.map((x) => x.name)).toEqual(['kept by both', 'only t1', 'only t2']);
    expect(o.series.map((x) => x.data[0])).toEqual([50, 15, 10]);
    expect(new Set(o.series.map((x) => x.stack)).size).toBe(1);
    expect(o.yAxis.data).toEqual(['fc1.weight (200)']);
    expect(o.tooltip.formatter([{ dataIndex: 0 }])).toContain('neither: 50 (25.0 %)');
  });

  it('answers an empty chart without layers', () => {
    expect(maskDiffOption([], { a: 'A', b: 'B' }).series).toEqual([]);
  });
});

describe('the UI and the reports', () => {
  it('colour methods alike', () => {
    for (const m of ['imp', 'colt', 'random', 'reinit']) expect(METHOD_COLORS[m].toLowerCase()).toBe(METHOD_COLOR[m].toLowerCase());
  });

  it('draw mask heatmaps between the same two colours', () => {
    const uri = gridToPngDataUri({ layer: 'w', shape: [2, 1], rows: 1, cols: 2, rowsShown: 1, colsShown: 2, cellRows: 1, cellCols: 1, kept: 1, weights: 2, density: [0, 1] });
    const png = PNG.sync.read(Buffer.from(uri.split(',')[1], 'base64'));
    expect([...png.data.subarray(0, 3)]).toEqual([...HEATMAP_COLORS.light.pruned]);
    expect([...png.data.subarray(4, 7)]).toEqual([...HEATMAP_COLORS.light.kept]);
  });
});

describe('roundMetricsOption', () => {
  it('plots accuracy and sparsity per round in %', () => {
    const o = roundMetricsOption(
      [
        { round: 1, sparsity: 0.2, testAccuracy: 0.85 },
        { round: 0, sparsity: 0, testAccuracy: 0.86 },
      ],
      'colt',
    );
    const s = seriesOf(o);
    expect(s.find((x) => x.name === 'sparsity')!.data).toEqual([
      [0, 0],
      [1, 20],
    ]);
    const acc = s.find((x) => x.name === 'test accuracy')!;
    expect(acc.data).toEqual([
      [0, 86],
      [1, 85],
    ]);
    expect(acc.itemStyle!.color).toBe(METHOD_COLORS.colt);
  });

  it('handles a run with no rounds', () => {
    expect(roundMetricsOption([], 'imp').series).toEqual([]);
  });
});

describe('layerSparsityOption', () => {
  it('has one bar per layer in network order, in %', () => {
    const o = layerSparsityOption([
      { name: 'fc1', weights: 235200, sparsity: 0.2 },
      { name: 'fc2', weights: 30000, sparsity: 0.36 },
    ]) as { yAxis: { data: string[]; inverse: boolean }; series: { data: number[] }[] };
    expect(o.yAxis.data).toEqual(['fc1 (235K)', 'fc2 (30K)']);
    expect(o.yAxis.inverse).toBe(true);
    expect(o.series[0].data[0]).toBeCloseTo(20, 10);
    expect(o.series[0].data[1]).toBeCloseTo(36, 10);
  });

  it('handles a ticket without layers', () => {
    expect(layerSparsityOption([]).series).toEqual([]);
  });

  it('writes weight counts compactly', () => {
    expect(compact(999)).toBe('999');
    expect(compact(2_359_296)).toBe('2.4M');
    expect(compact(11_200_000)).toBe('11M');
  });
});

describe('overlapOption', () => {
  it('puts the measured Jaccard next to the random-mask expectation per layer', () => {
    const o = overlapOption([
      { layer: 'fc1', jaccard: 0.7, expectedRandom: 0.5 },
      { layer: 'fc2', jaccard: 0.6, expectedRandom: 0.4 },
    ]) as { xAxis: { data: string[] }; yAxis: { max: number }; series: { data: number[] }[] };
    expect(o.xAxis.data).toEqual(['fc1', 'fc2']);
    expect(o.yAxis.max).toBe(1);
    expect(o.series[0].data).toEqual([0.7, 0.6]);
    expect(o.series[1].data).toEqual([0.5, 0.4]);
  });

  it('handles no layers', () => {
    expect(overlapOption([]).series).toEqual([]);
  });
});
