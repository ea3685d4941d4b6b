import { z } from 'zod';
import { invalidInput } from './errors.js';

/** Architectures the lab can build (the registry in main/lab/models holds their definitions). */
export const ARCHITECTURES = [
  'lenet-300-100',
  'conv2',
  'conv4',
  'conv6',
  'conv3',
  'resnet18',
  'resnet20',
  'vgg16',
  'vgg19',
] as const;

/**
 * The ticket-generating methods: IMP (LTH baseline), COLT, and two controls: random pruning on
 * IMP's schedule, and IMP's masks on a fresh random initialisation (reinit).
 */
export const METHODS = ['imp', 'colt', 'random', 'reinit'] as const;
/** A ticket-generating method. */
export type Method = (typeof METHODS)[number];

/** A training length: `20ep` (epochs) or `500it` (iterations, i.e. batches), as open_lth's Step. */
export const durationSchema = z
  .string()
  .regex(/^[1-9][0-9]*(ep|it)$/, 'expected a duration such as "3ep" (epochs) or "500it" (iterations)');

const rate = z.number().gt(0).lt(1);

/**
 * Weight initialisers (weights and biases of conv and dense layers; batch-norm scales start at 1,
 * shifts at 0). Glorot and Kaiming draw weights and zero biases (Keras' convention); PyTorch's
 * default draws both uniform ±1/√fan_in (kaiming_uniform with a = √5). `default`: each
 * architecture's own, as its source uses it (LTH nets Glorot-normal, the COLT authors' nets PyTorch's).
 */
export const INITIALISERS = ['default', 'glorot-normal', 'glorot-uniform', 'kaiming-normal', 'kaiming-uniform', 'pytorch-default'] as const;
/** A weight initialiser's name. */
export type Initialiser = (typeof INITIALISERS)[number];

const sgdSchema = z.strictObject({
  type: z.literal('sgd'),
  lr: z.number().positive().describe('learning rate'),
  momentum: z.number().min(0).lt(1).default(0.9),
  weightDecay: z.number().min(0).default(5e-4).describe('L2 penalty added to the gradient (PyTorch weight_decay)'),
  nesterov: z.boolean().default(false),
});

const adamSchema = z.strictObject({
  type: z.literal('adam'),
  lr: z.number().positive().describe('learning rate'),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
  weightDecay: z.number().min(0).default(0).describe('L2 penalty added to the gradient (PyTorch Adam weight_decay)'),
});

const dataSchema = z.strictObject({
  validationFraction: z
    .number()
    .min(0)
    .max(0.5)
    .default(0.1)
    .describe('held out of the training set for model selection (0 = select on test, as the authors do)'),
  trainLimit: z.number().int().positive().optional().describe('use a stratified subset of this many training images'),
  testLimit: z.number().int().positive().optional().describe('use a stratified subset of this many test images'),
  augment: z.enum(['none', 'cifar', 'tinyimagenet']).default('none').describe('COLT-SPEC augmentations'),
});

const trainingSchema = z.strictObject({
  duration: durationSchema.default('1ep').describe('training per round: "50ep" or "20000it"'),
  batchSize: z.number().int().positive().max(4096).default(60),
  optimizer: z.discriminatedUnion('type', [sgdSchema, adamSchema]).prefault({ type: 'adam', lr: 1.2e-3 }),
  warmupEpochs: z.number().min(0).default(0).describe('linear learning-rate warm-up'),
  milestones: z.array(z.number().positive()).default([]).describe('epochs at which the learning rate is multiplied by gamma'),
  gamma: z.number().gt(0).max(1).default(0.1),
  warmupFromZero: z
    .boolean()
    .default(false)
    .describe('the first warm-up step runs at learning rate 0 (the authors\' scheduler) rather than at lr / warm-up steps'),
  keepLastBatch: z
    .boolean()
    .default(false)
    .describe('train on the last, partial batch of each epoch too (the authors\' data loader); default: drop it'),
  evalEvery: durationSchema.optional().describe('evaluation interval (default: every epoch, or 10 times per round for "it" durations)'),
  selection: z
    .enum(['best-val', 'best-test', 'last'])
    .default('best-val')
    .describe(
      'which evaluation point a round reports, among evaluation.points: best validation accuracy (ours), best test accuracy (the authors\'), or the last point',
    ),
});

