import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LabError, invalidInput } from '../contract/errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { DATASET_FORMATS, type DatasetFormat, detectFormat } from './detect-format.js';
import { findIdxFiles } from './idx.js';
import { loadDatasetAt } from './load-source.js';
import { packageRoot } from '../common/paths.js';
import type { Dataset } from './types.js';
import { howToAdd, wellKnown } from './well-known.js';

/** The registry file inside the data folder. */
export const REGISTRY_FILE = 'datasets.json';

/** The bundled 12,000 + 2,000 image Fashion-MNIST sample; always available. */
export const SAMPLE_DATASET = 'fashion-mnist-sample';

/** Where Debian's dataset-fashion-mnist package installs the full Fashion-MNIST. */
export const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

/** A dataset the registry knows: name, format, path, whether it is built in, and whether its files are there. */
export interface DatasetEntry {
  readonly name: string;
  readonly format: DatasetFormat;
  readonly path: string;
  readonly builtIn: boolean;
  readonly present: boolean;
}

/** Options of loadDataset. */
export interface LoadDatasetOptions {
  /** Folder holding datasets.json (user-registered datasets). */
  readonly dataDir: string;
  /** Folder for decoded-dataset caches (none when absent). */
  readonly cacheDir?: string;
  /** Called when the cache could not be written (loading still succeeds). */
  readonly onCacheError?: (message: string) => void;
}

interface StoredEntry {
  name: string;
  path: string;
  format: DatasetFormat;
}

/** The built-in datasets: the bundled sample (found from the package root) and Debian's Fashion-MNIST. */
export function builtInDatasets(): { name: string; format: DatasetFormat; path: string }[] {
  return [
    { name: SAMPLE_DATASET, format: 'idx', path: join(packageRoot(), 'resources', 'data', SAMPLE_DATASET) },
    { name: 'fashion-mnist', format: 'idx', path: DEBIAN_FASHION_MNIST },
  ];
}

/** Checks a dataset name against [a-z0-9][a-z0-9._-]* (at most 64 characters). */
export function checkDatasetName(name: string): void {
  if (!NAME_PATTERN.test(name) || name.length > 64) {
    throw invalidInput(`dataset name '${name}' must match [a-z0-9][a-z0-9._-]* (at most 64 characters)`, { field: 'name' });
  }
}

