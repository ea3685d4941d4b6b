import { invalidInput } from '../contract/errors.js';
import type { Rng } from '../common/random.js';
import { checkNormalization, normalizationTable } from './normalize.js';
import type { Augmentation, ImageShape, Normalization } from './types.js';

/** The random choices for one image: crop shift (output pixel (y, x) reads input (y+dy, x+dx) before flip), flip, rotation. */
export interface AugmentDraw {
  dy: number;
  dx: number;
  flip: boolean;
  /** Rotation in radians (0 = none). */
  angle: number;
}

/** True when the augmentation changes anything. */
export function isActive(aug: Augmentation | undefined): aug is Augmentation {
  return aug !== undefined && (aug.cropPadding > 0 || aug.horizontalFlip || aug.rotationDegrees > 0);
}

/** Checks an augmentation's fields against the image shape, naming the bad field. */
export function checkAugmentation(aug: Augmentation, shape: ImageShape): void {
  if (!Number.isInteger(aug.cropPadding) || aug.cropPadding < 0 || aug.cropPadding > Math.max(shape[0], shape[1])) {
    throw invalidInput(`augmentation field 'cropPadding': ${aug.cropPadding} must be an integer in 0..${Math.max(shape[0], shape[1])}`);
  }
  if (!Number.isFinite(aug.rotationDegrees) || aug.rotationDegrees < 0 || aug.rotationDegrees > 180) {
    throw invalidInput(`augmentation field 'rotationDegrees': ${aug.rotationDegrees} must be between 0 and 180`);
  }
  const interp = aug.rotationInterpolation;
  if (interp !== undefined && interp !== 'nearest' && interp !== 'bilinear') {
    throw invalidInput(`augmentation field 'rotationInterpolation': '${String(interp)}' must be 'nearest' or 'bilinear'`);
  }
}

/**
 * Draws one image's augmentation in a fixed order (crop dy, crop dx, flip, angle), as torchvision's
 * RandomCrop(padding), RandomHorizontalFlip(0.5), RandomRotation(±deg) in the authors' pipeline.
 */
export function drawAugmentation(aug: Augmentation, rng: Rng, out: AugmentDraw): AugmentDraw {
  const p = aug.cropPadding;
  out.dy = p > 0 ? rng.int(2 * p + 1) - p : 0;
  out.dx = p > 0 ? rng.int(2 * p + 1) - p : 0;
  out.flip = aug.horizontalFlip ? rng.next() < 0.5 : false;
  out.angle = aug.rotationDegrees > 0 ? ((rng.next() * 2 - 1) * aug.rotationDegrees * Math.PI) / 180 : 0;
  return out;
}

/**
 * Writes images as normalised float32 HWC, optionally cropped (zero padding), flipped and rotated
 * (zero fill) on the way. Tables and a zero row are built once; `render` allocates nothing.
 */
export class ImageRenderer {
  private readonly h: number;
  private readonly w: number;
  private readonly c: number;
  private readonly lut: Float32Array;
  private readonly zeroRow: Float32Array;
  private readonly scale: Float64Array;
  private readonly offset: Float64Array;
  private readonly bilinear: boolean;

  constructor(shape: ImageShape, norm: Normalization, interpolation: 'nearest' | 'bilinear' = 'nearest') {
    [this.h, this.w, this.c] = shape;
    checkNormalization(norm, this.c);
    this.lut = normalizationTable(norm, this.c);
    this.zeroRow = new Float32Array(this.w * this.c);
    for (let i = 0; i < this.zeroRow.length; i++) this.zeroRow[i] = this.lut[(i % this.c) * 256];
    this.scale = Float64Array.from(norm.std, (s) => 1 / (255 * s));
    this.offset = Float64Array.from(norm.mean, (m, i) => -m / norm.std[i]);
    this.bilinear = interpolation === 'bilinear';
  }

  /** Renders the image at src[srcOffset..] into dst[dstOffset..]; without `draw`, a plain normalised copy. */
  render(src: Uint8Array, srcOffset: number, dst: Float32Array, dstOffset: number, draw?: AugmentDraw): void {
    if (draw === undefined) this.shifted(src, srcOffset, dst, dstOffset, 0, 0, false);
    else if (draw.angle === 0) this.shifted(src, srcOffset, dst, dstOffset, draw.dy, draw.dx, draw.flip);
    else if (this.bilinear) this.rotatedBilinear(src, srcOffset, dst, dstOffset, draw);
    else this.rotatedNearest(src, srcOffset, dst, dstOffset, draw);
  }

