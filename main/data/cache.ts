import { createHash } from 'node:crypto';
import { readdir, stat, type open } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { assembleDataset } from './dataset.js';
import { imageSize, makeImageSet } from './image-set.js';
import { openRegularFile } from './regular-file.js';
import type { Dataset, ImageSet, ImageShape, Normalization } from './types.js';

/** Version of the cache file layout below; part of every key. */
export const CACHE_FORMAT_VERSION = 1;

/**
 * Cache file layout (little-endian): "COLTDSET", uint32 version, uint32 header length, the header as
 * UTF-8 JSON, then train labels (int32), test labels (int32), train pixels, test pixels (uint8 NHWC).
 */
const MAGIC = Buffer.from('COLTDSET', 'latin1');
const PREFIX = 16;
const CHUNK = 1 << 30;

/** What identifies one cached decode: the source path and a variant naming the reader, its version and options. */
export interface CacheSpec {
  readonly cacheDir: string;
  readonly source: string;
  readonly variant: string;
}

/** A dataset and whether it came from the cache; `cacheError` says why it could not be written, if it could not. */
export interface CachedResult {
  readonly dataset: Dataset;
  readonly hit: boolean;
  readonly cacheError?: string;
}

interface Header {
  key: string;
  name: string;
  classNames: string[];
  shape: [number, number, number];
  trainCount: number;
  testCount: number;
  checksum: string;
  source: string;
  normalization: Normalization;
}

/** Relative path, size and mtime of every file under `source` (or of the file itself), one per line, sorted. */
export async function sourceStamp(source: string): Promise<string> {
  const lines: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
      for (const n of names) await walk(join(path, n));
    } else if (info.isFile()) {
      lines.push(`${relative(source, path)}\t${info.size}\t${info.mtimeMs}`);
    }
  };
  await walk(source);
  return lines.join('\n');
}

/** The cache key of a source in its current state: changes when any file's size or mtime, the reader or the options change. */
export async function cacheKey(spec: Omit<CacheSpec, 'cacheDir'>): Promise<string> {
  const stamp = await sourceStamp(spec.source);
  return createHash('sha256')
    .update(`colt-cache/${CACHE_FORMAT_VERSION}\n${spec.source}\n${spec.variant}\n${stamp}`)
    .digest('hex');
}

/** The cache file of a source and variant (one file per source, overwritten when the source changes). */
export function cacheFile(spec: CacheSpec): string {
  const id = createHash('sha256').update(`${spec.source}\n${spec.variant}`).digest('hex').slice(0, 32);
  return join(spec.cacheDir, `${id}.coltds`);
}

