import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASS_NAMES } from '../../../main/data/class-names.js';
import { readIdxImages } from '../../../main/data/idx.js';
import { DEBIAN_FASHION_MNIST, loadDataset } from '../../../main/data/registry.js';
import { tempDir } from './fixtures.js';

const debianPresent = existsSync(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'));

describe('Fashion-MNIST', () => {
  it('loads the bundled sample: 12,000 train and 2,000 test images of 28x28, 10 named classes', async () => {
    const dataDir = await tempDir();
    const ds = await loadDataset('fashion-mnist-sample', { dataDir });
    expect(ds.train.count).toBe(12000);
    expect(ds.test.count).toBe(2000);
    expect(ds.shape).toEqual([28, 28, 1]);
    expect(ds.classes).toBe(10);
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    // The first labels of the real files (Ankle boot, T-shirt/top, T-shirt/top, Dress, ...).
    expect([...ds.train.labels.subarray(0, 10)]).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect([...ds.test.labels.subarray(0, 10)]).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    const perClass = new Array(10).fill(0);
    for (const l of ds.train.labels) perClass[l]++;
    expect(Math.min(...perClass)).toBeGreaterThan(1000);
    expect(ds.normalization.mean[0]).toBeGreaterThan(0.27);
    expect(ds.normalization.mean[0]).toBeLessThan(0.3);
  });

  it.skipIf(!debianPresent)(
    `loads the full dataset from Debian's package (skipped when ${DEBIAN_FASHION_MNIST} is absent), the sample being its first images`,
    async () => {
      const dataDir = await tempDir();
      const ds = await loadDataset('fashion-mnist', { dataDir });
      expect([ds.train.count, ds.test.count, ds.classes]).toEqual([60000, 10000, 10]);
      expect(ds.normalization.mean[0]).toBeCloseTo(0.286, 3);
      expect(ds.normalization.std[0]).toBeCloseTo(0.353, 3);
      const sample = await loadDataset('fashion-mnist-sample', { dataDir });
      expect(Buffer.from(sample.train.images).equals(Buffer.from(ds.train.images.subarray(0, 12000 * 784)))).toBe(true);
      expect(Buffer.from(sample.test.images).equals(Buffer.from(ds.test.images.subarray(0, 2000 * 784)))).toBe(true);
      expect([...sample.train.labels]).toEqual([...ds.train.labels.subarray(0, 12000)]);
      // Independent read of one pixel straight from the IDX file (header 16 bytes, row-major).
      const raw = await readIdxImages(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'));
      expect(ds.train.images[59999 * 784 + 14 * 28 + 14]).toBe(raw.images[59999 * 784 + 14 * 28 + 14]);
    },
  );
});