  /** Crop + flip only: whole rows of table look-ups, zero rows/edges copied from the precomputed zero row. */
  private shifted(src: Uint8Array, srcOff: number, dst: Float32Array, dstOff: number, dy: number, dx: number, flip: boolean): void {
    const { h, w, c, lut, zeroRow } = this;
    const stride = w * c;
    // Output columns [x0, x1) have a source pixel; sx = x + dx, or (w - 1 - x) + dx when flipped.
    const x0 = flip ? Math.max(0, dx) : Math.max(0, -dx);
    const x1 = flip ? Math.min(w, w + dx) : Math.min(w, w - dx);
    for (let y = 0; y < h; y++) {
      const rowOut = dstOff + y * stride;
      const sy = y + dy;
      if (sy < 0 || sy >= h || x1 <= x0) {
        dst.set(zeroRow, rowOut);
        continue;
      }
      if (x0 > 0) dst.set(zeroRow.subarray(0, x0 * c), rowOut);
      if (x1 < w) dst.set(zeroRow.subarray(0, (w - x1) * c), rowOut + x1 * c);
      const rowIn = srcOff + sy * stride;
      let o = rowOut + x0 * c;
      const step = flip ? -c : c;
      let s = rowIn + (flip ? w - 1 - x0 + dx : x0 + dx) * c;
      const n = x1 - x0;
      if (c === 3) {
        for (let k = 0; k < n; k++, o += 3, s += step) {
          dst[o] = lut[src[s]];
          dst[o + 1] = lut[256 + src[s + 1]];
          dst[o + 2] = lut[512 + src[s + 2]];
        }
      } else if (c === 1) {
        for (let k = 0; k < n; k++, o++, s += step) dst[o] = lut[src[s]];
      } else {
        for (let k = 0; k < n; k++, s += step) for (let ch = 0; ch < c; ch++) dst[o++] = lut[ch * 256 + src[s + ch]];
      }
    }
  }

  /** Index in src of crop/flip-space pixel (yi, xi), or -1 where it is zero (outside the crop or the image). */
  private sourceIndex(srcOff: number, yi: number, xi: number, draw: AugmentDraw): number {
    const { h, w, c } = this;
    if (yi < 0 || yi >= h || xi < 0 || xi >= w) return -1;
    const sy = yi + draw.dy;
    const sx = (draw.flip ? w - 1 - xi : xi) + draw.dx;
    if (sy < 0 || sy >= h || sx < 0 || sx >= w) return -1;
    return srcOff + (sy * w + sx) * c;
  }

  /** Rotation about the image centre, nearest neighbour (torchvision's default), zero fill. */
  private rotatedNearest(src: Uint8Array, srcOff: number, dst: Float32Array, dstOff: number, draw: AugmentDraw): void {
    const { h, w, c, lut } = this;
    const cos = Math.cos(draw.angle);
    const sin = Math.sin(draw.angle);
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    let o = dstOff;
    for (let y = 0; y < h; y++) {
      const v = y - cy;
      for (let x = 0; x < w; x++) {
        const u = x - cx;
        const s = this.sourceIndex(srcOff, Math.round(sin * u + cos * v + cy), Math.round(cos * u - sin * v + cx), draw);
        for (let ch = 0; ch < c; ch++) dst[o++] = lut[ch * 256 + (s < 0 ? 0 : src[s + ch])];
      }
    }
  }

  /** Rotation about the image centre, bilinear over the four neighbours (zero outside), zero fill. */
  private rotatedBilinear(src: Uint8Array, srcOff: number, dst: Float32Array, dstOff: number, draw: AugmentDraw): void {
    const { h, w, c, scale, offset } = this;
    const cos = Math.cos(draw.angle);
    const sin = Math.sin(draw.angle);
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    let o = dstOff;
    for (let y = 0; y < h; y++) {
      const v = y - cy;
      for (let x = 0; x < w; x++) {
        const u = x - cx;
        const ys = sin * u + cos * v + cy;
        const xs = cos * u - sin * v + cx;
        const yf = Math.floor(ys);
        const xf = Math.floor(xs);
        const fy = ys - yf;
        const fx = xs - xf;
        const s00 = this.sourceIndex(srcOff, yf, xf, draw);
        const s01 = this.sourceIndex(srcOff, yf, xf + 1, draw);
        const s10 = this.sourceIndex(srcOff, yf + 1, xf, draw);
        const s11 = this.sourceIndex(srcOff, yf + 1, xf + 1, draw);
        const w00 = (1 - fy) * (1 - fx);
        const w01 = (1 - fy) * fx;
        const w10 = fy * (1 - fx);
        const w11 = fy * fx;
        for (let ch = 0; ch < c; ch++) {
          const value =
            (s00 < 0 ? 0 : w00 * src[s00 + ch]) +
            (s01 < 0 ? 0 : w01 * src[s01 + ch]) +
            (s10 < 0 ? 0 : w10 * src[s10 + ch]) +
            (s11 < 0 ? 0 : w11 * src[s11 + ch]);
          dst[o++] = value * scale[ch] + offset[ch];
        }
      }
    }
  }
}
