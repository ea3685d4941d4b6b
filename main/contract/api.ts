import { z } from 'zod';
import { invalidInput, LabError } from './errors.js';
import { roundRecordSchema } from './run-events.js';
import { METHODS } from './experiment-config.js';
import { BACKEND_REQUESTS, EXECUTORS, gridAxisSchema, slurmOptionsSchema, sweepSummarySchema, sweepTaskSchema } from './sweep-config.js';

/**
 * The one typed contract between the UI and the lab (STYLE.md, One contract, thin transports):
 * command name → input and output schemas. Electron IPC, `POST /api/<command>` and the tests all
 * carry exactly these shapes. Pure: no Node or DOM imports, shared with the renderer as types.
 */

const id = z.number().int().positive();
const fraction = z.number().min(0).max(1);
const num = z.number().finite().nullable();
const limit = z.number().int().positive().max(100_000);
const dim = z.number().int().positive().max(9999);

const presetSchema = z.object({ name: z.string(), description: z.string(), config: z.record(z.string(), z.unknown()) });

const datasetEntrySchema = z.object({
  name: z.string(),
  format: z.string(),
  path: z.string(),
  builtIn: z.boolean(),
  present: z.boolean(),
});

/** Where an experiment or run stands (main/library/experiments.ts RunStatus). */
export const runStatusSchema = z.enum(['pending', 'running', 'finished', 'failed', 'cancelled', 'interrupted']);

/** A run in lists: method × seed of an experiment, with its last finished round's figures. */
export const runSummarySchema = z.object({
  id,
  experimentId: id,
  experiment: z.string(),
  arch: z.string(),
  dataset: z.string(),
  method: z.enum(METHODS),
  seed: z.number().int().min(0),
  backend: z.string().nullable(),
  status: runStatusSchema,
  roundsDone: z.number().int().min(0),
  sparsity: num,
  testAccuracy: num,
  created: z.string(),
  finished: z.string().nullable(),
});

/** An experiment in lists. */
export const experimentSummarySchema = z.object({
  id,
  name: z.string(),
  preset: z.string().nullable(),
  arch: z.string(),
  dataset: z.string(),
  methods: z.array(z.enum(METHODS)),
  seeds: z.array(z.number().int().min(0)),
  status: runStatusSchema,
  runs: z.number().int().min(0),
  runsFinished: z.number().int().min(0),
  created: z.string(),
  updated: z.string(),
});

/** Training images by the one definition of cost (main/lab/cost.ts): to make tickets, to evaluate them, and their sum. */
export const costSchema = z.object({ samples: z.number().int().min(0), evaluationSamples: z.number().int().min(0), total: z.number().int().min(0) });

/** A stored round of a run, with the id of the ticket it made, its cost, and the run's cost up to it. */
export const roundSchema = roundRecordSchema.extend({
  final: z.boolean(),
  ticketId: id.nullable(),
  created: z.string(),
  cost: costSchema.extend({ cumulative: costSchema }),
});

/** A ticket in lists. */
export const ticketSummarySchema = z.object({
  id,
  source: z.enum(['run', 'file']),
  runId: id.nullable(),
  experimentId: id.nullable(),
  round: z.number().int().min(0).nullable(),
  method: z.string().nullable(),
  arch: z.string(),
  dataset: z.string().nullable(),
  seed: z.number().int().min(0).nullable(),
  sparsity: z.number(),
  sparsityAll: z.number(),
  kept: z.number().int().min(0),
  prunable: z.number().int().min(0),
  testAccuracy: num,
  sourceFile: z.string().nullable(),
  hasFinal: z.boolean(),
  /** The mask check of its final weights: how many are not zero where the mask is 0 (null without final weights). */
  maskViolations: z.number().int().min(0).nullable(),
  created: z.string(),
});

/** One prunable layer of a ticket. */
export const ticketLayerSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().positive()),
  weights: z.number().int().positive(),
  kept: z.number().int().min(0),
  sparsity: fraction,
});

/** A grid's size: the layer's rows and columns, those shown after downsampling, and how many weights a cell holds. */
const gridGeometry = {
  rows: z.number().int().positive(),
  cols: z.number().int().positive(),
  rowsShown: z.number().int().positive(),
  colsShown: z.number().int().positive(),
  cellRows: z.number().int().positive(),
  cellCols: z.number().int().positive(),
};

/** A layer's mask as a grid of kept fractions (rows = output units/channels, cols = inputs · kernel). */
export const maskGridSchema = z.object({
  layer: z.string(),
  shape: z.array(z.number().int().positive()),
  ...gridGeometry,
  kept: z.number().int().min(0),
  weights: z.number().int().positive(),
  density: z.array(fraction),
});

/** Mean, sample standard deviation and count over seeds. */
export const statSchema = z.object({ mean: z.number(), std: z.number(), n: z.number().int().positive() });