const evaluationSchema = z.strictObject({
  points: z
    .enum(['ends', 'starts', 'all'])
    .default('ends')
    .describe(
      'where a training is evaluated and may be selected: at the end of every interval (ours); at the start of every interval, i.e. the untrained ticket and every end but the last (the authors\'); or both. The untrained ticket (iteration 0) is always measured and stored',
    ),
});

const pruningSchema = z.strictObject({
  strategy: z.enum(['layerwise', 'global']).default('layerwise'),
  layers: z
    .enum(['conv', 'conv+dense', 'all'])
    .default('conv+dense')
    .describe('which weights are prunable: conv kernels, conv and dense kernels except the head, or all kernels'),
  rate: rate.default(0.2).describe('fraction of the still-unpruned weights removed per round (per model for COLT)'),
  convRate: rate.optional().describe('layer-wise rate for conv layers (overrides rate)'),
  denseRate: rate.optional().describe('layer-wise rate for dense layers (overrides rate)'),
  headRate: rate.optional().describe('layer-wise rate for the output layer (LTH: half the dense rate)'),
  pruneFrom: z
    .enum(['last', 'best', 'authors'])
    .default('last')
    .describe(
      'prune the last weights of a training, the weights at the selected point, or as the authors\' code: IMP the selected point always, COLT the selected point in round 0 and the last weights afterwards',
    ),
});

const coltSchema = z.strictObject({
  partitions: z.number().int().min(2).max(16).default(2),
  partitioning: z
    .union([z.enum(['contiguous-classes', 'random']), z.strictObject({ classMap: z.array(z.number().int().min(0)) })])
    .default('contiguous-classes')
    .describe('how the training data is split: by contiguous class ranges (authors), at random, or an explicit class → partition map'),
  rate: rate.optional().describe('per-model pruning rate for COLT (overrides pruning.rate)'),
  headInit: z
    .enum(['shared', 'independent'])
    .optional()
    .describe(
      'initial weights of the partition models\' heads: one draw shared by every partition (the authors\'), or one draw each. Default: independent for class partitions, shared (θ0\'s full-class head) for random partitions',
    ),
  evaluate: z
    .enum(['every-round', 'final', 'none'])
    .default('every-round')
    .describe('train each ticket (θ0 ⊙ m with a fresh full-class head) on the full data to report its test accuracy'),
});

const impSchema = z.strictObject({
  rate: rate.optional().describe('pruning rate for IMP and the random control (overrides pruning.rate)'),
});

const stopSchema = z.strictObject({
  maxRounds: z.number().int().min(0).max(200).default(10).describe('pruning rounds after the dense round 0'),
  targetSparsity: z.number().gt(0).lt(1).optional().describe('stop once this fraction of weights is pruned'),
  sparsityOver: z
    .enum(['prunable', 'all'])
    .default('prunable')
    .describe('denominator of the stop target: prunable weights, or all weights as the authors\' code counts'),
});

