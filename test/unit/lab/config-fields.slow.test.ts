import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { METHODS, parseExperimentConfig, type ExperimentConfigInput, type Method } from '../../../main/contract/experiment-config.js';
import { LabError } from '../../../main/contract/errors.js';
import type { Dataset } from '../../../main/data/types.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { createContext } from '../../../main/lab/context.js';
import type { RoundCheckpoint } from '../../../main/lab/events.js';
import { runLab } from '../../helpers/run-lab.js';
import { stripeDataset } from '../../helpers/toy-dataset.js';

// Every config field is honoured by every method, or the config is refused naming it: for each
// field, a run with another value must differ from the baseline run of the same method (its
// masks, initial weights, evaluated points, accuracies or cost), or be refused before training.

const baseline: ExperimentConfigInput = {
  arch: 'lenet-300-100',
  dataset: 'stripes',
  seeds: [0],
  data: { validationFraction: 0.1 },
  // 180 training images at batch 50: every epoch (and each COLT partition's) ends with a partial batch.
  training: { duration: '1ep', batchSize: 50, optimizer: { type: 'adam', lr: 2e-3 } },
  stop: { maxRounds: 1 },
};

type Expect = 'changes' | 'refused';
/** Fields overridden on top of the baseline. */
type Over = Partial<ExperimentConfigInput>;
const all = (e: Expect): Record<Method, Expect> => ({ imp: e, colt: e, random: e, reinit: e });
const only = (m: Method[], yes: Expect, no: Expect): Record<Method, Expect> =>
  Object.fromEntries(METHODS.map((x) => [x, m.includes(x) ? yes : no])) as Record<Method, Expect>;

interface Row {
  /** The field changed (the refusal must name it). */
  readonly field: string;
  /** Overrides of the baseline for this row (both runs), and the changed value. */
  readonly base?: Over;
  readonly alt: Over;
  readonly expect: Record<Method, Expect>;
  /** Settings that depend on the method's own run (the target just below its round-1 sparsity). */
  readonly tune?: (roundOneSparsity: number) => { base: Over; alt: Over };
  /** The field a refusal names when it is not `field` (the row's base is what is refused). */
  readonly refusedField?: string;
  /** Conv nets train on a few images only, to keep the table quick. */
  readonly tiny?: boolean;
}

const sgd = { type: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4, nesterov: false } as const;

