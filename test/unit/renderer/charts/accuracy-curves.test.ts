import { describe, expect, it } from 'vitest';
import { accuracyCurvesOption, accuracySeries, accuracyTooltip, type EvaluationPoint } from '../../../../renderer/src/charts/accuracy-curves.js';
import { roundColors } from '../../../../renderer/src/charts/loss-curve.js';

const point = (phase: string, iteration: number, epoch: number, testAccuracy: number | null, selected = false, valAccuracy: number | null = null): EvaluationPoint => ({ phase, iteration, epoch, testAccuracy, valAccuracy, selected });

const rounds = [
  // Stored out of order, points out of order: the chart sorts both.
  { round: 1, evaluations: [point('partition 1/2', 20, 1, 0.9, true), point('partition 1/2', 0, 0, 0.3), point('partition 2/2', 0, 0, 0.25), point('partition 2/2', 20, 1, 0.88), point('evaluate', 0, 0, 0.2), point('evaluate', 40, 1, 0.86, true)] },
  { round: 0, evaluations: [point('train', 0, 0, 0.1, false, 0.12), point('train', 10, 0.5, 0.7, false, 0.71), point('train', 20, 1, 0.8, true, 0.79), point('train', 30, 1.5, null)] },
];

describe('accuracy curves of a run', () => {
  it('draws one line per round and phase in round order, over epochs, keeping the iteration of each point', () => {
    const list = accuracySeries(rounds);
    expect(list.map((s) => s.name)).toEqual(['round 0', 'round 1 · partition 1/2', 'round 1 · partition 2/2', 'round 1 · evaluate']);
    expect(list[0].data).toEqual([
      [0, 0.1, 0],
      [0.5, 0.7, 10],
      [1, 0.8, 20],
    ]);
    expect(list[1].data.map((d) => d[2])).toEqual([0, 20]);
  });

  it('marks the untrained ticket (iteration 0) and the selected point of each line', () => {
    const [r0, p1, p2, ev] = accuracySeries(rounds);
    expect(r0.untrained).toEqual([0, 0.1, 0]);
    expect(r0.selected).toEqual([1, 0.8, 20]);
    expect(p2.selected).toBeUndefined();
    expect(ev.selected).toEqual([1, 0.86, 40]);
    const option = accuracyCurvesOption(rounds);
    const marks = (option.series[0].markPoint as { data: { name: string; coord: number[] }[] }).data;
    expect(marks.map((m) => [m.name, m.coord])).toEqual([
      ['untrained', [0, 0.1, 0]],
      ['selected', [1, 0.8, 20]],
    ]);
    expect(p1.untrained).toEqual([0, 0.3, 0]);
  });

  it('shows validation accuracy on request, leaving out lines without it', () => {
    const list = accuracySeries(rounds, 'val');
    expect(list.map((s) => s.name)).toEqual(['round 0']);
    expect(list[0].data.map((d) => d[1])).toEqual([0.12, 0.71, 0.79]);
    expect((accuracyCurvesOption(rounds, undefined, 'val').yAxis as { name: string }).name).toBe('validation accuracy');
  });

  it('colours rounds as the loss chart does and dashes phases alike', () => {
    const option = accuracyCurvesOption(rounds);
    const ramp = roundColors(2);
    const styles = option.series.map((s) => s.lineStyle as { color: string; type: unknown });
    expect(styles.map((s) => s.color)).toEqual([ramp[0], ramp[1], ramp[1], ramp[1]]);
    expect(styles.map((s) => s.type)).toEqual(['solid', 'solid', 'dashed', 'dotted']);
  });

  it('says so when nothing was evaluated, and names the point in its tooltip', () => {
    expect((accuracyCurvesOption([{ round: 0, evaluations: [] }]).title as { text: string }).text).toMatch(/No test accuracy/);
    expect(accuracyTooltip({ seriesName: 'round 2', value: [0, 0.31, 0], color: '#000' })).toContain('untrained ticket');
    expect(accuracyTooltip({ seriesName: 'round 2', name: 'selected', data: { coord: [3, 0.875, 120] }, color: '#000' })).toMatch(/selected.*\n?.*87\.5/s);
  });
});
