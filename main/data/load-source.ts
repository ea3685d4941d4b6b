import { resolve } from 'node:path';
import { CIFAR_READER_VERSION, loadCifar } from './cifar.js';
import { cachedDataset } from './cache.js';
import { FASHION_MNIST_CLASS_NAMES } from './class-names.js';
import type { DatasetFormat } from './detect-format.js';
import { IDX_READER_VERSION, loadIdxFolder } from './idx.js';
import { IMAGE_FOLDER_READER_VERSION, loadImageFolder } from './image-folder.js';
import type { Dataset } from './types.js';

/** Options of loadDatasetAt. */
export interface LoadAtOptions {
  /** The dataset's name in the result. */
  readonly name: string;
  /** Decoded datasets are cached here when given. */
  readonly cacheDir?: string;
  /** Called when the cache could not be written (loading still succeeds). */
  readonly onCacheError?: (message: string) => void;
  /** IDX only: class names (default: Fashion-MNIST's when the name or path says "fashion", else digits). */
  readonly classNames?: readonly string[];
}

/** Reader version per format, so that a reader change invalidates its cache entries. */
const READER_VERSIONS: Record<DatasetFormat, number> = {
  idx: IDX_READER_VERSION,
  cifar10: CIFAR_READER_VERSION,
  cifar100: CIFAR_READER_VERSION,
  'cifar100-coarse': CIFAR_READER_VERSION,
  'image-folder': IMAGE_FOLDER_READER_VERSION,
};

/** The class names an IDX folder is read with (Fashion-MNIST's when the name or path says "fashion"); undefined for other formats. */
export function idxClassNames(format: DatasetFormat, name: string, source: string, given?: readonly string[]): readonly string[] | undefined {
  return format === 'idx' ? (given ?? (/fashion/i.test(`${name} ${source}`) ? FASHION_MNIST_CLASS_NAMES : undefined)) : undefined;
}

/** Decodes the dataset at `path` with the reader of `format`, through the cache when a cache folder is given. */
export async function loadDatasetAt(path: string, format: DatasetFormat, opts: LoadAtOptions): Promise<Dataset> {
  const source = resolve(path);
  const classNames = idxClassNames(format, opts.name, source, opts.classNames);
  const build = (): Promise<Dataset> => {
    switch (format) {
      case 'idx':
        return loadIdxFolder(source, { name: opts.name, classNames });
      case 'cifar10':
      case 'cifar100':
        return loadCifar(source, { name: opts.name });
      case 'cifar100-coarse':
        return loadCifar(source, { name: opts.name, labels: 'coarse' });
      case 'image-folder':
        return loadImageFolder(source, { name: opts.name });
    }
  };
  if (opts.cacheDir === undefined) return build();
  const variant = `${format}/v${READER_VERSIONS[format]}/${JSON.stringify(classNames ?? null)}`;
  const result = await cachedDataset({ cacheDir: resolve(opts.cacheDir), source, variant }, build);
  if (result.cacheError !== undefined) opts.onCacheError?.(result.cacheError);
  return result.dataset.name === opts.name ? result.dataset : { ...result.dataset, name: opts.name };
}
