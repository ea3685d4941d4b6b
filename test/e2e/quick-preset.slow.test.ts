import { describe, expect, it } from 'vitest';
import { colt, tempHome } from '../helpers/cli.js';

// The "must show" for the main job, end to end: the full quick preset on the bundled sample.
describe('colt run --preset quick (slow)', () => {
  it('finishes with rounds of every method, a dense accuracy of at least 0.80, and COLT sparser than IMP at every pruned round', async () => {
    const r = await colt(['run', '--preset', 'quick', '--json'], { COLT_HOME: tempHome() });
    expect(r.code, r.stderr).toBe(0);
    const rounds = r.lines.filter((l) => l.type === 'round') as { method: string; round: number; sparsity: number; testAccuracy: number; overlap?: number }[];
    const imp = rounds.filter((l) => l.method === 'imp');
    const colt_ = rounds.filter((l) => l.method === 'colt');
    const random = rounds.filter((l) => l.method === 'random');
    expect(imp.length).toBe(6);
    expect(colt_.length).toBe(6);
    expect(random.length).toBe(6);
    expect(imp[0].sparsity).toBe(0);
    expect(imp[0].testAccuracy).toBeGreaterThanOrEqual(0.8);
    expect(colt_[0].testAccuracy).toBeGreaterThanOrEqual(0.8);
    for (let i = 1; i < imp.length; i++) {
      expect(colt_[i].round).toBe(imp[i].round);
      expect(colt_[i].sparsity).toBeGreaterThan(imp[i].sparsity);
      expect(colt_[i].overlap).toBeLessThan(1);
      // Random pruning removes exactly as many weights as IMP.
      expect(random[i].sparsity).toBeCloseTo(imp[i].sparsity, 6);
    }
    const summary = r.lines[r.lines.length - 1] as { type: string; seconds: number };
    expect(summary.type).toBe('summary');
  });
});
