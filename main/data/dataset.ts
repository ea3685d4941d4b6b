import { invalidInput } from '../contract/errors.js';
import { datasetChecksum } from './checksum.js';
import type { Dataset, ImageSet, Normalization } from './types.js';

/** What a reader found, before the checksum is computed. */
export interface DatasetParts {
  readonly name: string;
  readonly classNames: readonly string[];
  readonly train: ImageSet;
  readonly test: ImageSet;
  readonly source: string;
  readonly normalization: Normalization;
}

/** Assembles a Dataset from a reader's parts: checks shapes and label ranges, computes the checksum. */
export function assembleDataset(parts: DatasetParts): Dataset {
  const { train, test, classNames } = parts;
  const shape = train.shape;
  if (test.shape.some((d, i) => d !== shape[i])) {
    throw invalidInput(
      `${parts.source}: test images are ${test.shape.join('x')} but train images are ${shape.join('x')}`,
    );
  }
  if (parts.normalization.mean.length !== shape[2] || parts.normalization.std.length !== shape[2]) {
    throw invalidInput(`${parts.source}: normalization has ${parts.normalization.mean.length} channels, images ${shape[2]}`);
  }
  const classes = classNames.length;
  for (const [which, set] of [['train', train], ['test', test]] as const) {
    for (let i = 0; i < set.count; i++) {
      const l = set.labels[i];
      if (l < 0 || l >= classes) {
        throw invalidInput(`${parts.source}: ${which} label ${l} of sample ${i} is outside 0..${classes - 1}`);
      }
    }
  }
  return {
    name: parts.name,
    classes,
    classNames: [...classNames],
    shape: [shape[0], shape[1], shape[2]],
    train,
    test,
    checksum: datasetChecksum(train, test),
    source: parts.source,
    normalization: parts.normalization,
  };
}