const seriesPointSchema = z.object({
  round: z.number().int().min(0),
  sparsity: statSchema,
  remaining: statSchema,
  testAccuracy: statSchema.nullable(),
  valAccuracy: statSchema.nullable(),
  /** Test accuracy of the untrained ticket (iteration 0), over seeds. */
  untrainedAccuracy: statSchema.nullable(),
  samples: statSchema,
  samplesWithEvaluation: statSchema,
  overlap: statSchema.nullable(),
});

/** One method's figures at the end of an experiment over its seeds (analysis/stats.ts MethodSummary): what `colt run` ends with. */
export const methodSummarySchema = z.object({
  runs: z.number().int().min(0),
  /** Pruning rounds after round 0 (the most any seed finished). */
  rounds: z.number().int().min(0),
  denseAccuracy: statSchema.nullable(),
  finalAccuracy: statSchema.nullable(),
  finalSparsity: statSchema.nullable(),
  /** Training images over every run and round of the method (lab/cost.ts): to make the tickets, to evaluate them, and both. */
  samples: z.number().int().min(0),
  evaluationSamples: z.number().int().min(0),
  totalSamples: z.number().int().min(0),
});

/** The data an experiment was recorded with: its name, sha256 and sizes. */
export const datasetFactsSchema = z.object({
  name: z.string(),
  checksum: z.string(),
  train: z.number().int().min(0),
  test: z.number().int().min(0),
  classes: z.number().int().positive(),
  inputShape: z.array(z.number().int().positive()),
});

/** One method's accuracy-vs-sparsity series over seeds. */
export const methodSeriesSchema = z.object({ method: z.enum(METHODS), seeds: z.array(z.number().int()), runIds: z.array(id), points: z.array(seriesPointSchema) });

/** Rounds and training samples a method needed to reach a sparsity. */
export const reachSchema = z.object({
  method: z.enum(METHODS),
  target: fraction,
  seeds: z.number().int().min(0),
  reached: z.number().int().min(0),
  rounds: statSchema.nullable(),
  samples: statSchema.nullable(),
});

/** Per-layer overlap of two masks, next to what independent random masks of the same sparsities would share. */
export const layerOverlapSchema = z.object({
  layer: z.string(),
  weights: z.number().int().positive(),
  sparsityA: fraction,
  sparsityB: fraction,
  jaccard: fraction,
  expectedRandom: fraction,
});

/** A job of the pool: queued or training, with its latest progress. */
export const liveRunSchema = z.object({
  runId: id,
  experimentId: id,
  method: z.enum(METHODS),
  seed: z.number().int().min(0),
  status: z.enum(['queued', 'running']),
  round: z.number().int().min(0).nullable(),
  phase: z.string().nullable(),
  iteration: z.number().int().min(0).nullable(),
  iterations: z.number().int().positive().nullable(),
  loss: num,
  imagesPerSecond: num,
  etaSeconds: num,
});

// The ticket, compare and experiment screens (issue 19): a ticket's parameters and FLOPs, views of
// one layer, the values of its weights, two tickets' mask difference, an experiment's Jaccard matrix.

const count = z.number().int().min(0);
const shapeSchema = z.array(z.number().int().positive());
const layerName = z.string().min(1).max(200);

/** Every parameter of a ticket's model: prunable or not (the head, biases, batch-norm), and what the mask keeps. */
export const ticketParameterSchema = z.object({
  name: z.string(),
  kind: z.enum(['conv', 'dense', 'bias', 'bn-scale', 'bn-shift']),
  shape: shapeSchema,
  count,
  head: z.boolean(),
  /** Whether the ticket's mask covers it. */
  pruned: z.boolean(),
  kept: count,
  hasFinal: z.boolean(),
});

/** A weight layer's theoretical FLOPs per image (a multiply-add counts 2), dense and with only the kept weights. */
export const layerFlopsSchema = z.object({
  name: z.string(),
  kind: z.enum(['conv', 'dense']),
  shape: shapeSchema,
  weights: count,
  kept: count,
  pruned: z.boolean(),
  positions: count.nullable(),
  denseFlops: count.nullable(),
  remainingFlops: count.nullable(),
});

/** A ticket's parameters and FLOPs, dense and remaining, with what the figures do not mean (sparsity is no speed-up). */
export const ticketFlopsSchema = z.object({
  layers: z.array(layerFlopsSchema),
  parameters: z.object({ total: count, remaining: count }),
  flops: z.object({ dense: count, remaining: count }).nullable(),
  note: z.string(),
});

/** Statistics of some weights' values, and of the kept and the pruned ones. */
const valueStatsSchema = z.object({ mean: z.number(), meanAbs: z.number(), min: z.number(), max: z.number(), keptMeanAbs: z.number().nullable(), prunedMeanAbs: z.number().nullable() });

