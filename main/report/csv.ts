import type { Stat } from '../analysis/stats.js';
import type { ReportModel } from './model.js';

/** CSV columns: one statistic per row (long format, easy to pivot in pandas or a spreadsheet). */
export const CSV_HEADER = ['table', 'method', 'round', 'target', 'metric', 'mean', 'std', 'n'] as const;

/**
 * The report's numbers as CSV: `series` rows (per method and round: sparsity, remaining, test and
 * validation accuracy, cumulative samples with and without COLT's evaluations, overlap), `reach`
 * rows (per method and target: seeds reaching it, first round, samples, accuracy), the `dense` row and
 * the `maskCheck` rows (mean = count, n = how many were checked).
 * Fractions stay fractions (0.864, not 86.4 %); full precision.
 */
export function renderCsv(model: ReportModel): string {
  const lines: string[] = [CSV_HEADER.join(',')];
  const add = (table: string, method: string, round: number | '', target: number | '', metric: string, s: Stat | null): void => {
    if (s) lines.push([table, method, round, target, metric, s.mean, s.std, s.n].join(','));
  };
  add('dense', '', 0, '', 'testAccuracy', model.dense);
  for (const s of model.series) {
    for (const p of s.points) {
      add('series', s.method, p.round, '', 'sparsity', p.sparsity);
      add('series', s.method, p.round, '', 'remaining', p.remaining);
      add('series', s.method, p.round, '', 'testAccuracy', p.testAccuracy);
      add('series', s.method, p.round, '', 'valAccuracy', p.valAccuracy);
      add('series', s.method, p.round, '', 'untrainedAccuracy', p.untrainedAccuracy);
      add('series', s.method, p.round, '', 'samples', p.samples);
      add('series', s.method, p.round, '', 'samplesWithEvaluation', p.samplesWithEvaluation);
      add('series', s.method, p.round, '', 'overlap', p.overlap);
    }
  }
  for (const r of model.reach) {
    lines.push(['reach', r.method, '', r.target, 'seedsReached', r.reached, 0, r.seeds].join(','));
    add('reach', r.method, '', r.target, 'rounds', r.rounds);
    add('reach', r.method, '', r.target, 'samples', r.samples);
    add('reach', r.method, '', r.target, 'testAccuracy', r.testAccuracy);
  }
  const m = model.maskCheck;
  lines.push(['maskCheck', '', '', '', 'roundsChecked', m.checked, 0, m.rounds].join(','));
  lines.push(['maskCheck', '', '', '', 'violations', m.violations, 0, m.checked].join(','));
  lines.push(['maskCheck', '', '', '', 'ticketViolations', m.ticketViolations, 0, m.tickets].join(','));
  return lines.join('\n') + '\n';
}