const ROWS: Row[] = [
  { field: 'arch', alt: { arch: 'conv2' }, tiny: true, expect: all('changes') },
  { field: 'seeds', alt: { seeds: [1] }, expect: all('changes') },
  { field: 'init', alt: { init: 'pytorch-default' }, expect: all('changes') },
  { field: 'data.validationFraction', alt: { data: { validationFraction: 0.2 } }, expect: all('changes') },
  { field: 'data.trainLimit', alt: { data: { validationFraction: 0.1, trainLimit: 120 } }, expect: all('changes') },
  { field: 'data.testLimit', alt: { data: { validationFraction: 0.1, testLimit: 30 } }, expect: all('changes') },
  { field: 'data.augment', alt: { data: { validationFraction: 0.1, augment: 'cifar' } }, expect: all('changes') },
  { field: 'training.duration', alt: { training: { ...baseline.training, duration: '2ep' } }, expect: all('changes') },
  { field: 'training.batchSize', alt: { training: { ...baseline.training, batchSize: 30 } }, expect: all('changes') },
  { field: 'training.optimizer.type', alt: { training: { ...baseline.training, optimizer: sgd } }, expect: all('changes') },
  { field: 'training.optimizer.lr', alt: { training: { ...baseline.training, optimizer: { type: 'adam', lr: 1e-3 } } }, expect: all('changes') },
  { field: 'training.optimizer.beta1', alt: { training: { ...baseline.training, optimizer: { type: 'adam', lr: 2e-3, beta1: 0.5 } } }, expect: all('changes') },
  { field: 'training.optimizer.beta2', alt: { training: { ...baseline.training, optimizer: { type: 'adam', lr: 2e-3, beta2: 0.9 } } }, expect: all('changes') },
  { field: 'training.optimizer.epsilon', alt: { training: { ...baseline.training, optimizer: { type: 'adam', lr: 2e-3, epsilon: 0.1 } } }, expect: all('changes') },
  { field: 'training.optimizer.weightDecay', alt: { training: { ...baseline.training, optimizer: { type: 'adam', lr: 2e-3, weightDecay: 0.1 } } }, expect: all('changes') },
  { field: 'training.optimizer.momentum', base: { training: { ...baseline.training, optimizer: sgd } }, alt: { training: { ...baseline.training, optimizer: { ...sgd, momentum: 0.5 } } }, expect: all('changes') },
  { field: 'training.optimizer.nesterov', base: { training: { ...baseline.training, optimizer: sgd } }, alt: { training: { ...baseline.training, optimizer: { ...sgd, nesterov: true } } }, expect: all('changes') },
  { field: 'training.warmupEpochs', alt: { training: { ...baseline.training, warmupEpochs: 1 } }, expect: all('changes') },
  { field: 'training.warmupFromZero', base: { training: { ...baseline.training, warmupEpochs: 1 } }, alt: { training: { ...baseline.training, warmupEpochs: 1, warmupFromZero: true } }, expect: all('changes') },
  { field: 'training.milestones', base: { training: { ...baseline.training, duration: '2ep' } }, alt: { training: { ...baseline.training, duration: '2ep', milestones: [1] } }, expect: all('changes') },
  {
    field: 'training.gamma',
    base: { training: { ...baseline.training, duration: '2ep', milestones: [1] } },
    alt: { training: { ...baseline.training, duration: '2ep', milestones: [1], gamma: 0.5 } },
    expect: all('changes'),
  },
  { field: 'training.keepLastBatch', alt: { training: { ...baseline.training, keepLastBatch: true } }, expect: all('changes') },
  { field: 'training.evalEvery', alt: { training: { ...baseline.training, evalEvery: '1it' } }, expect: all('changes') },
  {
    field: 'training.selection',
    // Six candidate points a round: best validation accuracy and the last point differ.
    base: { evaluation: { points: 'all' }, training: { ...baseline.training, duration: '2ep', evalEvery: '1it' } },
    alt: { evaluation: { points: 'all' }, training: { ...baseline.training, duration: '2ep', evalEvery: '1it', selection: 'last' } },
    expect: all('changes'),
  },
  { field: 'evaluation.points', alt: { evaluation: { points: 'starts' } }, expect: all('changes') },
  { field: 'pruning.strategy', alt: { pruning: { strategy: 'global' } }, expect: all('changes') },
  { field: 'pruning.layers', alt: { pruning: { layers: 'conv' } }, expect: all('refused') },
  { field: 'pruning.rate', alt: { pruning: { rate: 0.5 } }, expect: all('changes') },
  { field: 'pruning.convRate', base: { arch: 'conv2' }, alt: { arch: 'conv2', pruning: { convRate: 0.5 } }, tiny: true, expect: all('changes') },
  { field: 'pruning.denseRate', alt: { pruning: { denseRate: 0.5 } }, expect: all('changes') },
  {
    field: 'pruning.headRate',
    // Only with layers 'all' is the head prunable, and COLT refuses that (its partition heads differ).
    base: { pruning: { layers: 'all' } },
    alt: { pruning: { layers: 'all', headRate: 0.5 } },
    refusedField: 'pruning.layers',
    expect: only(['imp', 'random', 'reinit'], 'changes', 'refused'),
  },
  {
    field: 'pruning.pruneFrom',
    // A candidate point after every step (13 for a COLT partition): the selected one is not the last.
    base: { evaluation: { points: 'all' }, training: { ...baseline.training, duration: '3ep', batchSize: 20, evalEvery: '1it' } },
    alt: { evaluation: { points: 'all' }, training: { ...baseline.training, duration: '3ep', batchSize: 20, evalEvery: '1it' }, pruning: { pruneFrom: 'best' } },
    expect: { imp: 'changes', colt: 'changes', random: 'refused', reinit: 'changes' },
  },
  { field: 'imp.rate', alt: { imp: { rate: 0.5 } }, expect: only(['imp', 'random', 'reinit'], 'changes', 'refused') },
  { field: 'colt.partitions', alt: { colt: { partitions: 4 } }, expect: only(['colt'], 'changes', 'refused') },
  { field: 'colt.partitioning', alt: { colt: { partitioning: 'random' } }, expect: only(['colt'], 'changes', 'refused') },
  { field: 'colt.rate', alt: { colt: { rate: 0.5 } }, expect: only(['colt'], 'changes', 'refused') },
  { field: 'colt.headInit', alt: { colt: { headInit: 'shared' } }, expect: only(['colt'], 'changes', 'refused') },
  { field: 'colt.evaluate', alt: { colt: { evaluate: 'final' } }, expect: only(['colt'], 'changes', 'refused') },
  { field: 'stop.maxRounds', alt: { stop: { maxRounds: 2 } }, expect: all('changes') },
  { field: 'stop.targetSparsity', base: { stop: { maxRounds: 3 } }, alt: { stop: { maxRounds: 3, targetSparsity: 0.25 } }, expect: all('changes') },
  {
    field: 'stop.sparsityOver',
    // A target just below round 1's sparsity over the prunable weights is above it over all weights
    // (the head is not prunable): counted over all weights the run needs a second round.
    base: {},
    alt: {},
    tune: (s1) => ({ base: { stop: { maxRounds: 3, targetSparsity: s1 - 1e-4 } }, alt: { stop: { maxRounds: 3, targetSparsity: s1 - 1e-4, sparsityOver: 'all' } } }),
    expect: all('changes'),
  },
  { field: 'rewind', alt: { rewind: '2it' }, expect: { imp: 'changes', colt: 'changes', random: 'changes', reinit: 'refused' } },
  {
    field: 'resetBatchNormOnRewind',
    // A net with batch norm (the COLT authors' Conv-3).
    base: { arch: 'conv3' },
    alt: { arch: 'conv3', resetBatchNormOnRewind: false },
    tiny: true,
    expect: { imp: 'changes', colt: 'changes', random: 'changes', reinit: 'refused' },
  },
  { field: 'evaluationDataset', alt: { evaluationDataset: 'stripes-2' }, expect: all('changes') },
];

