import { readdir, stat } from 'node:fs/promises';
import { LabError, invalidInput } from '../contract/errors.js';
import { CIFAR_FOLDERS, cifarKindOf, cifarKindOfArchive } from './cifar.js';
import { findIdxFiles } from './idx.js';
import { kindOf } from './regular-file.js';
import { detectImageFolderLayout } from './image-folder.js';

/** The dataset formats the lab reads; 'cifar100-coarse' is CIFAR-100 with its 20 superclass labels. */
export type DatasetFormat = 'idx' | 'cifar10' | 'cifar100' | 'cifar100-coarse' | 'image-folder';

/** All formats, for validation and help texts. */
export const DATASET_FORMATS: readonly DatasetFormat[] = ['idx', 'cifar10', 'cifar100', 'cifar100-coarse', 'image-folder'];

/**
 * Detects what is at `path`: an IDX folder, a CIFAR-10/100 binary folder or .tar.gz, or an image folder.
 * Errors name the path when it is missing or nothing is recognised.
 */
export async function detectFormat(path: string): Promise<DatasetFormat> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new LabError('not_found', `${path}: no such file or folder`);
  }
  if (!info.isFile() && !info.isDirectory()) throw invalidInput(`${path} is ${kindOf(info)}: expected a dataset folder or a .tar.gz archive`);
  if (info.isFile()) {
    let kind;
    try {
      kind = await cifarKindOfArchive(path);
    } catch (err) {
      throw invalidInput(`${path}: not a readable CIFAR archive (${(err as Error).message})`);
    }
    if (kind !== undefined) return kind;
    throw invalidInput(`${path}: this archive holds no CIFAR-10 (data_batch_1.bin, test_batch.bin) or CIFAR-100 (train.bin, test.bin) binary files`);
  }
  if ((await findIdxFiles(path)).files !== undefined) return 'idx';
  const entries = await readdir(path);
  const kind = cifarKindOf(entries);
  if (kind !== undefined) return kind;
  for (const [k, folder] of Object.entries(CIFAR_FOLDERS)) {
    if (entries.includes(folder) && cifarKindOf(await readdir(`${path}/${folder}`)) !== undefined) return k as DatasetFormat;
  }
  if ((await detectImageFolderLayout(path)) !== undefined) return 'image-folder';
  throw invalidInput(
    `${path}: no dataset recognised: expected an IDX folder (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]), a CIFAR-10/100 binary folder or .tar.gz, or an image folder (train/<class>/ with test/ or val/, or TinyImageNet)`,
  );
}
