import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { LabError, invalidInput } from '../contract/errors.js';
import { assembleDataset } from './dataset.js';
import { decodeImage, rgbaToGrey, rgbaToRgb } from './decode-image.js';
import { makeImageSet } from './image-set.js';
import { readRegularFile } from './regular-file.js';
import { TINY_IMAGENET_NORMALIZATION, computeNormalization } from './normalize.js';
import type { Dataset, ImageSet } from './types.js';

/** Bumped whenever the image-folder reader's output could change; part of the cache key. */
export const IMAGE_FOLDER_READER_VERSION = 1;

/** TinyImageNet's layout (wnids.txt, train/<wnid>/images, val/val_annotations.txt) or the generic train/<class>, test|val/<class>. */
export type ImageFolderLayout = 'tinyimagenet' | 'generic';

/** Options of loadImageFolder. */
export interface ImageFolderOptions {
  /** Dataset name (default: the folder's name). */
  readonly name?: string;
  /** Force 1 (luminance) or 3 (RGB) channels; default 3 if any image has colour, else 1. */
  readonly channels?: 1 | 3;
  /** Files read in parallel (default 32). */
  readonly concurrency?: number;
}

/** One image file and its class. */
interface Sample {
  readonly file: string;
  readonly rel: string;
  readonly label: number;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

/** Largest image file and text file (wnids.txt, annotations) read. */
const MAX_IMAGE_FILE_BYTES = 64 * 1024 * 1024;
const MAX_TEXT_FILE_BYTES = 64 * 1024 * 1024;

async function readText(file: string): Promise<string> {
  return (await readRegularFile(file, { maxBytes: MAX_TEXT_FILE_BYTES, what: 'text file' })).toString('utf8');
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Sub-folders of a folder, sorted by code unit (as Python's sorted(), so class order matches torchvision's ImageFolder). */
async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byCodeUnit);
}

/** Image files (.png, .jpg, .jpeg, any case) of a folder, sorted. */
async function imageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.') && IMAGE_EXTENSIONS.test(e.name))
    .map((e) => e.name)
    .sort(byCodeUnit);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Which image-folder layout `dir` has, or undefined when it has neither. */
export async function detectImageFolderLayout(dir: string): Promise<ImageFolderLayout | undefined> {
  if (!(await isDir(join(dir, 'train')))) return undefined;
  if ((await isFile(join(dir, 'wnids.txt'))) && (await isFile(join(dir, 'val', 'val_annotations.txt')))) {
    return 'tinyimagenet';
  }
  for (const t of ['test', 'val']) {
    if ((await isDir(join(dir, t))) && (await subdirs(join(dir, t))).length > 0) return 'generic';
  }
  return undefined;
}

/** Lines of a text file without blanks, each with its 1-based line number. */
function lines(text: string): { line: number; text: string }[] {
  return text
    .split(/\r?\n/)
    .map((t, i) => ({ line: i + 1, text: t.trim() }))
    .filter((l) => l.text.length > 0);
}

/** Lists TinyImageNet: classes in wnids.txt order, train/<wnid>/images/*, val/images/* labelled by val_annotations.txt. */
async function listTinyImageNet(root: string): Promise<{ classNames: string[]; train: Sample[]; test: Sample[] }> {
  const wnids = lines(await readText(join(root, 'wnids.txt'))).map((l) => l.text);
  const index = new Map<string, number>();
  wnids.forEach((w, i) => {
    if (index.has(w)) throw invalidInput(`wnids.txt: '${w}' appears twice (line ${i + 1})`);
    index.set(w, i);
  });
  if (wnids.length === 0) throw invalidInput(`${join(root, 'wnids.txt')}: lists no classes`);

  const train: Sample[] = [];
  for (const dir of await subdirs(join(root, 'train'))) {
    if (!index.has(dir)) throw invalidInput(`train/${dir}: class folder is not listed in wnids.txt`);
  }
  for (const [label, wnid] of wnids.entries()) {
    let rel = `train/${wnid}/images`;
    if (!(await isDir(join(root, rel)))) rel = `train/${wnid}`;
    if (!(await isDir(join(root, rel)))) {
      throw new LabError('not_found', `${root}: train/${wnid}/images is missing (class on line ${label + 1} of wnids.txt)`);
    }
    for (const f of await imageFiles(join(root, rel))) train.push({ file: join(root, rel, f), rel: `${rel}/${f}`, label });
  }

  const annotations = lines(await readText(join(root, 'val', 'val_annotations.txt')));
  const test: Sample[] = [];
  const annotated = new Set<string>();
  for (const { line, text } of annotations) {
    const [file, wnid] = text.split('\t');
    const label = wnid === undefined ? undefined : index.get(wnid);
    if (file === undefined || wnid === undefined) {
      throw invalidInput(`val/val_annotations.txt line ${line}: expected 'file<TAB>wnid<TAB>bbox', found '${text}'`);
    }
    if (label === undefined) throw invalidInput(`val/val_annotations.txt line ${line}: wnid '${wnid}' is not in wnids.txt`);
    if (annotated.has(file)) throw invalidInput(`val/val_annotations.txt line ${line}: '${file}' is annotated twice`);
    annotated.add(file);
    test.push({ file: join(root, 'val', 'images', file), rel: `val/images/${file}`, label });
  }
  for (const f of await imageFiles(join(root, 'val', 'images'))) {
    if (!annotated.has(f)) throw invalidInput(`val/images/${f}: has no line in val/val_annotations.txt`);
  }

  let classNames = wnids;
  if (await isFile(join(root, 'words.txt'))) {
    const words = new Map<string, string>();
    for (const { text } of lines(await readText(join(root, 'words.txt')))) {
      const tab = text.indexOf('\t');
      if (tab > 0) words.set(text.slice(0, tab), text.slice(tab + 1).trim());
    }
    classNames = wnids.map((w) => words.get(w) ?? w);
  }
  return { classNames, train, test };
}

