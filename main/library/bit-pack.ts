import { LabError } from '../contract/errors.js';

/** Packs a 0/1 mask into 1 bit per weight, least significant bit first (numpy `packbits(bitorder='little')`). */
export function packBits(mask: Uint8Array): Uint8Array {
  const out = new Uint8Array((mask.length + 7) >>> 3);
  const whole = mask.length & ~7;
  for (let i = 0, o = 0; i < whole; i += 8, o++) {
    out[o] =
      (mask[i] & 1) |
      ((mask[i + 1] & 1) << 1) |
      ((mask[i + 2] & 1) << 2) |
      ((mask[i + 3] & 1) << 3) |
      ((mask[i + 4] & 1) << 4) |
      ((mask[i + 5] & 1) << 5) |
      ((mask[i + 6] & 1) << 6) |
      ((mask[i + 7] & 1) << 7);
  }
  for (let i = whole; i < mask.length; i++) out[i >>> 3] |= (mask[i] & 1) << (i & 7);
  return out;
}

/** Unpacks `length` mask values from packBits output; refuses a wrong byte count or set padding bits. */
export function unpackBits(bits: Uint8Array, length: number, what = 'mask'): Uint8Array {
  if (bits.length !== (length + 7) >>> 3) {
    throw new LabError('storage', `${what}: ${bits.length} bytes of packed bits cannot hold ${length} values`);
  }
  const out = new Uint8Array(length);
  const whole = length & ~7;
  for (let i = 0, o = 0; i < whole; i += 8, o++) {
    const b = bits[o];
    out[i] = b & 1;
    out[i + 1] = (b >>> 1) & 1;
    out[i + 2] = (b >>> 2) & 1;
    out[i + 3] = (b >>> 3) & 1;
    out[i + 4] = (b >>> 4) & 1;
    out[i + 5] = (b >>> 5) & 1;
    out[i + 6] = (b >>> 6) & 1;
    out[i + 7] = (b >>> 7) & 1;
  }
  for (let i = whole; i < length; i++) out[i] = (bits[i >>> 3] >>> (i & 7)) & 1;
  if ((length & 7) !== 0 && bits[bits.length - 1] >>> (length & 7) !== 0) {
    throw new LabError('storage', `${what}: padding bits after the last value are set`);
  }
  return out;
}

/** Number of ones in a 0/1 mask. */
export function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}
