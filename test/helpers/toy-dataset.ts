import { Rng } from '../../main/common/random.js';
import { assembleDataset } from '../../main/data/dataset.js';
import { makeImageSet } from '../../main/data/image-set.js';
import type { Dataset, ImageSet } from '../../main/data/types.js';

/**
 * A small real classification problem written in the lab's own image format: class c lights up
 * stripe c of an 8x8 image (plus noise), so a LeNet learns it in a few epochs on the cpu backend.
 */
export function stripeSet(count: number, classes: number, seed: number, size = 8): ImageSet {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * size * size);
  const labels = new Int32Array(count);
  const stripe = size / classes;
  for (let n = 0; n < count; n++) {
    const c = n % classes;
    labels[n] = c;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const on = Math.floor(x / stripe) === c;
        images[n * size * size + y * size + x] = on ? 140 + rng.int(110) : rng.int(110);
      }
    }
  }
  return makeImageSet(images, labels, [size, size, 1]);
}

/** The stripe problem as a Dataset with train and test sets. */
export function stripeDataset(name = 'stripes', classes = 4, train = 400, test = 100): Dataset {
  return assembleDataset({
    name,
    classNames: Array.from({ length: classes }, (_, i) => `stripe ${i}`),
    train: stripeSet(train, classes, 1),
    test: stripeSet(test, classes, 2),
    source: 'test/helpers/toy-dataset.ts',
    normalization: { mean: [0.35], std: [0.3] },
  });
}
