/** The dataset layer: readers, registry, cache, checksums, splits and the batch iterator. */
export type { Augmentation, Batch, Dataset, ImageSet, ImageShape, Normalization } from './types.js';
export { type IdxFolderOptions, type IdxImages, loadIdxFolder, parseIdxImages, parseIdxLabels, readIdxImages, readIdxLabels } from './idx.js';
export { type CifarKind, type CifarOptions, loadCifar, parseCifarRecords } from './cifar.js';
export { type TarEntry, type TarEntryType, readTar, readTarFile } from './tar.js';
export { type ImageFolderLayout, type ImageFolderOptions, detectImageFolderLayout, loadImageFolder } from './image-folder.js';
export { decodeImage } from './decode-image.js';
export { datasetChecksum } from './checksum.js';
export { type CacheSpec, type CachedResult, cachedDataset, cacheFile, cacheKey, readCachedDataset, writeCachedDataset } from './cache.js';
export { CIFAR_NORMALIZATION, TINY_IMAGENET_NORMALIZATION, computeNormalization, normalizeImages, normalizationTable } from './normalize.js';
export { type AugmentDraw, ImageRenderer, drawAugmentation } from './augment.js';
export { type BatchOptions, batchCount, batches } from './batches.js';
export {
  type ClassPartitions,
  type ValidationSplit,
  classListsOf,
  classPartitions,
  contiguousClassMap,
  filterClasses,
  limit,
  randomPartitions,
  subset,
  validationSplit,
} from './splits.js';
export { DATASET_FORMATS, type DatasetFormat, detectFormat } from './detect-format.js';
export { type LoadAtOptions, loadDatasetAt } from './load-source.js';
export { FASHION_MNIST_CLASS_NAMES } from './class-names.js';
export { WELL_KNOWN_DATASETS, type WellKnownDataset, howToAdd } from './well-known.js';
export {
  DEBIAN_FASHION_MNIST,
  type DatasetEntry,
  type LoadDatasetOptions,
  REGISTRY_FILE,
  SAMPLE_DATASET,
  addDataset,
  builtInDatasets,
  checkDatasetName,
  listDatasets,
  loadDataset,
  removeDataset,
} from './registry.js';
export { makeImageSet } from './image-set.js';
export { packageRoot } from '../common/paths.js';
