import { invalidInput } from '../contract/errors.js';
import { Rng } from '../common/random.js';
import { imageSize, makeImageSet } from './image-set.js';
import type { ImageSet } from './types.js';

/** A set split in two: what remains for training and the held-out validation part. */
export interface ValidationSplit {
  readonly train: ImageSet;
  readonly val: ImageSet;
}

/** Class partitions: one set per part with labels re-indexed 0..k-1, and the original classes of each part in new-label order. */
export interface ClassPartitions {
  readonly sets: ImageSet[];
  readonly classes: number[][];
}

/** The samples at `indices` (in that order) as a new set; pixels are copied, except for a contiguous ascending range, which is a view. */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set.shape);
  const n = indices.length;
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= set.count) {
      throw invalidInput(`subset: indices[${k}] = ${i} is not a sample index (0..${set.count - 1})`);
    }
  }
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) labels[k] = set.labels[indices[k]];
  let contiguous = true;
  for (let k = 1; k < n && contiguous; k++) contiguous = indices[k] === indices[k - 1] + 1;
  if (contiguous && n > 0) {
    const start = indices[0] * size;
    return makeImageSet(set.images.subarray(start, start + n * size), labels, set.shape);
  }
  const images = new Uint8Array(n * size);
  for (let k = 0; k < n; k++) {
    const from = indices[k] * size;
    images.set(set.images.subarray(from, from + size), k * size);
  }
  return makeImageSet(images, labels, set.shape);
}

/** Sample indices grouped by label, each group in dataset order. */
function indicesByClass(set: ImageSet): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < set.count; i++) {
    const l = set.labels[i];
    let g = groups.get(l);
    if (g === undefined) groups.set(l, (g = []));
    g.push(i);
  }
  return groups;
}

/**
 * Picks `n` samples stratified by class: each class gets floor(n * share) and the remaining picks go to
 * the largest remainders (ties to the lower class); within a class the picks are a seeded random draw.
 * Returns [picked, rest], both in ascending index order.
 */
function stratifiedPick(set: ImageSet, n: number, rng: Rng): [Int32Array, Int32Array] {
  const groups = [...indicesByClass(set)].sort((a, b) => a[0] - b[0]);
  const quotas = groups.map(([, g]) => (n * g.length) / set.count);
  const take = quotas.map(Math.floor);
  let left = n - take.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, k) => ({ k, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.k - b.k);
  for (const { k } of order) {
    if (left === 0) break;
    if (take[k] < groups[k][1].length) {
      take[k]++;
      left--;
    }
  }
  const picked = new Uint8Array(set.count);
  groups.forEach(([, g], k) => {
    const shuffled = rng.shuffle(Int32Array.from(g));
    for (let j = 0; j < take[k]; j++) picked[shuffled[j]] = 1;
  });
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < set.count; i++) (picked[i] === 1 ? a : b).push(i);
  return [Int32Array.from(a), Int32Array.from(b)];
}

/**
 * Holds out round(fraction * count) samples for validation, stratified by class, deterministic in `seed`.
 * Both parts keep dataset order.
 */
export function validationSplit(set: ImageSet, fraction: number, seed: number): ValidationSplit {
  if (!(fraction > 0 && fraction < 1)) throw invalidInput(`validation fraction ${fraction} must be between 0 and 1 (exclusive)`);
  const n = Math.round(fraction * set.count);
  if (n === 0 || n === set.count) {
    throw invalidInput(`validation fraction ${fraction} of ${set.count} samples leaves an empty train or validation set`);
  }
  const [val, train] = stratifiedPick(set, n, Rng.derive(seed, 'data', 'validation-split'));
  return { train: subset(set, train), val: subset(set, val) };
}

