import { invalidInput } from '../contract/errors.js';
import type { ImageSet, Normalization } from './types.js';

/** COLT-SPEC's CIFAR statistics (the authors' code uses them for CIFAR-10 and CIFAR-100). */
export const CIFAR_NORMALIZATION: Normalization = {
  mean: [0.5071, 0.4865, 0.4409],
  std: [0.2673, 0.2564, 0.2762],
};

/** COLT-SPEC's TinyImageNet statistics. */
export const TINY_IMAGENET_NORMALIZATION: Normalization = {
  mean: [0.4802, 0.4481, 0.3975],
  std: [0.2302, 0.2265, 0.2262],
};

/**
 * Per-channel mean and (population) standard deviation of the pixels scaled to [0, 1]. Sums are
 * integer-exact, so the result does not depend on summation order. A flat channel gets std 1.
 */
export function computeNormalization(set: ImageSet): Normalization {
  const c = set.shape[2];
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  const px = set.images;
  // Partial integer sums stay below 2^53 for any realistic dataset (255^2 * 2^32 < 2^48).
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    let q = 0;
    for (let i = ch; i < px.length; i += c) {
      const v = px[i];
      s += v;
      q += v * v;
    }
    sum[ch] = s;
    sumSq[ch] = q;
  }
  const n = px.length / c;
  const mean: number[] = [];
  const std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    const m = n > 0 ? sum[ch] / n / 255 : 0;
    const variance = n > 0 ? sumSq[ch] / n / (255 * 255) - m * m : 0;
    const sd = Math.sqrt(Math.max(0, variance));
    mean.push(round6(m));
    std.push(sd > 1e-6 ? round6(sd) : 1);
  }
  return { mean, std };
}

/** Rounds to 6 decimals so stored statistics read cleanly and compare exactly. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Checks that a normalization fits `channels` and has positive finite std. */
export function checkNormalization(norm: Normalization, channels: number): void {
  if (norm.mean.length !== channels || norm.std.length !== channels) {
    throw invalidInput(
      `normalization: mean/std have ${norm.mean.length}/${norm.std.length} values, images have ${channels} channels`,
    );
  }
  norm.std.forEach((s, i) => {
    if (!(s > 0) || !Number.isFinite(s)) throw invalidInput(`normalization: std[${i}] = ${s} must be positive`);
  });
  norm.mean.forEach((m, i) => {
    if (!Number.isFinite(m)) throw invalidInput(`normalization: mean[${i}] = ${m} must be finite`);
  });
}

/**
 * A lookup table mapping channel c and byte value v to (v/255 - mean[c]) / std[c], at index c*256 + v.
 * The batch kernels read it instead of doing arithmetic per pixel.
 */
export function normalizationTable(norm: Normalization, channels: number): Float32Array {
  checkNormalization(norm, channels);
  const lut = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - norm.mean[c]) / norm.std[c];
  }
  return lut;
}

/** All images of a set normalised into one float32 NHWC array (evaluation without augmentation). */
export function normalizeImages(set: ImageSet, norm: Normalization): Float32Array {
  const c = set.shape[2];
  const lut = normalizationTable(norm, c);
  const px = set.images;
  const out = new Float32Array(px.length);
  for (let i = 0, ch = 0; i < px.length; i++) {
    out[i] = lut[ch * 256 + px[i]];
    ch = ch + 1 === c ? 0 : ch + 1;
  }
  return out;
}
