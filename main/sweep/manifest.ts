import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { invalidInput, LabError } from '../contract/errors.js';
import { METHODS, parseExperimentConfig, type ExperimentConfig, type Method } from '../contract/experiment-config.js';
import { writeFileAtomic } from '../data/atomic-write.js';

/** The manifest's format tag. */
export const MANIFEST_FORMAT = 'colt-sweep/1';

/** The file in a sweep folder that tells each Slurm task what to train. */
export const MANIFEST_FILE = 'sweep.json';

const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  key: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  created: z.string(),
  appVersion: z.string(),
  /** The library the shards merge into (for people reading the folder). */
  library: z.string(),
  dataDir: z.string().min(1),
  backend: z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']),
  tasks: z.array(
    z.strictObject({
      task: z.number().int().min(0),
      point: z.string(),
      methods: z.array(z.enum(METHODS)).min(1),
      seed: z.number().int().min(0),
      config: z.record(z.string(), z.unknown()),
      datasetChecksum: z.string(),
      evalDatasetChecksum: z.string(),
    }),
  ),
});

/** A sweep's manifest: how every task trains (its point's config, methods, seed) and the data it must find. */
export type Manifest = z.output<typeof manifestSchema>;

/** One task of a manifest, its config validated. */
export interface ManifestTask {
  readonly task: number;
  readonly point: string;
  readonly methods: Method[];
  readonly seed: number;
  readonly config: ExperimentConfig;
  readonly datasetChecksum: string;
  readonly evalDatasetChecksum: string;
}

/** The shard library of a task in a sweep folder. */
export function shardPath(dir: string, task: number): string {
  return path.join(dir, 'shards', `task-${task}.sqlite`);
}

/** The Slurm log of a task in a sweep folder (every attempt appends to it). */
export function taskLogPath(dir: string, task: number): string {
  return path.join(dir, 'logs', `task-${task}.log`);
}

/** Writes the manifest into the sweep folder (atomically: a task never reads half of it). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  await writeFileAtomic(path.join(dir, MANIFEST_FILE), [Buffer.from(JSON.stringify(manifest, null, 1) + '\n')]);
}

/** Reads a sweep folder's manifest, naming the field at fault when it does not validate. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LabError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `sweep manifest ${file}: ${code ? `cannot read it (${code})` : `not valid JSON (${(e as Error).message})`}`);
  }
  const result = manifestSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalidInput(`sweep manifest ${file}: field '${issue.path.join('.') || '(manifest)'}': ${issue.message}`);
  }
  return result.data;
}

/** One task of a manifest, with its config validated again (the file sits on a shared file system). */
export function manifestTask(m: Manifest, dir: string, task: number): ManifestTask {
  const t = m.tasks.find((x) => x.task === task);
  if (!t) throw invalidInput(`sweep manifest ${path.join(dir, MANIFEST_FILE)} has no task ${task} (tasks 0-${m.tasks.length - 1})`);
  return { ...t, config: parseExperimentConfig(t.config) };
}