/** A class-stratified random subset of `n` samples (the whole set when n ≥ count), deterministic in `seed`. */
export function limit(set: ImageSet, n: number, seed: number): ImageSet {
  if (!Number.isInteger(n) || n <= 0) throw invalidInput(`limit: sample count ${n} must be a positive integer`);
  if (n >= set.count) return set;
  const [picked] = stratifiedPick(set, n, Rng.derive(seed, 'data', 'limit', n));
  return subset(set, picked);
}

/**
 * The COLT authors' class map: P contiguous ranges of C/P classes (CIFAR-10, P = 2: classes 0-4 → 0,
 * 5-9 → 1). Entry c is the partition of class c. C must be divisible by P.
 */
export function contiguousClassMap(classes: number, parts: number): number[] {
  if (!Number.isInteger(parts) || parts < 1) throw invalidInput(`partitions: ${parts} must be a positive integer`);
  if (!Number.isInteger(classes) || classes < parts || classes % parts !== 0) {
    throw invalidInput(`partitions: ${classes} classes do not split into ${parts} equal contiguous ranges`);
  }
  const per = classes / parts;
  return Array.from({ length: classes }, (_, c) => Math.floor(c / per));
}

/** The classes of each partition of a class map, in ascending class order (the order new labels follow). */
export function classListsOf(classMap: readonly number[], parts: number): number[][] {
  const lists: number[][] = Array.from({ length: parts }, () => []);
  classMap.forEach((p, c) => {
    if (!Number.isInteger(p) || p < 0 || p >= parts) {
      throw invalidInput(`classMap[${c}] = ${p} is not a partition (0..${parts - 1})`);
    }
    lists[p].push(c);
  });
  lists.forEach((l, p) => {
    if (l.length === 0) throw invalidInput(`classMap: partition ${p} has no classes`);
  });
  return lists;
}

/** The samples of the listed classes, labels re-indexed to positions in `classes` (so test sets filter the same way). */
export function filterClasses(set: ImageSet, classes: readonly number[]): ImageSet {
  const newLabel = new Map<number, number>();
  classes.forEach((c, k) => {
    if (newLabel.has(c)) throw invalidInput(`classes: class ${c} is listed twice`);
    newLabel.set(c, k);
  });
  const picked: number[] = [];
  for (let i = 0; i < set.count; i++) if (newLabel.has(set.labels[i])) picked.push(i);
  const part = subset(set, picked);
  const labels = part.labels as Int32Array;
  for (let k = 0; k < labels.length; k++) labels[k] = newLabel.get(labels[k])!;
  return part;
}

/**
 * Splits a set by class into `parts` partitions given a class map (class → partition), re-indexing
 * labels within each partition (COLT-SPEC: each partition model has its own C/P-way head).
 */
export function classPartitions(set: ImageSet, classMap: readonly number[], parts?: number): ClassPartitions {
  const p = parts ?? Math.max(...classMap) + 1;
  for (let i = 0; i < set.count; i++) {
    if (set.labels[i] >= classMap.length) {
      throw invalidInput(`classMap: has ${classMap.length} entries but sample ${i} has label ${set.labels[i]}`);
    }
  }
  const classes = classListsOf(classMap, p);
  return { sets: classes.map((c) => filterClasses(set, c)), classes };
}

/** P disjoint random parts of the samples (sizes differ by at most one), labels unchanged, each in dataset order. */
export function randomPartitions(set: ImageSet, parts: number, seed: number): ImageSet[] {
  if (!Number.isInteger(parts) || parts < 1 || parts > set.count) {
    throw invalidInput(`partitions: ${parts} must be an integer between 1 and the sample count ${set.count}`);
  }
  const order = Rng.derive(seed, 'data', 'random-partitions', parts).shuffle(Int32Array.from({ length: set.count }, (_, i) => i));
  const out: ImageSet[] = [];
  for (let k = 0; k < parts; k++) {
    const start = Math.floor((k * set.count) / parts);
    const end = Math.floor(((k + 1) * set.count) / parts);
    out.push(subset(set, order.subarray(start, end).slice().sort()));
  }
  return out;
}
