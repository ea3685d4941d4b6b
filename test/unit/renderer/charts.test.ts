import { describe, expect, it } from 'vitest';
import { accuracyVsSparsityOption, methodLines, niceLogFloor, remainingTick, type MethodSeriesIn } from '../../../renderer/src/charts/accuracy-vs-sparsity.js';
import { layerSparsityOption, compact } from '../../../renderer/src/charts/layer-sparsity.js';
import { lossCurveOption } from '../../../renderer/src/charts/loss-curve.js';
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
    const mean = seriesOf(o as never).find((s) => s.name === 'IMP' && s.stack === undefined)!;
    expect(mean.data.map((p) => p[0])).toEqual([100, 80, 64]);
    expect(mean.data.map((p) => p[1])).toEqual([86, 85, 84]);
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
