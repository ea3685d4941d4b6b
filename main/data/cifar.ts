import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LabError, invalidInput } from '../contract/errors.js';
import { numberedClassNames, parseNameList } from './class-names.js';
import { assembleDataset } from './dataset.js';
import { fileError } from './file-errors.js';
import { makeImageSet } from './image-set.js';
import { CIFAR_NORMALIZATION } from './normalize.js';
import { kindOf, readRegularFile } from './regular-file.js';
import { readTarFile } from './tar.js';
import type { Dataset, ImageSet } from './types.js';

/** Bumped whenever the CIFAR reader's output could change; part of the cache key. */
export const CIFAR_READER_VERSION = 1;

/** Which CIFAR variant a folder or archive holds. */
export type CifarKind = 'cifar10' | 'cifar100';

/** Options of loadCifar. */
export interface CifarOptions {
  /** Dataset name (default: the kind). */
  readonly name?: string;
  /** CIFAR-100 only: the 100 fine labels (default) or the 20 coarse superclasses. */
  readonly labels?: 'fine' | 'coarse';
}

/** Largest CIFAR file read (CIFAR-100's train.bin is 153.7 MB). */
const MAX_CIFAR_FILE_BYTES = 256 * 1024 * 1024;

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = PLANE * 3;

const CIFAR10_TRAIN = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
const CIFAR10_TEST = ['test_batch.bin'];
const CIFAR10_META = 'batches.meta.txt';
const CIFAR100_TRAIN = ['train.bin'];
const CIFAR100_TEST = ['test.bin'];
const CIFAR100_FINE = 'fine_label_names.txt';
const CIFAR100_COARSE = 'coarse_label_names.txt';

/** The folder names inside the official archives. */
export const CIFAR_FOLDERS: Record<CifarKind, string> = {
  cifar10: 'cifar-10-batches-bin',
  cifar100: 'cifar-100-binary',
};

const WANTED = new Set([
  ...CIFAR10_TRAIN,
  ...CIFAR10_TEST,
  CIFAR10_META,
  ...CIFAR100_TRAIN,
  ...CIFAR100_TEST,
  CIFAR100_FINE,
  CIFAR100_COARSE,
]);

/** The files of one CIFAR copy by base name, read from a folder or an archive. */
type CifarFiles = Map<string, Buffer>;

/** Which kind a set of file names is, or undefined. */
export function cifarKindOf(names: Iterable<string>): CifarKind | undefined {
  const set = new Set(names);
  if (set.has('data_batch_1.bin') && set.has('test_batch.bin')) return 'cifar10';
  if (set.has('train.bin') && set.has('test.bin')) return 'cifar100';
  return undefined;
}

/**
 * Decodes CIFAR binary records (label byte(s) then 3072 bytes: the red, green and blue 32x32 planes)
 * into HWC images. `labelBytes` is 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine); `labelIndex` picks one.
 */
export function parseCifarRecords(
  batches: readonly { file: string; bytes: Buffer }[],
  labelBytes: 1 | 2,
  labelIndex: 0 | 1,
  classes: number,
  what: string,
): ImageSet {
  const record = labelBytes + PIXELS;
  let count = 0;
  for (const { file, bytes } of batches) {
    if (bytes.length === 0 || bytes.length % record !== 0) {
      throw invalidInput(`${file}: ${bytes.length} bytes is not a whole number of ${record}-byte ${what} records`);
    }
    count += bytes.length / record;
  }
  const images = new Uint8Array(count * PIXELS);
  const labels = new Int32Array(count);
  let n = 0;
  for (const { file, bytes } of batches) {
    const records = bytes.length / record;
    for (let r = 0; r < records; r++, n++) {
      const at = r * record;
      const label = bytes[at + labelIndex];
      if (label >= classes) {
        throw invalidInput(`${file}: label ${label} at byte ${at + labelIndex} is not a ${what} class (0..${classes - 1})`);
      }
      labels[n] = label;
      // Channel planes (CHW) to interleaved pixels (HWC).
      const src = at + labelBytes;
      const dst = n * PIXELS;
      for (let p = 0; p < PLANE; p++) {
        images[dst + p * 3] = bytes[src + p];
        images[dst + p * 3 + 1] = bytes[src + PLANE + p];
        images[dst + p * 3 + 2] = bytes[src + 2 * PLANE + p];
      }
    }
  }
  return makeImageSet(images, labels, [SIDE, SIDE, 3]);
}