/** Reads datasets.json (an empty registry when the file does not exist), naming the field at fault. */
async function readRegistry(dataDir: string): Promise<StoredEntry[]> {
  const file = join(dataDir, REGISTRY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new LabError('storage', `${file}: cannot be read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalidInput(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const datasets = (json as { datasets?: unknown } | null)?.datasets;
  if (!Array.isArray(datasets)) throw invalidInput(`${file}: field 'datasets' must be an array`);
  return datasets.map((d: unknown, i) => {
    const e = d as Partial<StoredEntry> | null;
    if (typeof e?.name !== 'string' || !NAME_PATTERN.test(e.name)) throw invalidInput(`${file}: field 'datasets[${i}].name' is not a dataset name`);
    if (typeof e.path !== 'string' || e.path === '') throw invalidInput(`${file}: field 'datasets[${i}].path' must be a path`);
    if (!DATASET_FORMATS.includes(e.format as DatasetFormat)) {
      throw invalidInput(`${file}: field 'datasets[${i}].format' must be one of ${DATASET_FORMATS.join(', ')}`);
    }
    return { name: e.name, path: e.path, format: e.format as DatasetFormat };
  });
}

async function writeRegistry(dataDir: string, entries: StoredEntry[]): Promise<void> {
  const body = JSON.stringify({ version: 1, datasets: entries }, null, 2) + '\n';
  await writeFileAtomic(join(dataDir, REGISTRY_FILE), [Buffer.from(body, 'utf8')]);
}

/** Whether the files of a dataset are where its entry says. */
async function isPresent(path: string, format: DatasetFormat): Promise<boolean> {
  if (format === 'idx') return (await findIdxFiles(path)).files !== undefined;
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Built-in and user-registered datasets (a user entry replaces a built-in of the same name), with presence on disk. */
export async function listDatasets(dataDir: string): Promise<DatasetEntry[]> {
  const user = await readRegistry(dataDir);
  const out: DatasetEntry[] = [];
  for (const b of builtInDatasets()) {
    if (user.some((u) => u.name === b.name)) continue;
    out.push({ ...b, builtIn: true, present: await isPresent(b.path, b.format) });
  }
  for (const u of user) out.push({ ...u, builtIn: false, present: await isPresent(u.path, u.format) });
  return out;
}

/**
 * Registers the dataset at `path` under `name` in dataDir/datasets.json, detecting its format (or
 * checking the given one). A well-known name must have its expected format. Re-adding a name moves it.
 */
export async function addDataset(dataDir: string, name: string, path: string, format?: DatasetFormat): Promise<DatasetEntry> {
  checkDatasetName(name);
  if (name === SAMPLE_DATASET) throw invalidInput(`dataset name '${name}' is reserved for the bundled sample`, { field: 'name' });
  if (format !== undefined && !DATASET_FORMATS.includes(format)) {
    throw invalidInput(`format '${String(format)}' must be one of ${DATASET_FORMATS.join(', ')}`, { field: 'format' });
  }
  const abs = resolve(path);
  const detected = await detectFormat(abs);
  const chosen = format ?? detected;
  const compatible = chosen === detected || (chosen === 'cifar100-coarse' && detected === 'cifar100');
  if (!compatible) throw invalidInput(`${abs}: holds a ${detected} dataset, not ${chosen}`, { field: 'format' });
  const known = wellKnown(name);
  if (known !== undefined && !known.formats.includes(chosen)) {
    throw invalidInput(`${abs}: holds a ${chosen} dataset, but '${name}' must be ${known.formats.join(' or ')}`, { field: 'path' });
  }
  const entries = (await readRegistry(dataDir)).filter((e) => e.name !== name);
  entries.push({ name, path: abs, format: chosen });
  await writeRegistry(dataDir, entries);
  return { name, path: abs, format: chosen, builtIn: false, present: true };
}

/** Removes a user-registered dataset (its files are left alone); built-ins cannot be removed. */
export async function removeDataset(dataDir: string, name: string): Promise<void> {
  const entries = await readRegistry(dataDir);
  if (!entries.some((e) => e.name === name)) {
    throw new LabError('not_found', `dataset '${name}' is not registered in ${join(dataDir, REGISTRY_FILE)}`);
  }
  await writeRegistry(dataDir, entries.filter((e) => e.name !== name));
}

/** Loads a dataset by name; a known name whose files are missing fails with instructions for adding it. */
export async function loadDataset(name: string, opts: LoadDatasetOptions): Promise<Dataset> {
  const entry = await presentEntry(name, opts.dataDir);
  return loadDatasetAt(entry.path, entry.format, { name, cacheDir: opts.cacheDir, onCacheError: opts.onCacheError });
}

/** The registry's entry of a dataset whose files are there; a known name whose files are missing fails with instructions for adding it. */
export async function presentEntry(name: string, dataDir: string): Promise<DatasetEntry> {
  checkDatasetName(name);
  const entries = await listDatasets(dataDir);
  const entry = entries.find((e) => e.name === name);
  if (entry === undefined) {
    if (wellKnown(name) !== undefined) {
      throw new LabError('not_found', `dataset '${name}' is not registered: ${howToAdd(name)}`, { name });
    }
    throw new LabError(
      'not_found',
      `dataset '${name}' is not registered (known: ${entries.map((e) => e.name).join(', ')}): run \`colt data add ${name} PATH\``,
      { name },
    );
  }
  if (!entry.present) {
    if (entry.name === SAMPLE_DATASET) {
      throw new LabError('internal', `the bundled sample is missing from ${entry.path}: the installation is incomplete`);
    }
    const where = entry.builtIn ? `is not installed at ${entry.path}` : `is registered at ${entry.path} but its files are not there`;
    throw new LabError('not_found', `dataset '${name}' ${where}: ${howToAdd(name)}`, { name, path: entry.path });
  }
  return entry;
}
