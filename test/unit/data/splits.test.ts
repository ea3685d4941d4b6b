import { describe, expect, it } from 'vitest';
import { makeImageSet } from '../../../main/data/image-set.js';
import {
  classPartitions,
  contiguousClassMap,
  filterClasses,
  limit,
  randomPartitions,
  subset,
  validationSplit,
} from '../../../main/data/splits.js';
import type { ImageSet } from '../../../main/data/types.js';

// 100 samples of 1x2x1: sample i has pixels (i, 255 - i) and label i % 10 for i < 70, else 3 (unbalanced classes).
const label = (i: number): number => (i < 70 ? i % 10 : 3);
const SET: ImageSet = makeImageSet(
  Uint8Array.from({ length: 200 }, (_, k) => (k % 2 === 0 ? k / 2 : 255 - (k - 1) / 2)),
  Int32Array.from({ length: 100 }, (_, i) => label(i)),
  [1, 2, 1],
);

/** The original sample index of every row of a derived set (from its first pixel). */
const ids = (s: ImageSet): number[] => Array.from({ length: s.count }, (_, k) => s.images[k * 2]);

const countBy = (labels: ArrayLike<number>): Map<number, number> => {
  const m = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) m.set(labels[i], (m.get(labels[i]) ?? 0) + 1);
  return m;
};

describe('splits and partitions', () => {
  it('subsets by index list, copying pixels and labels in the given order', () => {
    const s = subset(SET, [42, 7, 99]);
    expect(ids(s)).toEqual([42, 7, 99]);
    expect([...s.images]).toEqual([42, 213, 7, 248, 99, 156]);
    expect([...s.labels]).toEqual([2, 7, 3]);
    expect(() => subset(SET, [0, 100])).toThrow('subset: indices[1] = 100 is not a sample index (0..99)');
  });

  it('holds out a stratified, seeded validation split that partitions the set', () => {
    const { train, val } = validationSplit(SET, 0.2, 5);
    expect(val.count).toBe(20);
    expect(train.count).toBe(80);
    expect([...ids(train), ...ids(val)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Class 3 has 37 of 100 samples → 7.4 of 20; the other classes 7 each → 1.4.
    const perClass = countBy(val.labels);
    expect(perClass.get(3)).toBeGreaterThanOrEqual(7);
    expect(perClass.get(3)).toBeLessThanOrEqual(8);
    for (const c of [0, 1, 2, 4, 5, 6, 7, 8, 9]) expect(perClass.get(c) ?? 0).toBeGreaterThanOrEqual(1);
    for (let k = 0; k < val.count; k++) expect(val.labels[k]).toBe(label(ids(val)[k]));
    expect(ids(validationSplit(SET, 0.2, 5).val)).toEqual(ids(val));
    expect(ids(validationSplit(SET, 0.2, 6).val)).not.toEqual(ids(val));
    expect(() => validationSplit(SET, 1, 5)).toThrow(/between 0 and 1/);
  });

  it('limits to n samples stratified by class', () => {
    const small = limit(SET, 50, 1);
    expect(small.count).toBe(50);
    expect(countBy(small.labels).get(3)).toBeGreaterThanOrEqual(18);
    expect(countBy(small.labels).get(3)).toBeLessThanOrEqual(19);
    expect(new Set(ids(small)).size).toBe(50);
    expect(limit(SET, 500, 1)).toBe(SET);
  });

  it('maps classes to contiguous ranges as the COLT authors do, refusing uneven splits', () => {
    expect(contiguousClassMap(10, 2)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(contiguousClassMap(100, 4)[24]).toBe(0);
    expect(contiguousClassMap(100, 4)[25]).toBe(1);
    expect(() => contiguousClassMap(10, 3)).toThrow('partitions: 10 classes do not split into 3 equal contiguous ranges');
  });

  it('partitions by class, re-indexing labels within each part and filtering other sets the same way', () => {
    const { sets, classes } = classPartitions(SET, contiguousClassMap(10, 2), 2);
    expect(classes).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    expect(sets[0].count + sets[1].count).toBe(100);
    for (const [p, s] of sets.entries()) {
      for (let k = 0; k < s.count; k++) expect(classes[p][s.labels[k]]).toBe(label(ids(s)[k]));
    }
    expect(Math.max(...sets[1].labels)).toBe(4);
    const explicit = classPartitions(SET, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(explicit.classes).toEqual([[1, 3, 5, 7, 9], [0, 2, 4, 6, 8]]);
    expect(ids(explicit.sets[0]).every((i) => label(i) % 2 === 1)).toBe(true);
    expect(ids(filterClasses(SET, [9, 1])).every((i) => [9, 1].includes(label(i)))).toBe(true);
    expect([...filterClasses(SET, [9, 1]).labels].slice(0, 2)).toEqual([1, 0]);
    expect(() => classPartitions(SET, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2)).toThrow('classMap: partition 1 has no classes');
    expect(() => classPartitions(SET, [0, 1, 0], 2)).toThrow(/classMap: has 3 entries but sample 3 has label 3/);
  });

  it('splits samples into disjoint random parts that keep their labels', () => {
    const parts = randomPartitions(SET, 3, 9);
    expect(parts.map((p) => p.count)).toEqual([33, 33, 34]);
    const all = parts.flatMap(ids);
    expect(new Set(all).size).toBe(100);
    for (const p of parts) for (let k = 0; k < p.count; k++) expect(p.labels[k]).toBe(label(ids(p)[k]));
    expect(randomPartitions(SET, 3, 9).map(ids)).toEqual(parts.map(ids));
    expect(randomPartitions(SET, 3, 10).map(ids)).not.toEqual(parts.map(ids));
  });
});
