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
      // Uncovered columns at either edge (at most the padding wide): zero pixels.
      for (let i = 0, end = x0 * c; i < end; i++) dst[rowOut + i] = zeroRow[i];
      for (let i = x1 * c; i < stride; i++) dst[rowOut + i] = zeroRow[i];
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

  /**
   * Where crop/flip-space pixel (yi, xi) comes from: valid when ylo <= yi < yhi and xlo <= xi < xhi
   * (inside the crop window and the source image), then at src[base + yi * rowStep + xi * colStep].
   */
  private mapping(srcOff: number, draw: AugmentDraw): { ylo: number; yhi: number; xlo: number; xhi: number; base: number; rowStep: number; colStep: number } {
    const { h, w, c } = this;
    const { dy, dx, flip } = draw;
    // sx = (flip ? w - 1 - xi : xi) + dx must lie in [0, w), as must xi itself; likewise sy = yi + dy.
    const xlo = flip ? Math.max(0, dx) : Math.max(0, -dx);
    const xhi = flip ? Math.min(w, w + dx) : Math.min(w, w - dx);
    const ylo = Math.max(0, -dy);
    const yhi = Math.min(h, h - dy);
    const colStep = flip ? -c : c;
    const base = srcOff + dy * w * c + (flip ? w - 1 + dx : dx) * c;
    return { ylo, yhi, xlo, xhi, base, rowStep: w * c, colStep };
  }

  /** Rotation about the image centre, nearest neighbour (torchvision's default), zero fill. */
  private rotatedNearest(src: Uint8Array, srcOff: number, dst: Float32Array, dstOff: number, draw: AugmentDraw): void {
    const { h, w, c, lut, zeroRow } = this;
    const { ylo, yhi, xlo, xhi, base, rowStep, colStep } = this.mapping(srcOff, draw);
    const cos = Math.cos(draw.angle);
    const sin = Math.sin(draw.angle);
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    let o = dstOff;
    for (let y = 0; y < h; y++) {
      const v = y - cy;
      // Source coordinates move by (sin, cos) per output column.
      let ys = -sin * cx + cos * v + cy;
      let xs = -cos * cx - sin * v + cx;
      for (let x = 0; x < w; x++, ys += sin, xs += cos) {
        const yi = Math.round(ys);
        const xi = Math.round(xs);
        if (yi >= ylo && yi < yhi && xi >= xlo && xi < xhi) {
          const s = base + yi * rowStep + xi * colStep;
          for (let ch = 0; ch < c; ch++) dst[o++] = lut[ch * 256 + src[s + ch]];
        } else {
          for (let ch = 0; ch < c; ch++) dst[o++] = zeroRow[ch];
        }
      }
    }
  }

  /** Rotation about the image centre, bilinear over the four neighbours (zero outside), zero fill. */
  private rotatedBilinear(src: Uint8Array, srcOff: number, dst: Float32Array, dstOff: number, draw: AugmentDraw): void {
    const { h, w, c, scale, offset } = this;
    const { ylo, yhi, xlo, xhi, base, rowStep, colStep } = this.mapping(srcOff, draw);
    const cos = Math.cos(draw.angle);
    const sin = Math.sin(draw.angle);
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    let o = dstOff;
    for (let y = 0; y < h; y++) {
      const v = y - cy;
      let ys = -sin * cx + cos * v + cy;
      let xs = -cos * cx - sin * v + cx;
      for (let x = 0; x < w; x++, ys += sin, xs += cos) {
        const yf = Math.floor(ys);
        const xf = Math.floor(xs);
        const fy = ys - yf;
        const fx = xs - xf;
        const y0 = yf >= ylo && yf < yhi;
        const y1 = yf + 1 >= ylo && yf + 1 < yhi;
        const x0 = xf >= xlo && xf < xhi;
        const x1 = xf + 1 >= xlo && xf + 1 < xhi;
        const s00 = base + yf * rowStep + xf * colStep;
        const w00 = y0 && x0 ? (1 - fy) * (1 - fx) : 0;
        const w01 = y0 && x1 ? (1 - fy) * fx : 0;
        const w10 = y1 && x0 ? fy * (1 - fx) : 0;
        const w11 = y1 && x1 ? fy * fx : 0;
        for (let ch = 0; ch < c; ch++) {
          let value = 0;
          if (w00 !== 0) value += w00 * src[s00 + ch];
          if (w01 !== 0) value += w01 * src[s00 + colStep + ch];
          if (w10 !== 0) value += w10 * src[s00 + rowStep + ch];
          if (w11 !== 0) value += w11 * src[s00 + rowStep + colStep + ch];
          dst[o++] = value * scale[ch] + offset[ch];
        }
      }
    }
  }
}