/** Two tickets' masks in one layer: kept by both, only by A, only by B, by neither. */
export const layerDiffSchema = z.object({ layer: z.string(), weights: count, both: count, onlyA: count, onlyB: count, neither: count, jaccard: fraction });

/** A layer's mask difference as heatmap grids: per cell the fraction of its weights kept by both, only A, only B. */
export const diffGridSchema = z.object({
  layer: z.string(),
  shape: shapeSchema,
  ...gridGeometry,
  both: z.array(fraction),
  onlyA: z.array(fraction),
  onlyB: z.array(fraction),
});

/** Where an imported ticket came from, as its file said: the accuracy it stated and its provenance (run, round, experiment…). */
export const ticketOriginSchema = z.object({ testAccuracy: num, valAccuracy: num, provenance: z.record(z.string(), z.string()) });

/** One training of a ticket on a dataset (tickets.evaluate). */
export const ticketEvaluationSchema = z.object({
  id,
  ticketId: id,
  dataset: z.string(),
  config: z.record(z.string(), z.unknown()),
  status: z.enum(['queued', 'running', 'finished', 'failed', 'cancelled']),
  testAccuracy: num,
  valAccuracy: num,
  samples: count.nullable(),
  seconds: num,
  backend: z.string().nullable(),
  error: z.string().nullable(),
  created: z.string(),
  finished: z.string().nullable(),
});

/** A ticket of an experiment's Jaccard matrix (a row and a column). */
export const matrixTicketSchema = z.object({ ticketId: id, runId: id, method: z.enum(METHODS), seed: z.number().int().min(0), round: z.number().int().min(0), sparsity: z.number() });

/** A file path the server reads or writes: absolute, no `..` segments (checked again against the allowed folders). */
const filePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'the path contains a NUL byte')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'expected an absolute path')
  .refine((p) => !p.split(/[\\/]/).includes('..'), "the path may not contain '..' segments");

/** What merging did to one run of a shard (main/library/merge.ts MergeAction). */
const mergeActionSchema = z.enum(['copied', 'extended', 'updated', 'unchanged']);

/** What merging one library file did: per run, where it went and what changed. */
export const mergeReportSchema = z.object({
  /** The merged file, resolved. */
  shard: z.string(),
  runs: z.array(
    z.object({
      shardRunId: id,
      runId: id,
      experimentId: id,
      method: z.enum(METHODS),
      seed: z.number().int().min(0),
      action: mergeActionSchema,
      roundsAdded: z.number().int().min(0),
      /** Rounds this library holds of the run after the merge. */
      rounds: z.number().int().min(0),
      status: runStatusSchema,
    }),
  ),
});

/** The merges of a sweep's shards: the files merged, and per run which file it came from. */
const sweepMergeFields = {
  shards: z.array(z.string()),
  runs: z.array(z.object({ shard: z.string(), runId: id, action: mergeActionSchema, roundsAdded: z.number().int().min(0), status: runStatusSchema })),
};

/** A sweep as sweeps.get shows it: its summary, tasks, its experiments' runs, and notes on what could not be asked. */
const sweepViewFields = { sweep: sweepSummarySchema, tasks: z.array(sweepTaskSchema), runs: z.array(runSummarySchema), notes: z.array(z.string()) };

/** Task numbers of a sweep. */
const taskList = z.array(z.number().int().min(0));

/** A sha256 in hex, as the library records datasets. */
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in hex');

/** A Slurm job id (SLURM_JOB_ID, SLURM_ARRAY_JOB_ID). */
const slurmId = z.string().regex(/^\d{1,20}$/, 'expected a Slurm job id');

/** Either one run or all runs of one experiment. */
const runTargetFields = { runId: id.optional(), experimentId: id.optional() };
const oneTarget = (x: { runId?: number | undefined; experimentId?: number | undefined }): boolean => (x.runId === undefined) !== (x.experimentId === undefined);
const oneTargetError = { message: 'give exactly one of runId or experimentId', path: ['runId'] };
const runTarget = z.strictObject(runTargetFields).refine(oneTarget, oneTargetError);

/** Runs or an experiment to compare or report on. */
const selection = {
  experimentId: id.optional(),
  runIds: z.array(id).min(1).max(500).optional(),
};
const selectionRefine = (x: { experimentId?: number; runIds?: number[] }): boolean => (x.experimentId === undefined) !== (x.runIds === undefined);

/** A WebGPU adapter (main/lab/backend/webgpu-adapter.ts GpuAdapter): what a webgpu run trains on. */
const gpuAdapterSchema = z.object({
  name: z.string(),
  api: z.string(),
  vendor: z.string(),
  architecture: z.string(),
  device: z.string(),
  description: z.string(),
  software: z.boolean(),
  limits: z.object({
    maxBufferSize: z.number(),
    maxStorageBufferBindingSize: z.number(),
    maxComputeWorkgroupStorageSize: z.number(),
    maxComputeInvocationsPerWorkgroup: z.number(),
    maxComputeWorkgroupsPerDimension: z.number(),
    maxStorageBuffersPerShaderStage: z.number(),
  }),
});

