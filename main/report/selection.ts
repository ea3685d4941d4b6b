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
  return [...new Set(selection.runs)].sort((a, b) => a - b).map((id) => getRun(db, id));
}
