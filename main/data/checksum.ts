import { createHash, type Hash } from 'node:crypto';
import type { ImageSet } from './types.js';

/** Tag hashed first, so a change of this layout changes every checksum. */
const CHECKSUM_TAG = 'colt-dataset-checksum/1';

/**
 * sha256 (hex) over the decoded content: for train then test, the shape (h, w, c) and count as
 * little-endian uint32, the labels as little-endian int32, then the uint8 pixels (NHWC).
 */
export function datasetChecksum(train: ImageSet, test: ImageSet): string {
  const hash = createHash('sha256');
  hash.update(CHECKSUM_TAG);
  hashSet(hash, train);
  hashSet(hash, test);
  return hash.digest('hex');
}

function hashSet(hash: Hash, set: ImageSet): void {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(set.shape[0], 0);
  head.writeUInt32LE(set.shape[1], 4);
  head.writeUInt32LE(set.shape[2], 8);
  head.writeUInt32LE(set.count, 12);
  hash.update(head);
  hash.update(int32LeBytes(set.labels));
  hash.update(set.images);
}

/** The labels as little-endian bytes, whatever the host's byte order. */
function int32LeBytes(labels: Int32Array): Uint8Array {
  const out = Buffer.alloc(labels.length * 4);
  for (let i = 0; i < labels.length; i++) out.writeInt32LE(labels[i], i * 4);
  return out;
}
