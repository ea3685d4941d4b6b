import { invalidInput } from '../contract/errors.js';
import type { ImageSet, ImageShape } from './types.js';

/** Number of bytes of one image of this shape. */
export function imageSize(shape: ImageShape): number {
  return shape[0] * shape[1] * shape[2];
}

/** Builds an ImageSet, checking that the pixel and label arrays agree with the shape and count. */
export function makeImageSet(images: Uint8Array, labels: Int32Array, shape: ImageShape): ImageSet {
  const count = labels.length;
  const [h, w, c] = shape;
  if (!(Number.isInteger(h) && Number.isInteger(w) && Number.isInteger(c) && h > 0 && w > 0 && c > 0)) {
    throw invalidInput(`image set: shape [${shape.join(',')}] must be three positive integers`);
  }
  if (images.length !== count * imageSize(shape)) {
    throw invalidInput(
      `image set: images hold ${images.length} bytes, expected ${count} x ${h}x${w}x${c} = ${count * imageSize(shape)}`,
    );
  }
  return { images, labels, count, shape: [h, w, c] };
}
