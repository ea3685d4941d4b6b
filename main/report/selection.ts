import { invalidInput } from '../contract/errors.js';
import type { Db } from '../library/db.js';
import { getExperiment } from '../library/experiments.js';
import { getRun, runsOfExperiment, type RunRow } from '../library/runs.js';

/** What a report compares: given runs, or every run of an experiment. */
export type ReportSelection = { readonly runs: readonly number[] } | { readonly experimentId: number };

/** The selected runs, each once, in id order; a not_found LabError names a missing run or experiment. */
export function selectRuns(db: Db, selection: ReportSelection): RunRow[] {
  if ('experimentId' in selection) {
    getExperiment(db, selection.experimentId);
    const runs = runsOfExperiment(db, selection.experimentId);
    if (runs.length === 0) throw invalidInput(`experiment e${selection.experimentId} has no runs to report on`, { field: 'experimentId' });
    return runs;
  }
  if (selection.runs.length === 0) throw invalidInput('a report needs at least one run', { field: 'runs' });
  const runs = [...new Set(selection.runs)].sort((a, b) => a - b).map((id) => getRun(db, id));
  // Seeds are averaged per method: two runs of one method and seed would be counted as two seeds.
  const seen = new Map<string, RunRow>();
  for (const r of runs) {
    const other = seen.get(`${r.method}/${r.seed}`);
    if (other) {
      throw invalidInput(`runs ${other.id} and ${r.id} are both ${r.method} with seed ${r.seed}; a report takes one run per method and seed`, { field: 'runs' });
    }
    seen.set(`${r.method}/${r.seed}`, r);
  }
  return runs;
}
