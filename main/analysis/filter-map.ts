import { invalidInput } from '../contract/errors.js';

/** A conv layer's mask per filter: for each output channel, its kh × kw kernel's kept fraction over input channels. */
export interface FilterMap {
  readonly layer: string;
  readonly filters: number;
  readonly kh: number;
  readonly kw: number;
  readonly inputs: number;
  /** filters × kh × kw, row-major per filter: kept / inputs at each kernel position, 0..1. */
  readonly density: number[];
  /** Kept fraction of each filter over all its weights. */
  readonly filterKept: number[];
}

/**
 * A conv kernel's mask [kh, kw, in, out] (our HWIO layout, index ((y·kw + x)·in + c)·out + f) as
 * one small kh × kw tile per filter, each position the fraction of its input channels kept: the
 * per-filter view in which structured (whole-filter or whole-position) pruning shows. Null for
 * anything but a rank-4 kernel.
 */
export function filterMap(layer: string, shape: readonly number[], mask: Uint8Array): FilterMap | null {
  if (shape.length !== 4) return null;
  const [kh, kw, inputs, filters] = shape;
  if (mask.length !== kh * kw * inputs * filters) throw invalidInput(`filter map: layer '${layer}' has shape [${shape.join(', ')}] but its mask has ${mask.length} weights`, { layer });
  const density = new Array<number>(filters * kh * kw).fill(0);
  const filterKept = new Array<number>(filters).fill(0);
  let i = 0;
  for (let pos = 0; pos < kh * kw; pos++) {
    for (let c = 0; c < inputs; c++) {
      for (let f = 0; f < filters; f++) {
        const m = mask[i++];
        density[f * kh * kw + pos] += m;
        filterKept[f] += m;
      }
    }
  }
  for (let k = 0; k < density.length; k++) density[k] /= inputs;
  for (let f = 0; f < filters; f++) filterKept[f] /= kh * kw * inputs;
  return { layer, filters, kh, kw, inputs, density, filterKept };
}
