import { invalidInput } from '../contract/errors.js';
import { Rng } from '../common/random.js';
import { type AugmentDraw, ImageRenderer, checkAugmentation, drawAugmentation, isActive } from './augment.js';
import { imageSize } from './image-set.js';
import type { Augmentation, Batch, ImageSet, Normalization } from './types.js';

/** Options of the batch iterator. */
export interface BatchOptions {
  readonly batchSize: number;
  readonly normalization: Normalization;
  /**
   * Randomness for the epoch: shuffles the order (unless `shuffle` is false or `shuffleSeed` is given) and
   * then draws the augmentations. Without it (and without `shuffleSeed`) batches come in dataset order.
   */
  readonly rng?: Rng;
  /** A separate source for the order: an Rng, or a seed and epoch (derived as Rng.derive(seed, 'data', 'shuffle', epoch)). */
  readonly shuffleSeed?: Rng | { readonly seed: number; readonly epoch: number };
  /** Set false to keep dataset order even when `rng` is given. */
  readonly shuffle?: boolean;
  readonly augment?: Augmentation;
  /** Drop the last, smaller batch (default false). */
  readonly dropLast?: boolean;
  /** Reuse one pair of buffers for every batch (faster; a batch is then valid only until the next one). */
  readonly reuseBuffers?: boolean;
}

/** Number of batches an epoch yields. */
export function batchCount(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

/** The sample order of an epoch: a seeded permutation, or 0..n-1. */
function epochOrder(count: number, opts: BatchOptions): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  let rng: Rng | undefined;
  if (opts.shuffleSeed instanceof Rng) rng = opts.shuffleSeed;
  else if (opts.shuffleSeed !== undefined) rng = Rng.derive(opts.shuffleSeed.seed, 'data', 'shuffle', opts.shuffleSeed.epoch);
  else if (opts.shuffle !== false) rng = opts.rng;
  if (opts.shuffle === true && rng === undefined) throw invalidInput(`batches: 'shuffle' needs 'rng' or 'shuffleSeed'`);
  if (rng !== undefined) rng.shuffle(order);
  return order;
}

/** The Rng augmentations are drawn from. */
function augmentRng(opts: BatchOptions): Rng {
  if (opts.rng !== undefined) return opts.rng;
  const s = opts.shuffleSeed;
  if (s !== undefined && !(s instanceof Rng)) return Rng.derive(s.seed, 'data', 'augment', s.epoch);
  throw invalidInput(`batches: 'augment' needs 'rng' (or 'shuffleSeed' as {seed, epoch})`);
}

/**
 * Yields batches of normalised float32 NHWC images and int32 labels, in a seeded order with seeded
 * augmentations (deterministic for the same set, options and Rng state). The order is drawn before the
 * first batch, augmentations image by image in batch order.
 */
export function* batches(set: ImageSet, opts: BatchOptions): Generator<Batch> {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw invalidInput(`batches: batchSize ${batchSize} must be a positive integer`);
  const augment = isActive(opts.augment) ? opts.augment : undefined;
  if (augment !== undefined) checkAugmentation(augment, set.shape);
  const renderer = new ImageRenderer(set.shape, opts.normalization, augment?.rotationInterpolation ?? 'nearest');
  const order = epochOrder(set.count, opts);
  const rng = augment !== undefined ? augmentRng(opts) : undefined;
  const draw: AugmentDraw = { dy: 0, dx: 0, flip: false, angle: 0 };
  const size = imageSize(set.shape);
  const total = batchCount(set.count, batchSize, opts.dropLast === true);
  const xBuf = opts.reuseBuffers === true ? new Float32Array(batchSize * size) : undefined;
  const yBuf = opts.reuseBuffers === true ? new Int32Array(batchSize) : undefined;
  for (let b = 0; b < total; b++) {
    const start = b * batchSize;
    const n = Math.min(batchSize, set.count - start);
    const x = xBuf !== undefined ? xBuf.subarray(0, n * size) : new Float32Array(n * size);
    const y = yBuf !== undefined ? yBuf.subarray(0, n) : new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = order[start + k];
      y[k] = set.labels[i];
      renderer.render(set.images, i * size, x, k * size, rng !== undefined ? drawAugmentation(augment!, rng, draw) : undefined);
    }
    yield { x, y, size: n };
  }
}
