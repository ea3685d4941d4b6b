import { resolve } from 'node:path';
import { sourceStamp } from './cache.js';
import { readIdxFolderMeta } from './idx.js';
import { idxClassNames, loadDatasetAt } from './load-source.js';
import { presentEntry, type LoadDatasetOptions } from './registry.js';
import type { Dataset, DatasetMeta } from './types.js';

// Validation and cost estimates need a dataset's shape, classes and labels, not its pixels: an IDX
// folder's are read from the image files' headers and the label files (Fashion-MNIST: 70,000
// labels, 32 header bytes, no image decoded). Other formats interleave labels with pixels (CIFAR's
// records) or keep them in folder names next to compressed images, so their metadata is taken from
// one decoded load (through the decoded-dataset cache). Either way the result is kept in memory by
// the source's files' sizes and mtimes, so a debounced keystroke re-reads nothing.

const known = new Map<string, { stamp: string; meta: DatasetMeta }>();

/** A dataset's metadata by name, read without decoding pixels where the format allows (IDX), cached by its files' sizes and mtimes. */
export async function loadDatasetMeta(name: string, opts: LoadDatasetOptions): Promise<DatasetMeta> {
  const entry = await presentEntry(name, opts.dataDir);
  const source = resolve(entry.path);
  const key = `${entry.format}\n${name}\n${source}`;
  const stamp = await sourceStamp(source);
  const hit = known.get(key);
  if (hit?.stamp === stamp) return hit.meta;
  const meta =
    entry.format === 'idx'
      ? await readIdxFolderMeta(source, { name, ...optional(idxClassNames(entry.format, name, source)) })
      : metaOf(await loadDatasetAt(entry.path, entry.format, { name, cacheDir: opts.cacheDir, onCacheError: opts.onCacheError }));
  known.set(key, { stamp, meta });
  return meta;
}

function optional(classNames: readonly string[] | undefined): { classNames?: readonly string[] } {
  return classNames ? { classNames } : {};
}

/** A loaded dataset's metadata. */
export function metaOf(d: Dataset): DatasetMeta {
  return { name: d.name, classes: d.classes, classNames: d.classNames, shape: d.shape, trainLabels: d.train.labels, testLabels: d.test.labels, source: d.source };
}
