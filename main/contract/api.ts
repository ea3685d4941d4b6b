import { z } from 'zod';
import { invalidInput } from './errors.js';
import { roundRecordSchema } from './events.js';
import { METHODS } from './experiment-config.js';

/**
 * The one typed contract between the UI and the lab (STYLE.md, One contract, thin transports):
 * command name → input and output schemas. Electron IPC, `POST /api/<command>` and the tests all
 * carry exactly these shapes. Pure: no Node or DOM imports, shared with the renderer as types.
 */

const id = z.number().int().positive();
const fraction = z.number().min(0).max(1);
const num = z.number().finite().nullable();
const limit = z.number().int().positive().max(100_000);

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

/** A stored round of a run, with the id of the ticket it made. */
export const roundSchema = roundRecordSchema.extend({ final: z.boolean(), ticketId: id.nullable(), created: z.string() });

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

/** A layer's mask as a grid of kept fractions (rows = output units/channels, cols = inputs · kernel). */
export const maskGridSchema = z.object({
  layer: z.string(),
  shape: z.array(z.number().int().positive()),
  rows: z.number().int().positive(),
  cols: z.number().int().positive(),
  rowsShown: z.number().int().positive(),
  colsShown: z.number().int().positive(),
  cellRows: z.number().int().positive(),
  cellCols: z.number().int().positive(),
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
  samples: statSchema,
  samplesWithEvaluation: statSchema,
  overlap: statSchema.nullable(),
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

/** A file path the server reads or writes: absolute, no `..` segments (checked again against the allowed folders). */
const filePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'the path contains a NUL byte')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'expected an absolute path')
  .refine((p) => !p.split(/[\\/]/).includes('..'), "the path may not contain '..' segments");

/** Either one run or all runs of one experiment. */
const runTarget = z
  .strictObject({ runId: id.optional(), experimentId: id.optional() })
  .refine((x) => (x.runId === undefined) !== (x.experimentId === undefined), { message: 'give exactly one of runId or experimentId', path: ['runId'] });

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
    help: 'app and engine versions, the active backend (and its WebGPU adapter), cores and the library path',
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
    help: 'validate an experiment config (the error names the field) and estimate its cost on this backend',
    input: z.strictObject({ config: z.unknown() }),
    output: z.object({
      ok: z.boolean(),
      config: z.record(z.string(), z.unknown()).optional(),
      error: z.object({ field: z.string(), message: z.string() }).optional(),
      estimate: z
        .object({
          runs: z.number().int().min(0),
          rounds: z.number().int().min(0),
          trainingSamples: z.number().int().min(0),
          imagesPerSecond: num,
          seconds: num,
          basis: z.string(),
        })
        .optional(),
    }),
  },
  'experiments.create': {
    help: 'record a new experiment and its runs (method × seed) and, unless start is false, queue them',
    input: z.strictObject({ config: z.unknown(), preset: z.string().min(1).max(200).optional(), start: z.boolean().default(true) }),
    output: z.object({ experiment: experimentSummarySchema, runs: z.array(runSummarySchema) }),
  },
  'experiments.list': {
    help: 'experiments, newest first; search matches name, arch, dataset or preset',
    input: z.strictObject({ search: z.string().max(200).optional(), limit: limit.optional() }),
    output: z.array(experimentSummarySchema),
  },
  'experiments.get': {
    help: 'one experiment with its config and runs',
    input: z.strictObject({ id }),
    output: z.object({ experiment: experimentSummarySchema, config: z.record(z.string(), z.unknown()), runs: z.array(runSummarySchema) }),
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
    help: 'one run with its rounds, training curve (sampled batch loss) and live progress',
    input: z.strictObject({ id }),
    output: z.object({
      run: runSummarySchema.extend({
        error: z.string().nullable(),
        backendReason: z.string().nullable(),
        backendAdapter: gpuAdapterSchema.nullable(),
        lastRound: z.number().int().min(0).nullable(),
        started: z.string().nullable(),
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
    help: 'continue interrupted (or pending) runs from their last finished round',
    input: runTarget,
    output: z.object({ runIds: z.array(id), notes: z.array(z.string()) }),
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
      minSparsity: fraction.optional(),
      maxSparsity: fraction.optional(),
      limit: limit.optional(),
    }),
    output: z.array(ticketSummarySchema),
  },
  'tickets.get': {
    help: "one ticket: its layers, and the tickets of the other rounds of the run that made it",
    input: z.strictObject({ id }),
    output: z.object({
      ticket: ticketSummarySchema.extend({
        inputShape: z.array(z.number().int().positive()),
        classes: z.number().int().positive(),
        datasetChecksum: z.string().nullable(),
        sourceSha256: z.string().nullable(),
        sourceFormat: z.string().nullable(),
        appVersion: z.string(),
      }),
      layers: z.array(ticketLayerSchema),
      rounds: z.array(z.object({ round: z.number().int().min(0), ticketId: id, sparsity: z.number(), testAccuracy: num })),
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
    help: 'import a ticket file (colt-ticket/1 or PyTorch prune-style safetensors) from a path or its bytes (base64)',
    input: z
      .strictObject({ path: filePath.optional(), name: z.string().min(1).max(255).optional(), bytes: z.base64().optional() })
      .refine((x) => (x.path === undefined) !== (x.bytes === undefined), { message: 'give either path, or name and bytes', path: ['path'] })
      .refine((x) => x.bytes === undefined || x.name !== undefined, { message: 'bytes need a file name', path: ['name'] }),
    output: z.object({ ticketId: id, duplicate: z.boolean(), format: z.string(), notes: z.array(z.string()), ticket: ticketSummarySchema }),
  },
  'tickets.export': {
    help: 'export a ticket as safetensors (colt or PyTorch layout): to a path, or as bytes (base64) when no path is given',
    input: z.strictObject({ id, format: z.enum(['colt', 'pytorch']).default('colt'), final: z.boolean().default(false), path: filePath.optional() }),
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
    help: 'a self-contained HTML comparison report with its CSV (and PDF); written to a folder or file when one is given (existing files only with force)',
    input: z
      .strictObject({
        ...selection,
        title: z.string().min(1).max(200).optional(),
        /** Write into this folder under the default name… */
        folder: filePath.optional(),
        /** …or to this HTML file (the CSV and PDF next to it, same name). */
        path: filePath.refine((p) => /\.html?$/i.test(p), 'the report file must end in .html').optional(),
        pdf: z.boolean().default(false),
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
} as const;

/** A command's name (`noun.verb`). */
export type CommandName = keyof typeof COMMANDS;
/** What a caller sends for a command. */
export type CommandInput<C extends CommandName> = z.input<(typeof COMMANDS)[C]['input']>;
/** What a command answers. */
export type CommandOutput<C extends CommandName> = z.output<(typeof COMMANDS)[C]['output']>;

/** A request on the wire. */
export interface WireRequest {
  readonly id: string | number;
  readonly command: string;
  readonly input: unknown;
}

/** An error on the wire: one of LabError's codes and a message naming what is wrong. */
export interface WireError {
  readonly code: string;
  readonly message: string;
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
export function parseCommandInput<C extends CommandName>(command: C, input: unknown): z.output<(typeof COMMANDS)[C]['input']> {
  const result = COMMANDS[command].input.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? `input.${issue.path.join('.')}` : 'input';
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    throw invalidInput(`${command}: field '${field}': ${issue.message}${keys}`, { field });
  }
  return result.data as z.output<(typeof COMMANDS)[C]['input']>;
}
