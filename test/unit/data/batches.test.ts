import { describe, expect, it } from 'vitest';
import { Rng } from '../../../main/common/random.js';
import { batchCount, batches } from '../../../main/data/batches.js';
import { makeImageSet } from '../../../main/data/image-set.js';
import type { Batch, ImageSet } from '../../../main/data/types.js';

// Ten 2x2 grey images: image i has pixels 10i..10i+3 and label i, so each batch row names its sample.
const SET: ImageSet = makeImageSet(
  Uint8Array.from({ length: 40 }, (_, k) => Math.floor(k / 4) * 10 + (k % 4)),
  Int32Array.from({ length: 10 }, (_, i) => i),
  [2, 2, 1],
);
const UNIT = { mean: [0], std: [1] };

const all = (gen: Iterable<Batch>): Batch[] => [...gen].map((b) => ({ ...b, x: b.x.slice(), y: b.y.slice() }));
const order = (bs: Batch[]): number[] => bs.flatMap((b) => [...b.y]);

describe('batch iterator', () => {
  it('yields dataset order without randomness, normalised, with a smaller last batch unless dropped', () => {
    const bs = all(batches(SET, { batchSize: 4, normalization: UNIT }));
    expect(bs.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(order(bs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bs[1].x[5]).toBeCloseTo(51 / 255, 6); // sample 5, pixel 1
    expect(bs[2].x).toHaveLength(8);
    expect(all(batches(SET, { batchSize: 4, normalization: UNIT, dropLast: true })).map((b) => b.size)).toEqual([4, 4]);
    expect(batchCount(10, 4)).toBe(3);
    expect(batchCount(10, 4, true)).toBe(2);
  });

  it('shuffles with the rng: each sample once per epoch, pixels travelling with labels, same seed same order', () => {
    const a = all(batches(SET, { batchSize: 3, normalization: UNIT, rng: new Rng(7) }));
    const b = all(batches(SET, { batchSize: 3, normalization: UNIT, rng: new Rng(7) }));
    expect(order(a)).toEqual(order(b));
    expect([...order(a)].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(order(a)).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const batch of a) {
      for (let k = 0; k < batch.size; k++) expect(Math.round(batch.x[k * 4] * 255)).toBe(batch.y[k] * 10);
    }
    expect(order(all(batches(SET, { batchSize: 3, normalization: UNIT, rng: new Rng(8) })))).not.toEqual(order(a));
    expect(order(all(batches(SET, { batchSize: 3, normalization: UNIT, rng: new Rng(7), shuffle: false })))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('derives the order from a seed and epoch', () => {
    const run = (epoch: number): number[] => order(all(batches(SET, { batchSize: 5, normalization: UNIT, shuffleSeed: { seed: 1, epoch } })));
    expect(run(0)).toEqual(run(0));
    expect(run(0)).not.toEqual(run(1));
  });

  it('augments deterministically for a seed and refuses to augment without randomness', () => {
    const augment = { cropPadding: 1, horizontalFlip: true, rotationDegrees: 10 };
    const a = all(batches(SET, { batchSize: 10, normalization: UNIT, rng: new Rng(2), augment }));
    const b = all(batches(SET, { batchSize: 10, normalization: UNIT, rng: new Rng(2), augment }));
    expect(a[0].x).toEqual(b[0].x);
    const plain = all(batches(SET, { batchSize: 10, normalization: UNIT, rng: new Rng(2) }));
    expect(a[0].x).not.toEqual(plain[0].x);
    expect(() => [...batches(SET, { batchSize: 2, normalization: UNIT, augment })]).toThrow(/'augment' needs 'rng'/);
    // An augmentation that changes nothing needs no randomness.
    expect(() => [...batches(SET, { batchSize: 2, normalization: UNIT, augment: { cropPadding: 0, horizontalFlip: false, rotationDegrees: 0 } })]).not.toThrow();
  });

  it('reuses one buffer when asked', () => {
    const xs = [...batches(SET, { batchSize: 4, normalization: UNIT, reuseBuffers: true })].map((b) => b.x.buffer);
    expect(new Set(xs).size).toBe(1);
  });
});