const source = stripeDataset('stripes', 8, 200, 60);
const tinySource = stripeDataset('stripes', 8, 48, 16);
const target = stripeDataset('stripes-2', 2, 200, 60);

/** The config of a row for a method: reinit runs with the IMP run whose masks it takes. */
function configFor(method: Method, ...over: (Over | undefined)[]): ExperimentConfigInput {
  let c: ExperimentConfigInput = { ...baseline, methods: method === 'reinit' ? ['imp', 'reinit'] : [method] };
  for (const o of over) if (o) c = { ...c, ...o };
  return c;
}

/** A run's outcome for one method, or the refusal. */
async function outcome(input: ExperimentConfigInput, method: Method, tiny = false): Promise<{ fingerprint: string } | { refused: LabError }> {
  const checkpoints: RoundCheckpoint[] = [];
  let ctx;
  try {
    const data = tiny ? tinySource : source;
    const evalDataset: Dataset = input.evaluationDataset ? target : data;
    ctx = createContext(parseExperimentConfig(input), data, evalDataset, { event: () => undefined, roundDone: (c) => void checkpoints.push(c) });
  } catch (e) {
    if (e instanceof LabError && e.code === 'invalid_input') return { refused: e };
    throw e;
  }
  await runLab(ctx, { impMasks: (seed) => checkpoints.filter((c) => c.record.method === 'imp' && c.record.seed === seed).map((c) => c.ticket.mask) });
  const hash = createHash('sha256');
  for (const c of checkpoints.filter((x) => x.record.method === method)) {
    hash.update(JSON.stringify({ ...c.record, seconds: 0 }));
    for (const m of c.ticket.mask.values()) hash.update(m);
    for (const w of c.ticket.init.values()) hash.update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
  }
  return { fingerprint: hash.digest('hex') };
}

describe('every config field × every method: honoured or refused', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  const baselines = new Map<string, string>();

  /** Sparsity of round 1 of a method's baseline run. */
  async function roundOneSparsity(method: Method): Promise<number> {
    const rounds: number[] = [];
    const input = configFor(method, { stop: { maxRounds: 1 } });
    const ctx = createContext(parseExperimentConfig(input), source, source, { event: (e) => void (e.type === 'round' && e.method === method && rounds.push(e.sparsity)) });
    await runLab(ctx, { impMasks: () => [] });
    return rounds[1];
  }

  it.each(ROWS.flatMap((row) => METHODS.map((method) => [row.field, method, row] as const)))('%s × %s', async (field, method, tableRow) => {
    // The reinit control follows IMP's masks, so IMP's sparsity.
    const row = tableRow.tune ? { ...tableRow, ...tableRow.tune(await roundOneSparsity(method === 'reinit' ? 'imp' : method)) } : tableRow;
    const expected = row.expect[method];
    const alt = await outcome(configFor(method, row.base, row.alt), method, row.tiny);
    if (expected === 'refused') {
      expect('refused' in alt, `${field} × ${method} should be refused`).toBe(true);
      if ('refused' in alt) expect(alt.refused.message).toContain(`config field '${row.refusedField ?? field}`);
      return;
    }
    if ('refused' in alt) throw new Error(`${field} × ${method} was refused: ${alt.refused.message}`);
    const key = `${method}/${row.tiny ? 'tiny/' : ''}${JSON.stringify(row.base ?? {})}`;
    let base = baselines.get(key);
    if (base === undefined) {
      const b = await outcome(configFor(method, row.base), method, row.tiny);
      if ('refused' in b) throw new Error(`baseline of ${field} × ${method} was refused: ${b.refused.message}`);
      base = b.fingerprint;
      baselines.set(key, base);
    }
    expect(alt.fingerprint, `${field} × ${method} changed nothing`).not.toBe(base);
  });
});