/** Every command: its input and output schemas and a one-line description. */
export const COMMANDS = {
  'system.info': {
    help: 'app and engine versions, the active backend (and its WebGPU adapter), cores and the library (its full path only to the local desktop app; its file name over HTTP)',
    input: z.strictObject({}),
    output: z.object({
      appVersion: z.string(),
      backend: z.string().nullable(),
      backendReason: z.string().nullable(),
      adapter: gpuAdapterSchema.nullable(),
      libraryPath: z.string(),
      dataDir: z.string(),
      cores: z.number().int().positive(),
      platform: z.string(),
      /** Who runs the lab and on which machine: the desktop app's title for a remote lab says `user@hostname:port`. */
      user: z.string(),
      hostname: z.string(),
      versions: z.record(z.string(), z.string()),
    }),
  },
  'presets.list': {
    help: 'the shipped experiment presets',
    input: z.strictObject({}),
    output: z.array(presetSchema),
  },
  'experiments.schema': {
    help: 'the experiment config as JSON Schema: every field with its help text, type and default',
    input: z.strictObject({}),
    output: z.object({ schema: z.record(z.string(), z.unknown()) }),
  },
  'experiments.validate': {
    help: 'validate an experiment config (the error names the field) and estimate its cost on this backend; a config with a sweep section is validated and estimated point by point',
    input: z.strictObject({ config: z.unknown() }),
    output: z.object({
      ok: z.boolean(),
      config: z.record(z.string(), z.unknown()).optional(),
      error: z.object({ field: z.string(), message: z.string() }).optional(),
      estimate: z
        .object({
          runs: z.number().int().min(0),
          rounds: z.number().int().min(0),
          /** Training images to make the tickets, to evaluate them, and their sum (main/lab/cost.ts). */
          samples: z.number().int().min(0),
          evaluationSamples: z.number().int().min(0),
          trainingSamples: z.number().int().min(0),
          imagesPerSecond: num,
          /** Runs training at once. */
          concurrency: z.number().int().positive(),
          /** Training time of the runs one after another, and the wall time with `concurrency` at once. */
          runSeconds: num,
          seconds: num,
          basis: z.string(),
        })
        .optional(),
      /** A config with a `sweep` section: its points, tasks and runs (the estimate covers them all). */
      sweep: z.object({ points: z.number().int().min(0), tasks: z.number().int().min(0), runs: z.number().int().min(0) }).optional(),
    }),
  },
  'experiments.create': {
    help: "record a new experiment and its runs (method × seed, or only the runs given) and, unless start is false, queue them; datasetChecksums refuses data whose sha256 differs (a Slurm task's node must see the data its sweep was submitted with), recording nothing",
    input: z.strictObject({
      config: z.unknown(),
      preset: z.string().min(1).max(200).optional(),
      start: z.boolean().default(true),
      runs: z.array(z.strictObject({ method: z.enum(METHODS), seed: z.number().int().min(0) })).min(1).max(10_000).optional(),
      datasetChecksums: z.strictObject({ dataset: sha256, evaluationDataset: sha256 }).optional(),
    }),
    output: z.object({ experiment: experimentSummarySchema, runs: z.array(runSummarySchema), dataset: datasetFactsSchema, evaluationDataset: datasetFactsSchema.nullable() }),
  },
  'experiments.list': {
    help: 'experiments, newest first; search matches name, arch, dataset or preset',
    input: z.strictObject({ search: z.string().max(200).optional(), limit: limit.optional() }),
    output: z.array(experimentSummarySchema),
  },
  'experiments.get': {
    help: "one experiment with its config, its runs, each method's figures over seeds so far and the config of the preset it started from",
    input: z.strictObject({ id }),
    output: z.object({
      experiment: experimentSummarySchema,
      config: z.record(z.string(), z.unknown()),
      runs: z.array(runSummarySchema),
      /** Per method with stored rounds: dense and last rounds' accuracy and sparsity over seeds, and the training images spent. */
      methods: z.partialRecord(z.enum(METHODS), methodSummarySchema),
      /** The preset it started from, every default filled in (null without one). */
      presetConfig: z.record(z.string(), z.unknown()).nullable(),
    }),
  },
  'experiments.delete': {
    help: 'delete an experiment with its runs, rounds and tickets (refused while a run trains)',
    input: z.strictObject({ id }),
    output: z.object({ experimentId: id, runs: z.number().int().min(0), tickets: z.number().int().min(0) }),
  },
  'runs.list': {
    help: 'runs, newest first, filtered',
    input: z.strictObject({
      experimentId: id.optional(),
      method: z.enum(METHODS).optional(),
      dataset: z.string().max(200).optional(),
      arch: z.string().max(200).optional(),
      status: runStatusSchema.optional(),
      since: z.iso.datetime().optional(),
      minSparsity: fraction.optional(),
      maxSparsity: fraction.optional(),
      limit: limit.optional(),
    }),
    output: z.array(runSummarySchema),
  },
  'runs.get': {
    help: 'one run with its rounds (each with its evaluated points, untrained-ticket accuracy, mask check and cost), training curve (sampled batch loss) and live progress',
    input: z.strictObject({ id }),
    output: z.object({
      run: runSummarySchema.extend({
        error: z.string().nullable(),
        backendReason: z.string().nullable(),
        lastRound: z.number().int().min(0).nullable(),
        started: z.string().nullable(),
        /** Its provenance: the dataset's sha256, the backend's package and the app version that computed it. */
        datasetChecksum: z.string(),
        backendPackage: z.string().nullable(),
        appVersion: z.string(),
        backendAdapter: gpuAdapterSchema.nullable(),
      }),
      rounds: z.array(roundSchema),
      curve: z.array(z.object({ round: z.number().int().min(0), phase: z.string(), iteration: z.number().int().min(0), loss: num })),
      live: liveRunSchema.nullable(),
    }),
  },
  'runs.active': {
    help: 'the runs queued or training in this process, with their latest progress',
    input: z.strictObject({}),
    output: z.array(liveRunSchema),
  },
  'runs.start': {
    help: "queue an experiment's pending runs",
    input: z.strictObject({ experimentId: id }),
    output: z.object({ runIds: z.array(id) }),
  },
  'runs.pause': {
    help: 'pause a run (or all of an experiment) within a batch; finished rounds stay and runs.resume continues',
    input: runTarget,
    output: z.object({ runIds: z.array(id) }),
  },
  'runs.cancel': {
    help: 'cancel a run (or all of an experiment) within a batch; finished rounds stay',
    input: runTarget,
    output: z.object({ runIds: z.array(id) }),
  },
  'runs.resume': {
    help: "continue interrupted (or pending) runs from their last finished round; force takes over runs marked running by another machine or a reused process id; attempt records this attempt (this host, a Slurm task's job and array ids) in each resumed run's provenance",
    input: z
      .strictObject({
        ...runTargetFields,
        force: z.boolean().default(false),
        attempt: z
          .strictObject({ jobId: slurmId.nullable(), arrayJobId: slurmId.nullable(), arrayTaskId: z.number().int().min(0).nullable(), restarts: z.number().int().min(0).nullable() })
          .optional(),
      })
      .refine(oneTarget, oneTargetError),
    output: z.object({ runIds: z.array(id), notes: z.array(z.string()) }),
  },
  'sweeps.list': {
    help: 'sweeps (grids of experiments run locally or as Slurm job arrays), newest first',
    input: z.strictObject({ limit: limit.optional() }),
    output: z.array(sweepSummarySchema),
  },
  'sweeps.create': {
    help: "record a sweep: a grid over config fields (the config's sweep section, with axes added or replacing its own) as one experiment per point and a task per point × seed, every point checked against its data first (the error names the point and field); the same settings recorded before are taken up again, their finished runs kept. With start, a local sweep's unfinished runs are queued in this lab's job pool, point after point, and a Slurm sweep's unfinished tasks are submitted as one job array (backend: what each task selects on its node; dir: the folder of its manifest, shards and logs on the shared file system, default next to the library)",
    input: z.strictObject({
      config: z.unknown(),
      axes: z.array(gridAxisSchema).max(100).default([]),
      executor: z.enum(EXECUTORS).default('local'),
      slurm: slurmOptionsSchema.optional(),
      backend: z.enum(BACKEND_REQUESTS).default('auto'),
      dir: filePath.optional(),
      start: z.boolean().default(true),
    }),
    output: z.object({
      ...sweepViewFields,
      points: z.array(z.object({ point: z.string(), experimentId: id })),
      /** Recorded before with the same settings (its key): taken up again. */
      resubmitted: z.boolean(),
      /** A Slurm sweep started: the job array submitted now (null when nothing was left), the tasks submitted, those an earlier submission still has in Slurm, those finished already. */
      submission: z.object({ jobId: z.string().nullable(), submitted: taskList, inFlight: taskList, finished: taskList }).nullable(),
    }),
  },
  'sweeps.get': {
    help: "one sweep: its tasks (pending, running, finished, failed, with Slurm's state and reason) and its experiments' runs; asks Slurm first, merging the shards of tasks that ended (refresh auto: a running Slurm sweep, at most every 2 s, an unreachable Slurm a note; now: a Slurm sweep in any state, an unreachable Slurm the command's error)",
    input: z.strictObject({ id, refresh: z.enum(['auto', 'now']).default('auto') }),
    output: z.object(sweepViewFields),
  },
  'sweeps.cancel': {
    help: "cancel a Slurm sweep's queued and running tasks, waiting up to waitSeconds for Slurm to end them, then merge the rounds they finished",
    input: z.strictObject({ id, waitSeconds: z.number().int().min(0).max(600).default(15) }),
    output: z.object({ sweepId: id, cancelled: z.array(z.number().int().min(0)), ...sweepMergeFields }),
  },
  'sweeps.merge': {
    help: "merge the shards of a sweep's tasks that are not running into the library (merging again changes nothing)",
    input: z.strictObject({ id }),
    output: z.object({ sweepId: id, ...sweepMergeFields, running: z.array(z.number().int().min(0)) }),
  },
  'library.merge': {
    help: "merge a library file (a Slurm task's shard, a colleague's library) into this one: its runs with rounds, tickets, curves, checkpoints and provenance, one transaction per run; checked whole first (a newer or damaged file is refused, nothing merged); merging again changes nothing",
    input: z.strictObject({ shard: filePath }),
    output: mergeReportSchema,
  },
  'tickets.list': {
    help: 'tickets, newest first, filtered',
    input: z.strictObject({
      runId: id.optional(),
      experimentId: id.optional(),
      method: z.string().max(50).optional(),
      dataset: z.string().max(200).optional(),
      arch: z.string().max(200).optional(),
      source: z.enum(['run', 'file']).optional(),
      since: z.iso.datetime().optional(),
      minSparsity: fraction.optional(),
      maxSparsity: fraction.optional(),
      limit: limit.optional(),
    }),
    output: z.array(ticketSummarySchema),
  },
  'tickets.get': {
    help: "one ticket: its layers, every parameter of its model, its FLOPs, and the tickets of the other rounds of the run that made it",
    input: z.strictObject({ id }),
    output: z.object({
      ticket: ticketSummarySchema.extend({
        inputShape: z.array(z.number().int().positive()),
        classes: z.number().int().positive(),
        datasetChecksum: z.string().nullable(),
        sourceSha256: z.string().nullable(),
        sourceFormat: z.string().nullable(),
        appVersion: z.string(),
        /** Which weights the mask covers (the config's pruning.layers: conv, conv+dense or all). */
        prunableLayers: z.string(),
      }),
      layers: z.array(ticketLayerSchema),
      rounds: z.array(z.object({ round: z.number().int().min(0), ticketId: id, sparsity: z.number(), testAccuracy: num })),
      /** Every parameter of the model, prunable or not. */
      parameters: z.array(ticketParameterSchema),
      flops: ticketFlopsSchema,
      /** An imported ticket's origin as its file stated it (null for a run's ticket, or a file that says nothing). */
      origin: ticketOriginSchema.nullable(),
      /** Its trainings on datasets (tickets.evaluate), newest first. */
      evaluations: z.array(ticketEvaluationSchema),
    }),
  },
  'tickets.masks': {
    help: "a ticket's per-layer masks as grids of kept fractions, downsampled on the server to at most maxRows × maxCols",
    input: z.strictObject({
      id,
      layers: z.array(z.string().max(200)).max(500).optional(),
      maxRows: z.number().int().min(1).max(2048).default(128),
      maxCols: z.number().int().min(1).max(2048).default(128),
    }),
    output: z.object({ ticketId: id, grids: z.array(maskGridSchema) }),
  },
  'tickets.compare': {
    help: 'per-layer Jaccard overlap of two tickets and the overlap random masks of the same sparsities would have',
    input: z.strictObject({ a: id, b: id }),
    output: z.object({
      a: ticketSummarySchema,
      b: ticketSummarySchema,
      layers: z.array(layerOverlapSchema),
      overall: z.object({ weights: z.number().int().positive(), jaccard: fraction, expectedRandom: fraction }),
    }),
  },
  'tickets.import': {
    help: 'import a ticket file (colt-ticket/1 or PyTorch prune-style safetensors) from a path or its bytes (base64); arch, inputShape and classes for a PyTorch file that does not say them (otherwise inferred)',
    input: z
      .strictObject({
        path: filePath.optional(),
        name: z.string().min(1).max(255).optional(),
        bytes: z.base64().optional(),
        arch: z.string().min(1).max(200).optional(),
        /** Height, width, channels of the model's input. */
        inputShape: z.tuple([dim, dim, dim]).optional(),
        classes: z.number().int().positive().max(100_000).optional(),
      })
      .refine((x) => (x.path === undefined) !== (x.bytes === undefined), { message: 'give either path, or name and bytes', path: ['path'] })
      .refine((x) => x.bytes === undefined || x.name !== undefined, { message: 'bytes need a file name', path: ['name'] }),
    output: z.object({ ticketId: id, duplicate: z.boolean(), format: z.string(), notes: z.array(z.string()), ticket: ticketSummarySchema }),
  },
  'tickets.export': {
    help: 'export a ticket as safetensors (colt or PyTorch layout): to a path (an existing file only with force), or as bytes (base64) when no path is given; final (default true) includes the trained weights when the ticket has them (the PyTorch layout never does)',
    // final defaults to true on every front end: a ticket file is what the library holds of the
    // ticket, and a researcher who shares one expects its trained weights in it; leaving them out is a choice (final: false, `--no-final`).
    input: z.strictObject({ id, format: z.enum(['colt', 'pytorch']).default('colt'), final: z.boolean().default(true), path: filePath.optional(), force: z.boolean().default(false) }),
    output: z.object({ filename: z.string(), size: z.number().int().positive(), path: z.string().nullable(), bytes: z.string().nullable() }),
  },
  'tickets.delete': {
    help: 'delete an imported ticket (tickets made by runs go with their experiment)',
    input: z.strictObject({ id }),
    output: z.object({ ticketId: id }),
  },
  'datasets.list': {
    help: 'registered and built-in datasets',
    input: z.strictObject({}),
    output: z.array(datasetEntrySchema),
  },
  'datasets.add': {
    help: 'register a dataset folder or archive (IDX, CIFAR binary, image folders) under a name',
    input: z.strictObject({ name: z.string().min(1).max(100), path: filePath, format: z.enum(['idx', 'cifar10', 'cifar100', 'cifar100-coarse', 'image-folder']).optional() }),
    output: datasetEntrySchema,
  },
  'datasets.get': {
    help: 'load a dataset (decoded once, then from the cache) and give its shape, classes, class names, image counts, sha256 and where it was read from',
    input: z.strictObject({ name: z.string().min(1).max(200) }),
    output: datasetFactsSchema.extend({ classNames: z.array(z.string()), source: z.string() }),
  },
  'comparisons.get': {
    help: 'accuracy vs sparsity per method (mean ± std over seeds), the dense baseline, and rounds and samples to reach each target sparsity',
    input: z
      .strictObject({ ...selection, targets: z.array(z.number().gt(0).lt(1)).max(50).optional() })
      .refine(selectionRefine, { message: 'give exactly one of experimentId or runIds', path: ['experimentId'] }),
    output: z.object({
      runs: z.array(runSummarySchema),
      series: z.array(methodSeriesSchema),
      dense: statSchema.nullable(),
      reach: z.array(reachSchema),
    }),
  },
  'reports.create': {
    help: 'a self-contained HTML comparison report with its CSV (and PDF); written to a folder or file when one is given (the CSV unless csv is false; existing files only with force)',
    input: z
      .strictObject({
        ...selection,
        title: z.string().min(1).max(200).optional(),
        /** Write into this folder under the default name… */
        folder: filePath.optional(),
        /** …or to this HTML file (the CSV and PDF next to it, same name). */
        path: filePath.refine((p) => /\.html?$/i.test(p), 'the report file must end in .html').optional(),
        pdf: z.boolean().default(false),
        /** Write the CSV next to the HTML (when writing files). */
        csv: z.boolean().default(true),
        force: z.boolean().default(false),
      })
      .refine(selectionRefine, { message: 'give exactly one of experimentId or runIds', path: ['experimentId'] })
      .refine((x) => x.folder === undefined || x.path === undefined, { message: 'give a folder or a path, not both', path: ['path'] }),
    output: z.object({
      title: z.string(),
      /** The HTML file's suggested name (`<experiment>-report.html`). */
      filename: z.string(),
      html: z.string(),
      csv: z.string(),
      /** The PDF as base64, when asked for without a folder. */
      pdf: z.string().nullable(),
      /** The files written, when a folder was given. */
      files: z.array(z.string()),
    }),
  },
  'tickets.layerViews': {
    help: "a masked layer as the input-pixel map (a dense layer over the flattened input, as LTH papers draw fc1) and per filter (a conv kernel's kh × kw tiles)",
    input: z.strictObject({ id, layer: layerName }),
    output: z.object({
      ticketId: id,
      layer: z.string(),
      input: z.object({ layer: z.string(), rows: z.number().int().positive(), cols: z.number().int().positive(), channels: z.number().int().positive(), density: z.array(fraction) }).nullable(),
      filters: z
        .object({ layer: z.string(), filters: z.number().int().positive(), kh: z.number().int().positive(), kw: z.number().int().positive(), inputs: z.number().int().positive(), density: z.array(fraction), filterKept: z.array(fraction) })
        .nullable(),
    }),
  },
  'tickets.weights': {
    help: "the mask bits, θ0 and final values of a rectangle of one parameter's heatmap (rows = output units, columns = inputs · kernel positions; each weight's values when it holds at most 64)",
    input: z.strictObject({ id, layer: layerName, rowFrom: count, rowTo: count, colFrom: count, colTo: count }),
    output: z.object({
      ticketId: id,
      layer: z.string(),
      weights: count,
      kept: count,
      init: valueStatsSchema,
      final: valueStatsSchema.nullable(),
      values: z.array(z.object({ row: count, col: count, index: count, kept: z.boolean(), init: z.number(), final: z.number().nullable() })),
    }),
  },
  'tickets.values': {
    help: "one parameter's θ0 or final values (any parameter: the head and biases too) downsampled on the server to at most maxRows × maxCols cells of mean values",
    input: z.strictObject({
      id,
      layer: layerName,
      which: z.enum(['init', 'final']).default('init'),
      maxRows: z.number().int().min(1).max(2048).default(128),
      maxCols: z.number().int().min(1).max(2048).default(128),
    }),
    output: z.object({
      ticketId: id,
      which: z.enum(['init', 'final']),
      layer: z.string(),
      shape: shapeSchema,
      ...gridGeometry,
      mean: z.array(z.number()),
      maxAbs: z.number().min(0),
    }),
  },
  'tickets.diff': {
    help: 'which weights two tickets of one architecture keep: per layer kept by both, only A, only B, with counts, and heatmap grids of the difference',
    input: z.strictObject({
      a: id,
      b: id,
      grids: z.boolean().default(true),
      maxRows: z.number().int().min(1).max(1024).default(96),
      maxCols: z.number().int().min(1).max(1024).default(256),
    }),
    output: z.object({ layers: z.array(layerDiffSchema), total: layerDiffSchema.omit({ layer: true }), grids: z.array(diffGridSchema) }),
  },
  'tickets.evaluate': {
    help: "train a ticket (θ0 ⊙ mask with a full-class head; an imported one too) on a dataset as a job, with the recipe given as the experiment config's training and data fields; tickets.get shows how it went",
    input: z.strictObject({
      id,
      dataset: z.string().min(1).max(100),
      seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
      training: z.record(z.string(), z.unknown()).optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    }),
    output: z.object({ evaluationId: id, ticketId: id, status: z.literal('queued') }),
  },
  'experiments.jaccard': {
    help: "the Jaccard overlap of every pair of an experiment's tickets (seeds × methods × rounds, optionally some rounds only), each next to what random masks of the same sparsities would share",
    input: z.strictObject({ id, rounds: z.array(z.number().int().min(0)).min(1).max(201).optional() }),
    output: z.object({
      experimentId: id,
      /** Every round that has tickets (to pick from). */
      rounds: z.array(z.number().int().min(0)),
      tickets: z.array(matrixTicketSchema),
      n: count,
      /** Row-major n × n. */
      jaccard: z.array(fraction),
      expectedRandom: z.array(fraction),
    }),
  },
} as const;

