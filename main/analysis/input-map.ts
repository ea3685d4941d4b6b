import { invalidInput } from '../contract/errors.js';

/** A dense layer's mask drawn over the network's input image: per pixel, the kept fraction of its connections. */
export interface InputPixelMap {
  readonly layer: string;
  /** Input height and width: the map is drawn as the image. */
  readonly rows: number;
  readonly cols: number;
  readonly channels: number;
  /** Row-major rows × cols: kept / (channels · output units) of each pixel's weights, 0..1. */
  readonly density: number[];
}

/**
 * A first dense layer (LeNet's fc1: [784, 300] on 28×28×1) as the input-pixel map LTH papers draw:
 * for each pixel, the fraction of its weights (over channels and output units) the mask keeps.
 * Our flatten is (h, w, c): input index (y·W + x)·C + c, storage index input·out + unit. Null when
 * the layer is not a dense layer over the flattened input.
 */
export function inputPixelMap(layer: string, shape: readonly number[], mask: Uint8Array, inputShape: readonly [number, number, number]): InputPixelMap | null {
  const [h, w, c] = inputShape;
  if (shape.length !== 2 || shape[0] !== h * w * c) return null;
  const out = shape[1];
  if (mask.length !== shape[0] * out) throw invalidInput(`input map: layer '${layer}' has shape [${shape.join(', ')}] but its mask has ${mask.length} weights`, { layer });
  const density = new Array<number>(h * w).fill(0);
  let i = 0;
  for (let p = 0; p < h * w; p++) {
    let kept = 0;
    for (let k = 0; k < c * out; k++) kept += mask[i++];
    density[p] = kept / (c * out);
  }
  return { layer, rows: h, cols: w, channels: c, density };
}
