import { describe, expect, it } from 'vitest';
import { planSweep, runCount } from '../../../main/sweep/grid.js';

const base = { name: 'study', arch: 'lenet-300-100', dataset: 'fashion-mnist-sample', methods: ['imp', 'colt', 'reinit'], seeds: [0, 1] };

describe('planSweep', () => {
  it('makes one validated experiment config per point, named for its values', () => {
    const plan = planSweep({ ...base, sweep: { grid: { 'pruning.rate': [0.1, 0.2] } } }, [{ path: 'colt.partitions', values: [2, 3] }]);
    expect(plan.points.map((p) => p.config.name)).toEqual([
      'study (pruning.rate=0.1, colt.partitions=2)',
      'study (pruning.rate=0.1, colt.partitions=3)',
      'study (pruning.rate=0.2, colt.partitions=2)',
      'study (pruning.rate=0.2, colt.partitions=3)',
    ]);
    expect(plan.points.map((p) => [p.config.pruning.rate, p.config.colt.partitions])).toEqual([
      [0.1, 2],
      [0.1, 3],
      [0.2, 2],
      [0.2, 3],
    ]);
    // Defaults are filled in as for any config.
    expect(plan.points[0].config.training.batchSize).toBe(60);
  });

  it('groups runs into tasks: one per method and seed, the reinit control with its IMP run', () => {
    const plan = planSweep({ ...base, sweep: { grid: { 'pruning.rate': [0.1, 0.2] } } });
    expect(plan.tasks.map((t) => `${t.pointIndex}:${t.methods.join('+')}:${t.seed}`)).toEqual([
      '0:imp+reinit:0',
      '0:colt:0',
      '0:imp+reinit:1',
      '0:colt:1',
      '1:imp+reinit:0',
      '1:colt:0',
      '1:imp+reinit:1',
      '1:colt:1',
    ]);
    expect(plan.tasks.map((t) => t.task)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(runCount(plan)).toBe(12);
  });

  it('names the point and the field of an invalid point, before anything runs', () => {
    expect(() => planSweep({ ...base, sweep: { grid: { 'pruning.rate': [0.2, 1.5] } } })).toThrow(/sweep point 2 \(pruning.rate=1.5\): config field 'pruning.rate'/);
    expect(() => planSweep(base, [{ path: 'training.batchSz', values: [10] }])).toThrow(/sweep point 1 \(training.batchSz=10\): config field 'training'.*batchSz/);
  });

  it('gives the same settings the same key, and other settings another', () => {
    const a = planSweep(base, [{ path: 'pruning.rate', values: [0.1, 0.2] }]);
    const b = planSweep({ ...base, sweep: { grid: { 'pruning.rate': [0.1, 0.2] } } });
    const c = planSweep(base, [{ path: 'pruning.rate', values: [0.1, 0.3] }]);
    expect(a.key).toMatch(/^[0-9a-f]{64}$/);
    expect(b.key).toBe(a.key);
    expect(c.key).not.toBe(a.key);
  });

  it('is one point without axes (a plain config on Slurm)', () => {
    const plan = planSweep({ ...base, methods: ['colt'] });
    expect(plan.points).toHaveLength(1);
    expect(plan.points[0].config.name).toBe('study');
    expect(plan.tasks).toHaveLength(2);
  });
});
