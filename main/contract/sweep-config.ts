import { z } from 'zod';
import { invalidInput } from './errors.js';

/**
 * Sweeps: grid axes over experiment-config fields (`--grid pruning.rate=0.1,0.2`, or a `sweep`
 * section in a config file), how a sweep's tasks run on Slurm, and the shapes the API shows of a
 * sweep. Pure: no Node imports (shared with the renderer as types).
 */

/** A config field path as `--set` takes it: dot-separated keys. */
const fieldPath = z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'expected a config field path such as pruning.rate');

/** JSON values a grid axis takes (numbers, strings, booleans, arrays, objects). */
const gridValue = z.json();

/** Most points one sweep may expand to (a Slurm array of this size is already large). */
export const MAX_SWEEP_POINTS = 10_000;

/** The `sweep` section of a config file: `{"grid": {"pruning.rate": [0.1, 0.2], "colt.partitions": [2, 3]}}`. */
export const sweepSectionSchema = z.strictObject({
  grid: z.record(fieldPath, z.array(gridValue).min(1).max(MAX_SWEEP_POINTS)).describe('config field path → the values it takes; the sweep is their cross product'),
});

/** One grid axis as the contract takes it (sweeps.create's axes; `--grid` parses to it). */
export const gridAxisSchema = z.strictObject({ path: fieldPath, values: z.array(gridValue).min(1).max(MAX_SWEEP_POINTS) });

/** One grid axis: a config field and the values it takes, in order. */
export interface GridAxis {
  readonly path: string;
  readonly values: readonly unknown[];
}

/** One point of a grid: the value of each axis, in axis order. */
export type GridPoint = readonly { readonly path: string; readonly value: unknown }[];

/** Splits a `--grid` value list on the commas that are not inside brackets, braces or a JSON string. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Parses `--grid path=v1,v2,…`: each value is JSON when it parses as JSON (0.1, true, ["imp"]),
 * otherwise a string (3ep), as `--set` reads values.
 */
export function parseGridFlag(text: string): GridAxis {
  const eq = text.indexOf('=');
  const where = `--grid '${text}'`;
  if (eq <= 0) throw invalidInput(`${where}: expected path=v1,v2,…, e.g. pruning.rate=0.1,0.2`, { field: 'grid' });
  const path = text.slice(0, eq);
  if (!fieldPath.safeParse(path).success) throw invalidInput(`${where}: '${path}' is not a config field path such as pruning.rate`, { field: 'grid' });
  const parts = splitTopLevel(text.slice(eq + 1));
  if (parts.some((p) => p.trim() === '')) throw invalidInput(`${where}: an empty value (two commas in a row, or a trailing comma)`, { field: 'grid' });
  const values = parts.map((p) => {
    try {
      return JSON.parse(p) as unknown;
    } catch {
      return p;
    }
  });
  return { path, values };
}

/** Takes the `sweep` section out of a raw config: the rest is the base config, the section's grid the axes. */
export function splitSweepSection(raw: Record<string, unknown>): { base: Record<string, unknown>; axes: GridAxis[]; hasSection: boolean } {
  if (!Object.prototype.hasOwnProperty.call(raw, 'sweep')) return { base: raw, axes: [], hasSection: false };
  const { sweep, ...base } = raw;
  const parsed = sweepSectionSchema.safeParse(sweep);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['sweep', ...issue.path.map(String)].join('.');
    const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
    throw invalidInput(`config field '${field}': ${issue.message}${keys}`, { field });
  }
  return { base, axes: Object.entries(parsed.data.grid).map(([path, values]) => ({ path, values })), hasSection: true };
}

/** Joins axes naming the same field (the file's and `--grid`'s): the later one wins, as `--set` does. */
export function mergeAxes(...lists: readonly (readonly GridAxis[])[]): GridAxis[] {
  const byPath = new Map<string, GridAxis>();
  for (const list of lists) for (const axis of list) byPath.set(axis.path, axis);
  return [...byPath.values()];
}

/** The cross product of the axes, first axis slowest; one empty point when there are no axes. */
export function gridPoints(axes: readonly GridAxis[]): GridPoint[] {
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > MAX_SWEEP_POINTS) {
    throw invalidInput(`the grid has ${count} points (${axes.map((a) => `${a.path}: ${a.values.length}`).join(' × ')}); at most ${MAX_SWEEP_POINTS} per sweep`, { field: 'grid' });
  }
  let points: GridPoint[] = [[]];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((value) => [...p, { path: axis.path, value }]));
  return points;
}

/** A point as people read it: `pruning.rate=0.1, colt.partitions=2`. */
export function pointLabel(point: GridPoint): string {
  return point.map((a) => `${a.path}=${typeof a.value === 'string' ? a.value : JSON.stringify(a.value)}`).join(', ');
}

