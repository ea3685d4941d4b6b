import { readdir, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { basename, join, resolve } from 'node:path';
import { LabError, invalidInput } from '../contract/errors.js';
import { numberedClassNames } from './class-names.js';
import { assembleDataset } from './dataset.js';
import { makeImageSet } from './image-set.js';
import { computeNormalization } from './normalize.js';
import { isGzip } from './read-maybe-gzip.js';
import { openRegularFile, readAt } from './regular-file.js';
import type { Dataset, ImageSet, ImageShape } from './types.js';

/** Bumped whenever the IDX reader's output could change; part of the cache key. */
export const IDX_READER_VERSION = 1;

/** IDX magic for unsigned-byte data with 3 dimensions (images) and 1 dimension (labels). */
const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;

/** Images decoded from an IDX3 uint8 file. */
export interface IdxImages {
  readonly images: Uint8Array;
  readonly count: number;
  readonly shape: ImageShape;
}

/** The four standard file stems of an MNIST-style folder. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** Largest decoded IDX file accepted (2 GiB: 2.7 M images of 28x28). */
export const MAX_IDX_BYTES = 2 ** 31;

/** Deflate's best ratio is about 1032:1, so a gzip file cannot decode to more than this many times its size (plus slack). */
const GZIP_MAX_RATIO = 1032;

/** Checks the IDX magic number and returns the big-endian dimensions that follow it. */
function readHeader(bytes: Buffer, label: string, magic: number, what: string): number[] {
  const dims = magic & 0xff;
  const headerLength = 4 + 4 * dims;
  if (bytes.length < 4) {
    throw invalidInput(`${label}: ${bytes.length} bytes is too short for an IDX header (${headerLength} bytes)`);
  }
  const found = bytes.readUInt32BE(0);
  if (found !== magic) {
    throw invalidInput(`${label}: magic number ${hex32(found)} at byte 0 is not an IDX uint8 ${what} file (${hex32(magic)})`);
  }
  if (bytes.length < headerLength) {
    throw invalidInput(`${label}: file ends at byte ${bytes.length}, inside the ${headerLength}-byte IDX header`);
  }
  const out: number[] = [];
  for (let d = 0; d < dims; d++) out.push(bytes.readUInt32BE(4 + 4 * d));
  return out;
}

/** Checks that the body after the header (`total` bytes in all) is exactly `expected` bytes. */
function checkLength(total: number, label: string, headerLength: number, expected: number, formula: string): void {
  const have = total - headerLength;
  if (have < expected) {
    throw invalidInput(
      `${label}: truncated: the header promises ${formula} = ${expected} bytes after byte ${headerLength}, the file has ${have}`,
    );
  }
  if (have > expected) {
    throw invalidInput(
      `${label}: ${have - expected} unexpected trailing bytes after byte ${headerLength + expected} (header promises ${formula})`,
    );
  }
}

/** What an IDX header promises: the body's size in bytes and how to say it. */
function promise(dims: number[], magic: number): { body: number; formula: string } {
  if (magic === IMAGE_MAGIC) return { body: dims[0] * dims[1] * dims[2], formula: `${dims[0]} images x ${dims[1]}x${dims[2]}` };
  return { body: dims[0], formula: `${dims[0]} labels` };
}

/** Parses IDX3 uint8 image bytes (already gunzipped); `label` names the file in errors. */
export function parseIdxImages(bytes: Buffer, label: string): IdxImages {
  const [count, rows, cols] = readHeader(bytes, label, IMAGE_MAGIC, 'image');
  if (rows === 0 || cols === 0) {
    throw invalidInput(`${label}: image size ${rows}x${cols} (bytes 8 and 12) must be positive`);
  }
  checkLength(bytes.length, label, 16, count * rows * cols, `${count} images x ${rows}x${cols}`);
  const images = new Uint8Array(count * rows * cols);
  images.set(bytes.subarray(16));
  return { images, count, shape: [rows, cols, 1] };
}

/** Parses IDX1 uint8 label bytes (already gunzipped); `label` names the file in errors. */
export function parseIdxLabels(bytes: Buffer, label: string): Int32Array {
  const [count] = readHeader(bytes, label, LABEL_MAGIC, 'label');
  checkLength(bytes.length, label, 8, count, `${count} labels`);
  return Int32Array.from(bytes.subarray(8));
}

/**
 * Reads an IDX file, raw or gzipped (detected by its magic bytes), trusting its header only as far
 * as it can be checked first: a raw file's size must match what the header promises before the
 * body is read; a gzip stream is decoded into a buffer of the promised size and stopped the moment
 * it runs past it, after the promise was checked against what a file of that size can decode to.
 */
async function readIdxBytes(path: string, magic: number, what: string): Promise<Buffer> {
  const label = basename(path);
  const { fh, size } = await openRegularFile(path);
  try {
    const head = await readAt(fh, path, 0, Math.min(size, 2));
    if (!isGzip(head)) {
      const headerLength = 4 + 4 * (magic & 0xff);
      const dims = readHeader(await readAt(fh, path, 0, Math.min(size, headerLength)), label, magic, what);
      const { body, formula } = promise(dims, magic);
      checkLength(size, label, headerLength, body, formula);
      if (size > MAX_IDX_BYTES) throw invalidInput(`${label}: ${size} bytes is over the ${MAX_IDX_BYTES}-byte limit for an IDX file`);
      return await readAt(fh, path, 0, size);
    }
    return await gunzipIdx(fh, path, size, magic, what);
  } finally {
    await fh.close();
  }
}

async function gunzipIdx(fh: FileHandle, path: string, size: number, magic: number, what: string): Promise<Buffer> {
  const label = basename(path);
  const headerLength = 4 + 4 * (magic & 0xff);
  const gunzip = createGunzip();
  const source = fh.createReadStream({ start: 0, autoClose: false });
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  const pending: Buffer[] = [];
  let out: Buffer | undefined;
  let filled = 0;
  let body = 0;
  let formula = '';
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (out === undefined) {
        pending.push(chunk);
        const start = Buffer.concat(pending);
        if (start.length < headerLength) {
          // A wrong magic number is said at once, not after decoding the rest.
          if (start.length >= 4) readHeader(start.subarray(0, 4), label, magic, what);
          continue;
        }
        const dims = readHeader(start, label, magic, what);
        ({ body, formula } = promise(dims, magic));
        const total = headerLength + body;
        if (total > MAX_IDX_BYTES) throw invalidInput(`${label}: the header promises ${formula} = ${total} bytes, over the ${MAX_IDX_BYTES}-byte limit for an IDX file`);
        if (total > size * GZIP_MAX_RATIO + 65536) {
          throw invalidInput(`${label}: the header promises ${formula} = ${total} bytes, more than a ${size}-byte gzip file can hold`);
        }
        if (start.length > total) throw invalidInput(`${label}: unexpected trailing bytes after byte ${total} (header promises ${formula})`);
        out = Buffer.allocUnsafe(total);
        start.copy(out, 0);
        filled = start.length;
        pending.length = 0;
        continue;
      }
      if (filled + chunk.length > out.length) throw invalidInput(`${label}: unexpected trailing bytes after byte ${out.length} (header promises ${formula})`);
      chunk.copy(out, filled);
      filled += chunk.length;
    }
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw invalidInput(`${label}: gzip stream is corrupt or truncated (zlib: ${(err as Error).message})`, { path });
  } finally {
    source.unpipe(gunzip);
    source.destroy();
    gunzip.destroy();
  }
  if (out === undefined) {
    // The stream ended inside the header: readHeader says where.
    readHeader(Buffer.concat(pending), label, magic, what);
    throw invalidInput(`${label}: the gzip stream ends inside the IDX header`);
  }
  checkLength(filled, label, headerLength, body, formula);
  return out;
}