/** A command's name (`noun.verb`). */
export type CommandName = keyof typeof COMMANDS;
/** What a caller sends for a command. */
export type CommandInput<C extends CommandName> = z.input<(typeof COMMANDS)[C]['input']>;
/** What a command answers. */
export type CommandOutput<C extends CommandName> = z.output<(typeof COMMANDS)[C]['output']>;
/** A command's input once parsed: its defaults filled in (what handlers receive). */
export type ParsedInput<C extends CommandName> = z.output<(typeof COMMANDS)[C]['input']>;

/** A request on the wire. */
export interface WireRequest {
  readonly id: string | number;
  readonly command: string;
  readonly input: unknown;
}

/** An error on the wire: one of LabError's codes, a message naming what is wrong, and details a client may act on (e.g. `{field: 'path', reason: 'exists'}`). */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** A reply on the wire. */
export type WireReply = { readonly id: string | number; readonly ok: true; readonly output: unknown } | { readonly id: string | number; readonly ok: false; readonly error: WireError };

/** An event on the wire. */
export interface WireEvent {
  readonly event: string;
  readonly payload: unknown;
}

/** True when a string names a command of the contract. */
export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/** Validates a command's input against the contract; the error names the command and field. */
export function parseCommandInput<C extends CommandName>(command: C, input: unknown): ParsedInput<C> {
  const result = COMMANDS[command].input.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? `input.${issue.path.join('.')}` : 'input';
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    throw invalidInput(`${command}: field '${field}': ${issue.message}${keys}`, { field });
  }
  return result.data as z.output<(typeof COMMANDS)[C]['input']>;
}

/**
 * Checks a command's answer against the contract and returns it as the output schema shapes it
 * (keys the schema does not name are dropped); a mismatch is the lab's bug, reported as internal
 * naming the command and field, never sent on.
 */
export function parseCommandOutput<C extends CommandName>(command: C, output: unknown): CommandOutput<C> {
  const result = COMMANDS[command].output.safeParse(output);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? `output.${issue.path.join('.')}` : 'output';
    throw new LabError('internal', `${command}: the answer does not match the contract at '${field}': ${issue.message}`, { field });
  }
  return result.data as CommandOutput<C>;
}