/** Reads the CIFAR files of a folder: the folder itself or its cifar-10-batches-bin / cifar-100-binary child. */
async function readFolder(dir: string): Promise<{ files: CifarFiles; where: string }> {
  let where = dir;
  let entries = await readdir(dir);
  if (cifarKindOf(entries) === undefined) {
    for (const child of Object.values(CIFAR_FOLDERS)) {
      if (entries.includes(child)) {
        where = join(dir, child);
        entries = await readdir(where);
        break;
      }
    }
  }
  const files: CifarFiles = new Map();
  for (const name of entries) {
    if (WANTED.has(name)) files.set(name, await readRegularFile(join(where, name), { maxBytes: MAX_CIFAR_FILE_BYTES, what: 'CIFAR file' }));
  }
  return { files, where };
}

/** Reads the CIFAR files out of the distributed .tar.gz, streaming, keeping only the entries needed. */
async function readArchive(path: string): Promise<CifarFiles> {
  const files: CifarFiles = new Map();
  for await (const entry of readTarFile(path, (name) => WANTED.has(basename(name)))) {
    const name = basename(entry.name);
    if (entry.data !== undefined && !files.has(name)) files.set(name, entry.data);
  }
  return files;
}

/** The buffers of the listed files, or an error naming the first missing one. */
function take(files: CifarFiles, names: readonly string[], label: string): { file: string; bytes: Buffer }[] {
  return names.map((file) => {
    const bytes = files.get(file);
    if (bytes === undefined) throw new LabError('not_found', `${label}: no ${file} found`);
    return { file, bytes };
  });
}

/**
 * Loads CIFAR-10 or CIFAR-100 in the binary version, from the extracted folder (or its parent) or
 * directly from cifar-10-binary.tar.gz / cifar-100-binary.tar.gz. The kind is detected from the files.
 */
export async function loadCifar(path: string, opts: CifarOptions = {}): Promise<Dataset> {
  const source = resolve(path);
  let info;
  try {
    info = await stat(source);
  } catch (e) {
    throw fileError(e, source, 'read');
  }
  if (!info.isDirectory() && !info.isFile()) throw invalidInput(`${source} is ${kindOf(info)}: expected a CIFAR folder or .tar.gz archive`);
  let files: CifarFiles;
  let label: string;
  if (info.isDirectory()) {
    const folder = await readFolder(source);
    files = folder.files;
    label = folder.where;
  } else {
    files = await readArchive(source);
    label = basename(source);
  }
  const kind = cifarKindOf(files.keys());
  if (kind === undefined) {
    throw new LabError(
      'not_found',
      `${label}: no CIFAR binary files found (expected data_batch_1..5.bin + test_batch.bin, or train.bin + test.bin)`,
    );
  }
  if (kind === 'cifar10') {
    if (opts.labels === 'coarse') throw invalidInput(`${label}: coarse labels exist only in CIFAR-100`);
    const meta = files.get(CIFAR10_META);
    const classNames = meta !== undefined ? parseNameList(meta.toString('utf8'), 10, CIFAR10_META) : numberedClassNames(10);
    return assembleDataset({
      name: opts.name ?? 'cifar10',
      classNames,
      train: parseCifarRecords(take(files, CIFAR10_TRAIN, label), 1, 0, 10, 'CIFAR-10'),
      test: parseCifarRecords(take(files, CIFAR10_TEST, label), 1, 0, 10, 'CIFAR-10'),
      source,
      normalization: CIFAR_NORMALIZATION,
    });
  }
  const coarse = opts.labels === 'coarse';
  const classes = coarse ? 20 : 100;
  const namesFile = coarse ? CIFAR100_COARSE : CIFAR100_FINE;
  const names = files.get(namesFile);
  const what = coarse ? 'CIFAR-100 coarse' : 'CIFAR-100 fine';
  return assembleDataset({
    name: opts.name ?? (coarse ? 'cifar100-coarse' : 'cifar100'),
    classNames: names !== undefined ? parseNameList(names.toString('utf8'), classes, namesFile) : numberedClassNames(classes),
    train: parseCifarRecords(take(files, CIFAR100_TRAIN, label), 2, coarse ? 0 : 1, classes, what),
    test: parseCifarRecords(take(files, CIFAR100_TEST, label), 2, coarse ? 0 : 1, classes, what),
    source,
    normalization: CIFAR_NORMALIZATION,
  });
}

/** Lists the CIFAR kind inside an archive by reading its headers only (stops at the first decisive entry). */
export async function cifarKindOfArchive(path: string): Promise<CifarKind | undefined> {
  const seen: string[] = [];
  for await (const entry of readTarFile(path, () => false)) {
    seen.push(basename(entry.name));
    const kind = cifarKindOf(seen);
    if (kind !== undefined) return kind;
  }
  return undefined;
}
