import { describe, expect, it } from 'vitest';
import { comparisonSeries, denseBaseline, roundsToReach, type RunRounds } from '../../../main/analysis/comparison.js';
import type { Method } from '../../../main/contract/experiment-config.js';
import type { RoundRecord } from '../../../main/lab/events.js';
import { escapeHtml } from '../../../main/report/escape.js';
import { summarise } from '../../../main/report/summary.js';

function run(runId: number, method: Method, seed: number, points: [number, number][], samples = 1000): RunRounds {
  const rounds: RoundRecord[] = points.map(([sparsity, testAccuracy], round) => ({
    type: 'round',
    method,
    seed,
    round,
    sparsity,
    sparsityAll: sparsity,
    layerSparsity: {},
    testAccuracy,
    valAccuracy: null,
    earlyStopIteration: null,
    samples,
    evaluationSamples: method === 'colt' ? 1000 : 0,
    seconds: 1,
    untrainedAccuracy: null,
    maskViolations: 0,
    evaluations: [],
  }));
  return { runId, method, seed, rounds };
}

function summaryOf(runs: RunRounds[]): string[] {
  const series = comparisonSeries(runs);
  return summarise({ series, dense: denseBaseline(runs), reach: roundsToReach(runs, [0.5]), overlapBaseline: null }).sentences;
}

describe('report summary', () => {
  it('names the sparsest ticket within one point of dense, its round and training images, from the numbers', () => {
    const text = summaryOf([
      run(1, 'imp', 0, [[0, 0.9], [0.2, 0.905], [0.36, 0.895], [0.488, 0.87]]),
      run(2, 'colt', 0, [[0, 0.9], [0.3, 0.9], [0.5, 0.88]], 500),
    ]).join('\n');
    expect(text).toContain('reached 90.0 % test accuracy (one seed)');
    // IMP: round 2 (36 %) is within a point (89.5 ≥ 89.0); round 3 (87.0) is not.
    expect(text).toContain('IMP: the sparsest ticket within 1 point of dense accuracy has 36.0 % of the prunable weights pruned (64.0 % remaining) at 89.5 %, reached in round 2 after 3,000 training images');
    // COLT: only round 1 qualifies; it reaches IMP's best sparsity (36 %) in round 2, which is not within a point.
    expect(text).toContain('COLT: the sparsest ticket within 1 point of dense accuracy has 30.0 %');
    expect(text).toContain("At IMP's best sparsity (36.0 %), COLT got there in round 2 after 1,500 training images, against IMP's round 2 and 3,000 images; that COLT ticket (50.0 % pruned) scored 88.0 %, not within 1 point of dense.");
    expect(text).toContain('Only one seed');
  });

  it('says so when no pruned ticket stays within a point, and compares IMP with the random control', () => {
    const text = summaryOf([
      run(1, 'imp', 0, [[0, 0.9], [0.2, 0.85]]),
      run(2, 'imp', 1, [[0, 0.92], [0.2, 0.87]]),
      run(3, 'random', 0, [[0, 0.9], [0.2, 0.86]]),
      run(4, 'random', 1, [[0, 0.92], [0.2, 0.88]]),
    ]).join('\n');
    expect(text).toContain('reached 91.0 ± 1.4 % test accuracy (2 seeds)');
    expect(text).toContain('IMP: no pruned round stayed within 1 point of dense accuracy');
    expect(text).toContain('IMP tickets were more accurate than random pruning in 0 of 1 pruned rounds');
    expect(text).toContain('means over 2 seeds');
  });

  it('escapes every HTML-special character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