/** Where a sweep's tasks run. */
export const EXECUTORS = ['local', 'slurm'] as const;
/** An executor name. */
export type Executor = (typeof EXECUTORS)[number];

/** A Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (sbatch --time). */
const slurmTime = z.string().regex(/^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2})$/, 'expected a Slurm time such as 30, 2:00:00 or 1-12:00');

/** How a sweep's tasks are submitted to Slurm (kept with the sweep, so retries submit the same way). */
export const slurmOptionsSchema = z.strictObject({
  partition: z.string().regex(/^[\w.,-]+$/, 'expected a partition name (or a comma-separated list)').optional(),
  gpusPerTask: z.string().regex(/^([\w.-]+:)?[1-9]\d*$/, 'expected a GPU count such as 1, or type:count such as a100:1').optional(),
  time: slurmTime.optional(),
  /** Further sbatch options, one per entry (`--account=lab`, `--qos=short`). */
  extra: z.array(z.string().regex(/^--?[A-Za-z][\w-]*(=[^\n\r]*)?$/, "expected sbatch options such as --account=lab or --qos=short")).default([]),
  /** Shell lines run before the task on the node (`module load nodejs/20`). */
  prelude: z.array(z.string().regex(/^[^\n\r]+$/, 'a prelude line may not contain a line break')).default([]),
  /** Let Slurm requeue a preempted task, and requeue tasks that end unfinished up to `retries` times. */
  requeue: z.boolean().default(false),
  retries: z.number().int().min(0).max(100).default(2),
});
/** Slurm submission options, validated. */
export type SlurmOptions = z.output<typeof slurmOptionsSchema>;

/** Splits `--slurm-extra "…"` into sbatch options as a shell would (quotes group, no expansion). */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw invalidInput(`--slurm-extra '${text}': an unclosed ${quote} quote`, { field: 'slurm-extra' });
  if (inWord) words.push(word);
  return words;
}

/** Validates Slurm options; the error names the option (`--slurm-time`, …). */
export function parseSlurmOptions(input: unknown): SlurmOptions {
  const result = slurmOptionsSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue.path[0] ?? '');
    const flag = { partition: '--slurm-partition', gpusPerTask: '--slurm-gpus-per-task', time: '--slurm-time', extra: '--slurm-extra', prelude: '--slurm-prelude', retries: '--retries', requeue: '--requeue' }[key] ?? key;
    throw invalidInput(`${flag}: ${issue.message}`, { field: key });
  }
  return result.data;
}

/** What a sweep's tasks ask for when they select a backend on their node (main/lab/backend): a backend, the CUDA build of the tensorflow one, or the best available. */
export const BACKEND_REQUESTS = ['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** A backend request. */
export type BackendRequest = (typeof BACKEND_REQUESTS)[number];

/** Where a task stands: queued in Slurm, running, done and merged, ended unfinished, or stopped by `colt sweep cancel`. */
export const TASK_STATES = ['pending', 'running', 'finished', 'failed', 'cancelled'] as const;
/** A task state. */
export type TaskState = (typeof TASK_STATES)[number];

/** Where a sweep stands, from its tasks. */
export const SWEEP_STATES = ['running', 'finished', 'failed', 'cancelled'] as const;
/** A sweep state. */
export type SweepState = (typeof SWEEP_STATES)[number];

const id = z.number().int().positive();

/** A sweep in lists. */
export const sweepSummarySchema = z.object({
  id,
  name: z.string(),
  key: z.string(),
  executor: z.enum(EXECUTORS),
  status: z.enum(SWEEP_STATES),
  dir: z.string().nullable(),
  axes: z.array(z.object({ path: z.string(), values: z.array(z.unknown()) })),
  points: z.number().int().min(0),
  experimentIds: z.array(id),
  jobIds: z.array(z.string()),
  tasks: z.number().int().min(0),
  counts: z.record(z.enum(TASK_STATES), z.number().int().min(0)),
  created: z.string(),
  updated: z.string(),
});

/** One task of a sweep: its runs, its point, where Slurm has it and why. */
export const sweepTaskSchema = z.object({
  task: z.number().int().min(0),
  experimentId: id,
  point: z.string(),
  methods: z.array(z.string()),
  seed: z.number().int().min(0),
  runIds: z.array(id),
  state: z.enum(TASK_STATES),
  slurmState: z.string().nullable(),
  reason: z.string().nullable(),
  jobId: z.string().nullable(),
  node: z.string().nullable(),
  attempts: z.number().int().min(0),
  roundsMerged: z.number().int().min(0),
  merged: z.string().nullable(),
  updated: z.string(),
});