/** Reads an IDX3 uint8 image file, raw or gzipped (detected by its magic bytes). */
export async function readIdxImages(path: string): Promise<IdxImages> {
  return parseIdxImages(await readIdxBytes(path, IMAGE_MAGIC, 'image'), basename(path));
}

/** Reads an IDX1 uint8 label file, raw or gzipped (detected by its magic bytes). */
export async function readIdxLabels(path: string): Promise<Int32Array> {
  return parseIdxLabels(await readIdxBytes(path, LABEL_MAGIC, 'label'), basename(path));
}

/** Finds `stem`, `stem.gz` or the dotted variant (`train-images.idx3-ubyte`) some mirrors use, in a listing. */
function findIdxFile(entries: readonly string[], stem: string): string | undefined {
  const dotted = stem.replace(/-(idx\d-ubyte)$/, '.$1');
  for (const candidate of [stem, `${stem}.gz`, dotted, `${dotted}.gz`]) {
    if (entries.includes(candidate)) return candidate;
  }
  return undefined;
}

/** The file names of the four IDX files in `dir`, or a list of the missing stems. */
export async function findIdxFiles(
  dir: string,
): Promise<{ files?: Record<keyof typeof IDX_FILES, string>; missing: string[] }> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return { missing: Object.values(IDX_FILES) };
  }
  const files: Partial<Record<keyof typeof IDX_FILES, string>> = {};
  const missing: string[] = [];
  for (const key of Object.keys(IDX_FILES) as (keyof typeof IDX_FILES)[]) {
    const found = findIdxFile(entries, IDX_FILES[key]);
    if (found === undefined) missing.push(IDX_FILES[key]);
    else files[key] = found;
  }
  return missing.length === 0 ? { files: files as Record<keyof typeof IDX_FILES, string>, missing } : { missing };
}