/** Lists the generic layout: classes = sorted train/ sub-folders, test from test/ or else val/. */
async function listGeneric(root: string): Promise<{ classNames: string[]; train: Sample[]; test: Sample[] }> {
  const classNames = await subdirs(join(root, 'train'));
  if (classNames.length === 0) throw invalidInput(`${root}: train/ has no class folders`);
  const index = new Map(classNames.map((c, i) => [c, i]));
  let testDir = 'test';
  if (!(await isDir(join(root, testDir))) || (await subdirs(join(root, testDir))).length === 0) testDir = 'val';
  if (!(await isDir(join(root, testDir)))) {
    throw new LabError('not_found', `${root}: no test/ or val/ folder with class sub-folders`);
  }
  const list = async (part: string): Promise<Sample[]> => {
    const out: Sample[] = [];
    for (const cls of await subdirs(join(root, part))) {
      const label = index.get(cls);
      if (label === undefined) throw invalidInput(`${part}/${cls}: class folder has no counterpart in train/`);
      for (const f of await imageFiles(join(root, part, cls))) {
        out.push({ file: join(root, part, cls, f), rel: `${part}/${cls}/${f}`, label });
      }
    }
    if (out.length === 0) throw invalidInput(`${root}: ${part}/ holds no .png or .jpg images`);
    return out;
  };
  return { classNames, train: await list('train'), test: await list(testDir) };
}

/** Decoding state shared by train and test, so that both get the same size and channel count. */
interface Decoder {
  size?: { width: number; height: number; first: string };
  allGrey: boolean;
}

/** Reads and decodes samples into RGB (or luminance when channels is 1), checking that every image has the first one's size. */
async function decodeAll(samples: readonly Sample[], channels: 1 | 3, state: Decoder, concurrency: number): Promise<{
  pixels: Uint8Array;
  labels: Int32Array;
}> {
  const labels = Int32Array.from(samples, (s) => s.label);
  let pixels = new Uint8Array(0);
  for (let start = 0; start < samples.length; start += concurrency) {
    const chunk = samples.slice(start, start + concurrency);
    const buffers = await Promise.all(chunk.map((s) => readRegularFile(s.file, { maxBytes: MAX_IMAGE_FILE_BYTES, what: 'image file' })));
    for (let k = 0; k < chunk.length; k++) {
      const sample = chunk[k];
      const img = decodeImage(buffers[k], sample.rel);
      if (state.size === undefined) state.size = { width: img.width, height: img.height, first: sample.rel };
      const size = state.size;
      if (img.width !== size.width || img.height !== size.height) {
        throw invalidInput(
          `${sample.rel}: image is ${img.width}x${img.height} but the dataset's images are ${size.width}x${size.height} (as ${size.first})`,
        );
      }
      const per = size.width * size.height * channels;
      if (pixels.length === 0) pixels = new Uint8Array(samples.length * per);
      const at = (start + k) * per;
      if (channels === 3) {
        if (!rgbaToRgb(img.rgba, pixels, at)) state.allGrey = false;
      } else {
        rgbaToGrey(img.rgba, pixels, at);
      }
    }
  }
  return { pixels, labels };
}

/** Keeps one channel of RGB pixels whose channels are all equal. */
function collapseGrey(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0; i < out.length; i++) out[i] = rgb[i * 3];
  return out;
}

/**
 * Loads an image-folder dataset (TinyImageNet layout, whose val/ is the test set, or the generic
 * train/<class>/*, test|val/<class>/* layout). PNG and JPEG files, all of the same size.
 */
export async function loadImageFolder(dir: string, opts: ImageFolderOptions = {}): Promise<Dataset> {
  const root = resolve(dir);
  const layout = await detectImageFolderLayout(root);
  if (layout === undefined) {
    throw new LabError(
      'not_found',
      `${root}: not an image folder: expected train/<class>/ with test/<class>/ or val/<class>/, or TinyImageNet's wnids.txt, train/, val/val_annotations.txt`,
    );
  }
  const listing = layout === 'tinyimagenet' ? await listTinyImageNet(root) : await listGeneric(root);
  if (listing.train.length === 0) throw invalidInput(`${root}: train/ holds no .png or .jpg images`);
  const concurrency = Math.max(1, opts.concurrency ?? 32);
  const state: Decoder = { allGrey: true };
  const decodeChannels = opts.channels ?? 3;
  const train = await decodeAll(listing.train, decodeChannels, state, concurrency);
  const test = await decodeAll(listing.test, decodeChannels, state, concurrency);
  const size = state.size!;
  let channels: 1 | 3 = decodeChannels;
  if (opts.channels === undefined && state.allGrey) {
    channels = 1;
    train.pixels = collapseGrey(train.pixels);
    test.pixels = collapseGrey(test.pixels);
  }
  const shape = [size.height, size.width, channels] as const;
  const trainSet: ImageSet = makeImageSet(train.pixels, train.labels, shape);
  const testSet: ImageSet = makeImageSet(test.pixels, test.labels, shape);
  return assembleDataset({
    name: opts.name ?? basename(root),
    classNames: listing.classNames,
    train: trainSet,
    test: testSet,
    source: root,
    normalization: layout === 'tinyimagenet' && channels === 3 ? TINY_IMAGENET_NORMALIZATION : computeNormalization(trainSet),
  });
}
