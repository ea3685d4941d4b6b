import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectImageFolderLayout, loadImageFolder } from '../../../main/data/image-folder.js';
import { TINY_IMAGENET_NORMALIZATION } from '../../../main/data/normalize.js';
import { tempDir } from './fixtures.js';

type Rgba = (y: number, x: number) => [number, number, number, number];

function rgbaData(w: number, h: number, px: Rgba): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(px(y, x), (y * w + x) * 4);
  return data;
}

/** A real PNG file from pngjs' encoder; colorType 0 = grey, 2 = RGB, 6 = RGBA. */
async function writePng(file: string, w: number, h: number, px: Rgba, colorType: 0 | 2 | 6 = 2): Promise<void> {
  const png = new PNG({ width: w, height: h });
  png.data = rgbaData(w, h, px);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, PNG.sync.write(png, { colorType }));
}

const jpegs = new Map<string, Buffer>();

/** A real baseline JPEG from jpeg-js' encoder at quality 100 (memoised: the encoder builds large tables per call). */
async function writeJpeg(file: string, w: number, h: number, px: Rgba): Promise<void> {
  const data = rgbaData(w, h, px);
  const key = `${w}x${h}:${data.toString('hex')}`;
  let bytes = jpegs.get(key);
  if (bytes === undefined) jpegs.set(key, (bytes = jpeg.encode({ width: w, height: h, data }, 100).data));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, bytes);
}

// Generic layout, 3 wide x 2 high: distinct values per class, image, row, column and channel.
const gen = (cls: number, k: number): Rgba => (y, x) => [cls * 60 + k * 10 + y * 3 + x, 100 + cls * 20 + y * 5 + x * 2, 250 - cls * 30 - k - x, 255];

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