/** Options of loadIdxFolder. */
export interface IdxFolderOptions {
  /** Dataset name (default: the folder's name). */
  readonly name?: string;
  /** Class names in label order (default: "0".."9", or as many as the largest label needs). */
  readonly classNames?: readonly string[];
}

/** Pairs an image file with its label file, checking that their counts agree. */
function pair(images: IdxImages, labels: Int32Array, imageFile: string, labelFile: string): ImageSet {
  if (labels.length !== images.count) {
    throw invalidInput(
      `${labelFile}: holds ${labels.length} labels (count at byte 4) but ${imageFile} holds ${images.count} images`,
    );
  }
  return makeImageSet(images.images, labels, images.shape);
}

/** Checks every label against the class count, naming the label file and the byte of the first bad one. */
function checkLabels(labels: Int32Array, classes: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= classes) {
      throw invalidInput(`${file}: label ${labels[i]} at byte ${8 + i} is not a class (0..${classes - 1})`);
    }
  }
}

/**
 * The class count of labels that come without class names: at least 10, more only when every
 * class up to the largest label occurs. A stray large byte (a label of 255 in a ten-class file)
 * is refused, naming its byte, instead of making a dataset of 256 classes.
 */
function inferClasses(labels: Int32Array, file: string): number {
  const seen = new Uint32Array(256);
  for (const l of labels) seen[l]++;
  let max = 9;
  for (let c = 255; c > 9; c--) {
    if (seen[c] > 0) {
      max = c;
      break;
    }
  }
  for (let c = 10; c < max; c++) {
    if (seen[c] === 0) {
      const at = labels.findIndex((l) => l > c);
      throw invalidInput(`${file}: label ${labels[at]} at byte ${8 + at} is not a class: no label between ${c} and ${labels[at] - 1} occurs, so the file does not hold ${labels[at] + 1} classes (a damaged label byte?)`);
    }
  }
  return max + 1;
}

/**
 * Loads an MNIST-style folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each raw or .gz). Normalised by the train set's statistics.
 */
export async function loadIdxFolder(dir: string, opts: IdxFolderOptions = {}): Promise<Dataset> {
  const root = resolve(dir);
  const { files, missing } = await findIdxFiles(root);
  if (files === undefined) {
    throw new LabError('not_found', `${root}: not an IDX folder: missing ${missing.map((m) => `${m}[.gz]`).join(', ')}`);
  }
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdxImages(join(root, files.trainImages)),
    readIdxLabels(join(root, files.trainLabels)),
    readIdxImages(join(root, files.testImages)),
    readIdxLabels(join(root, files.testLabels)),
  ]);
  const train = pair(trainImages, trainLabels, files.trainImages, files.trainLabels);
  const test = pair(testImages, testLabels, files.testImages, files.testLabels);
  if (train.shape[0] !== test.shape[0] || train.shape[1] !== test.shape[1]) {
    throw invalidInput(
      `${files.testImages}: images are ${test.shape[0]}x${test.shape[1]} (bytes 8, 12) but ${files.trainImages} has ${train.shape[0]}x${train.shape[1]}`,
    );
  }
  const classNames = opts.classNames ?? numberedClassNames(inferClasses(trainLabels, files.trainLabels));
  checkLabels(trainLabels, classNames.length, files.trainLabels);
  checkLabels(testLabels, classNames.length, files.testLabels);
  return assembleDataset({
    name: opts.name ?? basename(root),
    classNames,
    train,
    test,
    source: root,
    normalization: computeNormalization(train),
  });
}
