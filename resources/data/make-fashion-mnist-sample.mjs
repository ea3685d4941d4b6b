#!/usr/bin/env node
// Makes resources/data/fashion-mnist-sample/: the FIRST 12,000 training and FIRST 2,000 test images
// and labels of Fashion-MNIST, as IDX files gzipped with Node's zlib (level 9).
//
// Usage: node resources/data/make-fashion-mnist-sample.mjs [SOURCE_DIR] [OUT_DIR]
//   SOURCE_DIR defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist),
//   OUT_DIR to fashion-mnist-sample/ next to this script.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync, constants } from 'node:zlib';

const source = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const out = process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), 'fashion-mnist-sample');
const TRAIN = 12000;
const TEST = 2000;

/** Reads an IDX file (gzipped or raw) and checks its magic number. */
function readIdx(file, magic) {
  let bytes = readFileSync(join(source, file));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const found = bytes.readUInt32BE(0);
  if (found !== magic) throw new Error(`${file}: magic 0x${found.toString(16)} is not 0x${magic.toString(16)}`);
  return bytes;
}

/** Keeps the first `n` items: rewrites the count at byte 4 and cuts the body. */
function firstItems(bytes, n) {
  const dims = bytes[3];
  const header = 4 + 4 * dims;
  let itemSize = 1;
  for (let d = 1; d < dims; d++) itemSize *= bytes.readUInt32BE(4 + 4 * d);
  const count = bytes.readUInt32BE(4);
  if (count < n) throw new Error(`source holds ${count} items, fewer than ${n}`);
  const result = Buffer.from(bytes.subarray(0, header + n * itemSize));
  result.writeUInt32BE(n, 4);
  return result;
}

mkdirSync(out, { recursive: true });
const files = [
  ['train-images-idx3-ubyte', 0x803, TRAIN],
  ['train-labels-idx1-ubyte', 0x801, TRAIN],
  ['t10k-images-idx3-ubyte', 0x803, TEST],
  ['t10k-labels-idx1-ubyte', 0x801, TEST],
];
for (const [stem, magic, n] of files) {
  const bytes = firstItems(readIdx(`${stem}.gz`, magic), n);
  writeFileSync(join(out, `${stem}.gz`), gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
  process.stdout.write(`${stem}.gz: ${n} items\n`);
}