describe('image folders', () => {
  it('reads the generic train/<class> test/<class> layout with sorted classes and exact PNG pixels', async () => {
    const root = join(dir, 'generic');
    const classes = ['dog', 'bird', 'cat'];
    for (const name of classes) {
      const cls = ['bird', 'cat', 'dog'].indexOf(name);
      await writePng(join(root, 'train', name, 'b.png'), 3, 2, gen(cls, 1));
      await writePng(join(root, 'train', name, 'a.png'), 3, 2, gen(cls, 0), 6);
      await writePng(join(root, 'test', name, 'z.PNG'), 3, 2, gen(cls, 5));
    }
    await writeFile(join(root, 'train', 'cat', 'notes.txt'), 'ignored');
    expect(await detectImageFolderLayout(root)).toBe('generic');
    const ds = await loadImageFolder(root);
    expect(ds.classNames).toEqual(['bird', 'cat', 'dog']);
    expect(ds.shape).toEqual([2, 3, 3]);
    expect(ds.train.count).toBe(6);
    expect([...ds.train.labels]).toEqual([0, 0, 1, 1, 2, 2]);
    expect([...ds.test.labels]).toEqual([0, 1, 2]);
    // Sample 3 is cat/b.png (class 1, image 1); sample index * 18 + (y * 3 + x) * 3 + c.
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        const want = gen(1, 1)(y, x);
        expect([...ds.train.images.subarray(3 * 18 + (y * 3 + x) * 3, 3 * 18 + (y * 3 + x) * 3 + 3)]).toEqual(want.slice(0, 3));
      }
    }
    expect([...ds.test.images.subarray(2 * 18, 2 * 18 + 3)]).toEqual(gen(2, 5)(0, 0).slice(0, 3));
  });

  it('keeps one channel when every image is grey, and expands grey among colour images', async () => {
    const root = join(dir, 'grey');
    await writePng(join(root, 'train', 'a', '1.png'), 2, 2, (y, x) => [y * 100 + x, y * 100 + x, y * 100 + x, 255], 0);
    await writePng(join(root, 'val', 'a', '1.png'), 2, 2, () => [7, 7, 7, 255], 0);
    const grey = await loadImageFolder(root);
    expect(grey.shape).toEqual([2, 2, 1]);
    expect([...grey.train.images]).toEqual([0, 1, 100, 101]);
    expect(grey.normalization.mean).toHaveLength(1);

    await writePng(join(root, 'train', 'b', '1.png'), 2, 2, () => [10, 20, 30, 0], 6);
    const mixed = await loadImageFolder(root);
    expect(mixed.shape).toEqual([2, 2, 3]);
    expect([...mixed.train.images.subarray(0, 12)]).toEqual([0, 0, 0, 1, 1, 1, 100, 100, 100, 101, 101, 101]);
    expect([...mixed.train.images.subarray(12, 15)]).toEqual([10, 20, 30]); // alpha dropped, not applied

    const forced = await loadImageFolder(root, { channels: 1 });
    expect(forced.shape).toEqual([2, 2, 1]);
    expect(forced.train.images[4]).toBe(Math.floor((10 * 299 + 20 * 587 + 30 * 114 + 500) / 1000));
  });

  it('reads the TinyImageNet layout: wnids.txt order, val annotations as the test set, words.txt names, JPEG pixels', async () => {
    const root = join(dir, 'tiny-imagenet-200');
    const wnids = ['n0300', 'n0100', 'n0200'];
    const colour = (k: number): [number, number, number, number] => [[200, 30, 30, 255], [30, 200, 30, 255], [30, 30, 200, 255]][k] as [number, number, number, number];
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'wnids.txt'), wnids.join('\n') + '\n');
    await writeFile(join(root, 'words.txt'), 'n0100\tgoldfish, Carassius auratus\nn0200\tcat\nn0300\tsalamander\nn9999\tunused\n');
    for (const [k, w] of wnids.entries()) {
      for (let i = 0; i < 2; i++) await writeJpeg(join(root, 'train', w, 'images', `${w}_${i}.JPEG`), 8, 8, () => colour(k));
      await writeFile(join(root, 'train', w, `${w}_boxes.txt`), `${w}_0.JPEG\t0\t0\t7\t7\n`);
    }
    const val = [['val_0.JPEG', 'n0200'], ['val_1.JPEG', 'n0300'], ['val_2.JPEG', 'n0100'], ['val_3.JPEG', 'n0200']];
    for (const [f, w] of val) await writeJpeg(join(root, 'val', 'images', f), 8, 8, () => colour(wnids.indexOf(w)));
    await writeFile(join(root, 'val', 'val_annotations.txt'), val.map(([f, w]) => `${f}\t${w}\t0\t0\t7\t7`).join('\n') + '\n');

    expect(await detectImageFolderLayout(root)).toBe('tinyimagenet');
    const ds = await loadImageFolder(root);
    expect(ds.name).toBe('tiny-imagenet-200');
    expect(ds.classNames).toEqual(['salamander', 'goldfish, Carassius auratus', 'cat']);
    expect([...ds.train.labels]).toEqual([0, 0, 1, 1, 2, 2]);
    expect([...ds.test.labels]).toEqual([2, 0, 1, 2]);
    expect(ds.shape).toEqual([8, 8, 3]);
    expect(ds.normalization).toEqual(TINY_IMAGENET_NORMALIZATION);
    for (let s = 0; s < ds.test.count; s++) {
      const want = colour(ds.test.labels[s]);
      for (let p = 0; p < 64; p++) {
        for (let c = 0; c < 3; c++) expect(Math.abs(ds.test.images[s * 192 + p * 3 + c] - want[c])).toBeLessThanOrEqual(3);
      }
    }
  });

  it('rejects an image whose size differs, naming it and the first image', async () => {
    const root = join(dir, 'sizes');
    await writePng(join(root, 'train', 'a', '1.png'), 3, 2, gen(0, 0));
    await writePng(join(root, 'train', 'a', '2.png'), 4, 2, gen(0, 1));
    await writePng(join(root, 'test', 'a', '1.png'), 3, 2, gen(0, 2));
    await expect(loadImageFolder(root)).rejects.toThrow("train/a/2.png: image is 4x2 but the dataset's images are 3x2 (as train/a/1.png)");
  });

  it('rejects a file that is not a PNG or JPEG whatever its extension', async () => {
    const root = join(dir, 'fake');
    await writePng(join(root, 'train', 'a', '1.png'), 3, 2, gen(0, 0));
    await writeFile(join(root, 'train', 'a', '2.jpg'), 'hello');
    await writePng(join(root, 'test', 'a', '1.png'), 3, 2, gen(0, 2));
    await expect(loadImageFolder(root)).rejects.toThrow('train/a/2.jpg: not a PNG or JPEG image (first bytes 68656c6c at byte 0)');
  });

  it('rejects a TinyImageNet val image without an annotation and an unknown wnid', async () => {
    const root = join(dir, 'tiny-bad');
    await mkdir(root, { recursive: true });
    await writeFile(join(root, 'wnids.txt'), 'n1\n');
    await writeJpeg(join(root, 'train', 'n1', 'images', 'n1_0.JPEG'), 8, 8, () => [1, 2, 3, 255]);
    await writeJpeg(join(root, 'val', 'images', 'val_0.JPEG'), 8, 8, () => [1, 2, 3, 255]);
    await writeJpeg(join(root, 'val', 'images', 'val_1.JPEG'), 8, 8, () => [1, 2, 3, 255]);
    await writeFile(join(root, 'val', 'val_annotations.txt'), 'val_0.JPEG\tn1\t0\t0\t1\t1\n');
    await expect(loadImageFolder(root)).rejects.toThrow('val/images/val_1.JPEG: has no line in val/val_annotations.txt');
    await writeFile(join(root, 'val', 'val_annotations.txt'), 'val_0.JPEG\tn1\t0\t0\t1\t1\nval_1.JPEG\tn7\t0\t0\t1\t1\n');
    await expect(loadImageFolder(root)).rejects.toThrow("val/val_annotations.txt line 2: wnid 'n7' is not in wnids.txt");
  });
});