/** The one experiment configuration (DESIGN.md, Contracts); presets are instances of it. */
export const experimentConfigSchema = z.strictObject({
  name: z.string().min(1).max(200).default('experiment'),
  arch: z.enum(ARCHITECTURES),
  dataset: z.string().min(1).describe('a registered dataset name (`colt data list`)'),
  methods: z.array(z.enum(METHODS)).min(1).default(['imp', 'colt']),
  seeds: z.array(z.number().int().min(0).max(2 ** 31 - 1)).min(1).default([0]),
  init: z.enum(INITIALISERS).default('default').describe('how conv and dense weights and biases are initialised (default: the architecture\'s own)'),
  data: dataSchema.prefault({}),
  training: trainingSchema.prefault({}),
  evaluation: evaluationSchema.prefault({}),
  pruning: pruningSchema.prefault({}),
  imp: impSchema.prefault({}),
  colt: coltSchema.prefault({}),
  stop: stopSchema.prefault({}),
  rewind: z
    .union([z.literal('init'), durationSchema])
    .default('init')
    .describe(
      'rewind point: θ0 ("init") or the weights after this much training of the dense network on the full data (late rewinding; COLT trains the dense network that far once, then every partition model starts from it)',
    ),
  resetBatchNormOnRewind: z
    .boolean()
    .default(true)
    .describe(
      'rewind batch-norm running statistics with the weights (the authors\' code does not: each model keeps its statistics from the previous round); no effect on models without batch norm',
    ),
  evaluationDataset: z
    .string()
    .min(1)
    .optional()
    .describe('evaluate tickets on another dataset (transfer); the head is replaced to fit its classes'),
});

/** A validated experiment configuration with every default filled in. */
export type ExperimentConfig = z.output<typeof experimentConfigSchema>;
/** An experiment configuration as written by a user (defaults optional). */
export type ExperimentConfigInput = z.input<typeof experimentConfigSchema>;

/** How COLT's partition heads start: as `colt.headInit` says, or its default for the partitioning. */
export function coltHeadInit(config: ExperimentConfig): 'shared' | 'independent' {
  return config.colt.headInit ?? (config.colt.partitioning === 'random' ? 'shared' : 'independent');
}

/** Validates a config once, at the boundary; the error names the first offending field. */
export function parseExperimentConfig(input: unknown): ExperimentConfig {
  const result = experimentConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.join('.') : '(config)';
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    throw invalidInput(`config field '${field}': ${issue.message}${keys}`, { field, issues: result.error.issues });
  }
  const config = result.data;
  checkCrossFieldRules(config);
  return config;
}

function checkCrossFieldRules(config: ExperimentConfig): void {
  if (config.methods.includes('colt') && config.pruning.layers === 'all') {
    throw invalidInput(
      "config field 'pruning.layers': 'all' prunes the head, but COLT trains a separate head per partition; use 'conv+dense' or 'conv'",
      { field: 'pruning.layers' },
    );
  }
  if (config.methods.includes('reinit') && !config.methods.includes('imp')) {
    throw invalidInput("config field 'methods': 'reinit' retrains IMP's masks from a fresh initialisation, so it needs 'imp' too", {
      field: 'methods',
    });
  }
  if (new Set(config.methods).size !== config.methods.length) {
    throw invalidInput("config field 'methods': a method is listed twice", { field: 'methods' });
  }
  if (new Set(config.seeds).size !== config.seeds.length) {
    throw invalidInput("config field 'seeds': a seed is listed twice", { field: 'seeds' });
  }
  const milestones = config.training.milestones;
  for (let i = 1; i < milestones.length; i++) {
    if (milestones[i] <= milestones[i - 1]) {
      throw invalidInput(`config field 'training.milestones.${i}': milestones must increase`, {
        field: `training.milestones.${i}`,
      });
    }
  }
  const map = config.colt.partitioning;
  if (typeof map === 'object') {
    for (let c = 0; c < map.classMap.length; c++) {
      if (map.classMap[c] >= config.colt.partitions) {
        throw invalidInput(
          `config field 'colt.partitioning.classMap.${c}': partition ${map.classMap[c]} does not exist (partitions: ${config.colt.partitions})`,
          { field: `colt.partitioning.classMap.${c}` },
        );
      }
    }
  }
}

/** A parsed duration. */
export interface Duration {
  readonly amount: number;
  readonly unit: 'ep' | 'it';
}

/** Parses `20ep` / `500it` (already validated by the schema). */
export function parseDuration(text: string): Duration {
  const match = /^([1-9][0-9]*)(ep|it)$/.exec(text);
  if (!match) throw invalidInput(`duration '${text}': expected a duration such as "3ep" or "500it"`);
  return { amount: Number(match[1]), unit: match[2] as 'ep' | 'it' };
}
