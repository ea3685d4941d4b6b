import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { datasetChecksum } from '../../../main/data/checksum.js';
import { makeImageSet } from '../../../main/data/image-set.js';

const set = (pixels: number[], labels: number[]) => makeImageSet(Uint8Array.from(pixels), Int32Array.from(labels), [1, 2, 1]);

describe('dataset checksum', () => {
  it('hashes shapes, counts, little-endian labels and pixels of train then test', () => {
    const train = set([1, 2, 3, 4], [0, 258]);
    const test = set([5, 6], [1]);
    const u32 = (...v: number[]): Buffer => Buffer.from(Uint32Array.from(v).buffer);
    const expected = createHash('sha256')
      .update('colt-dataset-checksum/1')
      .update(u32(1, 2, 1, 2))
      .update(Buffer.from([0, 0, 0, 0, 2, 1, 0, 0]))
      .update(Buffer.from([1, 2, 3, 4]))
      .update(u32(1, 2, 1, 1))
      .update(Buffer.from([1, 0, 0, 0]))
      .update(Buffer.from([5, 6]))
      .digest('hex');
    expect(datasetChecksum(train, test)).toBe(expected);
  });

  it('changes when one pixel, one label, or the train/test order changes', () => {
    const a = set([1, 2, 3, 4], [0, 1]);
    const b = set([5, 6], [1]);
    const base = datasetChecksum(a, b);
    expect(datasetChecksum(set([1, 2, 3, 5], [0, 1]), b)).not.toBe(base);
    expect(datasetChecksum(set([1, 2, 3, 4], [1, 1]), b)).not.toBe(base);
    expect(datasetChecksum(b, a)).not.toBe(base);
    expect(datasetChecksum(set([1, 2, 3, 4], [0, 1]), set([5, 6], [1]))).toBe(base);
  });
});