/** Serialises a dataset into the cache layout and writes it atomically. */
export async function writeCachedDataset(file: string, key: string, ds: Dataset): Promise<void> {
  const header: Header = {
    key,
    name: ds.name,
    classNames: [...ds.classNames],
    shape: [ds.shape[0], ds.shape[1], ds.shape[2]],
    trainCount: ds.train.count,
    testCount: ds.test.count,
    checksum: ds.checksum,
    source: ds.source,
    normalization: { mean: [...ds.normalization.mean], std: [...ds.normalization.std] },
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(CACHE_FORMAT_VERSION, 8);
  prefix.writeUInt32LE(json.length, 12);
  await writeFileAtomic(file, [prefix, json, labelBytes(ds.train.labels), labelBytes(ds.test.labels), ds.train.images, ds.test.images]);
}

function labelBytes(labels: Int32Array): Buffer {
  const out = Buffer.alloc(labels.length * 4);
  for (let i = 0; i < labels.length; i++) out.writeInt32LE(labels[i], i * 4);
  return out;
}

function isHeader(h: unknown): h is Header {
  if (typeof h !== 'object' || h === null) return false;
  const o = h as Record<string, unknown>;
  const nat = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;
  const norm = o.normalization as Record<string, unknown> | undefined;
  return (
    typeof o.key === 'string' &&
    typeof o.name === 'string' &&
    typeof o.checksum === 'string' &&
    typeof o.source === 'string' &&
    Array.isArray(o.classNames) &&
    o.classNames.every((n) => typeof n === 'string') &&
    Array.isArray(o.shape) &&
    o.shape.length === 3 &&
    o.shape.every((d) => nat(d) && (d as number) > 0) &&
    nat(o.trainCount) &&
    nat(o.testCount) &&
    typeof norm === 'object' &&
    norm !== null &&
    Array.isArray(norm.mean) &&
    Array.isArray(norm.std) &&
    norm.mean.every((v) => typeof v === 'number') &&
    norm.std.every((v) => typeof v === 'number')
  );
}

/**
 * Reads a cache file, returning undefined unless it is complete, well-formed, made for `key`, and its
 * content hashes to the checksum it claims (a cache file is never trusted).
 */
export async function readCachedDataset(file: string, key: string): Promise<Dataset | undefined> {
  let fh;
  let size: number;
  try {
    // Only a regular file is taken for a cache file, and opening never waits on a FIFO.
    ({ fh, size } = await openRegularFile(file));
  } catch {
    return undefined;
  }
  try {
    const prefix = await readExact(fh, Buffer.alloc(PREFIX), 0);
    if (prefix === undefined || !prefix.subarray(0, 8).equals(MAGIC) || prefix.readUInt32LE(8) !== CACHE_FORMAT_VERSION) return undefined;
    const jsonLength = prefix.readUInt32LE(12);
    if (PREFIX + jsonLength > size) return undefined;
    const json = await readExact(fh, Buffer.alloc(jsonLength), PREFIX);
    if (json === undefined) return undefined;
    let header: unknown;
    try {
      header = JSON.parse(json.toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isHeader(header) || header.key !== key) return undefined;
    const shape: ImageShape = header.shape;
    const per = imageSize(shape);
    const { trainCount, testCount } = header;
    let at = PREFIX + jsonLength;
    if (size !== at + 4 * (trainCount + testCount) + per * (trainCount + testCount)) return undefined;
    const trainLabels = await readLabels(fh, trainCount, at);
    at += 4 * trainCount;
    const testLabels = await readLabels(fh, testCount, at);
    at += 4 * testCount;
    const trainImages = await readExact(fh, new Uint8Array(trainCount * per), at);
    at += trainCount * per;
    const testImages = await readExact(fh, new Uint8Array(testCount * per), at);
    if (trainLabels === undefined || testLabels === undefined || trainImages === undefined || testImages === undefined) return undefined;
    let ds: Dataset;
    try {
      const train: ImageSet = makeImageSet(trainImages, trainLabels, shape);
      const test: ImageSet = makeImageSet(testImages, testLabels, shape);
      ds = assembleDataset({ name: header.name, classNames: header.classNames, train, test, source: header.source, normalization: header.normalization });
    } catch {
      return undefined;
    }
    return ds.checksum === header.checksum ? ds : undefined;
  } finally {
    await fh.close();
  }
}

type Handle = Awaited<ReturnType<typeof open>>;

/** Fills `into` from the file at `position`, or undefined if the file ends first. */
async function readExact<T extends Uint8Array>(fh: Handle, into: T, position: number): Promise<T | undefined> {
  let done = 0;
  while (done < into.length) {
    const want = Math.min(CHUNK, into.length - done);
    const { bytesRead } = await fh.read(into, done, want, position + done);
    if (bytesRead === 0) return undefined;
    done += bytesRead;
  }
  return into;
}

async function readLabels(fh: Handle, count: number, position: number): Promise<Int32Array | undefined> {
  const bytes = await readExact(fh, Buffer.alloc(count * 4), position);
  if (bytes === undefined) return undefined;
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = bytes.readInt32LE(i * 4);
  return out;
}

/**
 * Returns the cached decode of `spec.source` when a valid one exists, else builds it and writes the
 * cache (a failed write is reported in `cacheError`, never fatal).
 */
export async function cachedDataset(spec: CacheSpec, build: () => Promise<Dataset>): Promise<CachedResult> {
  const key = await cacheKey(spec);
  const file = cacheFile(spec);
  const cached = await readCachedDataset(file, key);
  if (cached !== undefined) return { dataset: cached, hit: true };
  const dataset = await build();
  try {
    await writeCachedDataset(file, key, dataset);
    return { dataset, hit: false };
  } catch (err) {
    // writeFileAtomic's errors name the file already.
    return { dataset, hit: false, cacheError: (err as Error).message };
  }
}
