import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { invalidInput } from '../contract/errors.js';

/** A decoded image as 8-bit RGBA, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Which decoder the bytes need, judged by their magic bytes (not the file name). */
export function imageKind(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (PNG_MAGIC.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Decodes a PNG or JPEG file's bytes to RGBA (grey images come back with r = g = b); `label` names the file in errors. */
export function decodeImage(bytes: Buffer, label: string): RgbaImage {
  const kind = imageKind(bytes);
  if (kind === undefined) {
    throw invalidInput(`${label}: not a PNG or JPEG image (first bytes ${bytes.subarray(0, 4).toString('hex')} at byte 0)`);
  }
  try {
    if (kind === 'png') {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, rgba: png.data };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, rgba: img.data };
  } catch (err) {
    throw invalidInput(`${label}: cannot decode ${kind.toUpperCase()} (${(err as Error).message})`);
  }
}

/** Copies RGBA pixels to RGB at `dst[offset..]`, dropping alpha (as PIL's convert('RGB') does); returns true when every pixel is grey. */
export function rgbaToRgb(rgba: Uint8Array, dst: Uint8Array, offset: number): boolean {
  let grey = true;
  const n = rgba.length >> 2;
  for (let p = 0, s = 0, d = offset; p < n; p++, s += 4, d += 3) {
    const r = rgba[s];
    const g = rgba[s + 1];
    const b = rgba[s + 2];
    dst[d] = r;
    dst[d + 1] = g;
    dst[d + 2] = b;
    if (r !== g || g !== b) grey = false;
  }
  return grey;
}

/** Copies RGBA pixels to one luminance channel at `dst[offset..]` (ITU-R 601-2, as PIL's convert('L')). */
export function rgbaToGrey(rgba: Uint8Array, dst: Uint8Array, offset: number): void {
  const n = rgba.length >> 2;
  for (let p = 0, s = 0; p < n; p++, s += 4) {
    const r = rgba[s];
    const g = rgba[s + 1];
    const b = rgba[s + 2];
    dst[offset + p] = r === g && g === b ? r : Math.floor((r * 299 + g * 587 + b * 114 + 500) / 1000);
  }
}
