import { cacheDir } from '../common/paths.js';
import { invalidInput } from '../contract/errors.js';
import { parseExperimentConfig } from '../contract/experiment-config.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { writeTransaction, type Db } from '../library/db.js';
import { insertEvaluation, updateEvaluation } from '../library/ticket-records.js';
import { getTicketRow, loadTicket } from '../library/tickets.js';
import type { RunManager } from './run-manager.js';
import { loadExperimentData } from './run-plans.js';

/** What tickets.evaluate takes: a ticket, the dataset to train it on, and the recipe (the experiment config's own fields). */
export interface EvaluationRequest {
  readonly id: number;
  readonly dataset: string;
  readonly seed: number;
  readonly training?: Record<string, unknown>;
  readonly data?: Record<string, unknown>;
}

/**
 * Trains a ticket (an imported one, or any) on a dataset as a job of the service's pool: θ0 ⊙ mask
 * with a full-class head, the recipe given as the experiment config's `training` and `data` fields
 * (validated by the config's own schema, so an error names the field), on a dataset of the ticket's
 * input shape. The evaluation is recorded at once (queued) and its figures when the job stores
 * them; a failed or stopped job records why.
 */
export async function startEvaluation(o: { db: Db; runs: RunManager; dataDir: string; backend: BackendChoice }, input: EvaluationRequest): Promise<{ evaluationId: number; ticketId: number; status: 'queued' }> {
  const row = getTicketRow(o.db, input.id);
  const config = parseExperimentConfig({
    name: `evaluate t${row.id}`,
    arch: row.arch,
    dataset: input.dataset,
    methods: ['imp'],
    seeds: [input.seed],
    data: input.data ?? {},
    training: input.training ?? {},
    pruning: { layers: row.prunable },
    stop: { maxRounds: 0 },
  });
  const { dataset } = await loadExperimentData(config, o.dataDir);
  if (dataset.shape.join('x') !== row.inputShape.join('x')) {
    throw invalidInput(`field 'input.dataset': ${input.dataset} holds ${dataset.shape.join('×')} images; ticket t${row.id} was made for ${row.inputShape.join('×')}`, { field: 'dataset' });
  }
  const ticket = loadTicket(o.db, row.id, { final: false });
  const evaluationId = writeTransaction(o.db, `record an evaluation of ticket t${row.id}`, () =>
    insertEvaluation(o.db, { ticketId: row.id, dataset: input.dataset, config: config as unknown as Record<string, unknown>, backend: o.backend.name }),
  );
  const set = (u: Parameters<typeof updateEvaluation>[2]): void => writeTransaction(o.db, `update evaluation ${evaluationId}`, () => updateEvaluation(o.db, evaluationId, u));
  let running = false;
  const job = o.runs.submitJob(
    { config, method: 'imp', seed: input.seed, dataDir: o.dataDir, cacheDir: cacheDir(), evaluate: { mask: ticket.mask, init: ticket.init } },
    {
      onEvent: (e) => {
        if (!running && e.event === 'run.progress') {
          running = true;
          set({ status: 'running' });
        }
      },
      onRoundDone: (c) => set({ status: 'finished', testAccuracy: c.record.testAccuracy, valAccuracy: c.record.valAccuracy, samples: c.record.evaluationSamples, seconds: c.record.seconds }),
    },
  );
  void job.done.then((out) => {
    if (out.status === 'finished') return;
    set({ status: out.status === 'failed' ? 'failed' : 'cancelled', error: out.error?.message ?? `the evaluation was ${out.status}` });
  });
  return { evaluationId, ticketId: row.id, status: 'queued' };
}
