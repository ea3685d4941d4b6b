import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import { loadIdxFolder, readIdxImages, readIdxLabels } from '../../../main/data/idx.js';
import { idxImages, idxLabels, tempDir } from './fixtures.js';

// 300 images (more than 255, so a little-endian misread of the count cannot pass), 4 rows x 5 columns
// (not square, so swapped dimensions cannot pass).
const COUNT = 300;
const pixel = (i: number, y: number, x: number): number => i * 11 + y * 5 + x * 17;
const labelOf = (i: number): number => (i * 7) % 10;

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

async function writeFolder(name: string, gzipped: boolean, testCount = 12): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  const put = (stem: string, bytes: Buffer): Promise<void> =>
    writeFile(join(folder, gzipped ? `${stem}.gz` : stem), gzipped ? gzipSync(bytes) : bytes);
  await put('train-images-idx3-ubyte', idxImages(COUNT, 4, 5, pixel));
  await put('train-labels-idx1-ubyte', idxLabels(Array.from({ length: COUNT }, (_, i) => labelOf(i))));
  await put('t10k-images-idx3-ubyte', idxImages(testCount, 4, 5, (i, y, x) => 255 - pixel(i, y, x)));
  await put('t10k-labels-idx1-ubyte', idxLabels(Array.from({ length: testCount }, (_, i) => 9 - labelOf(i))));
  return folder;
}

async function errorOf(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (err) {
    return err as LabError;
  }
  throw new Error('expected a rejection');
}

describe('IDX reader', () => {
  it('reads a raw IDX image file written in the real format, pixel for pixel', async () => {
    const file = join(dir, 'raw-images-idx3-ubyte');
    await writeFile(file, idxImages(COUNT, 4, 5, pixel));
    const { images, count, shape } = await readIdxImages(file);
    expect(count).toBe(COUNT);
    expect(shape).toEqual([4, 5, 1]);
    for (const [i, y, x] of [[0, 0, 0], [1, 2, 3], [299, 3, 4], [150, 0, 4]]) {
      expect(images[i * 20 + y * 5 + x]).toBe(pixel(i, y, x) & 255);
    }
  });

  it('reads a gzipped IDX file, detected by its magic bytes whatever the name', async () => {
    const file = join(dir, 'no-extension');
    await writeFile(file, gzipSync(idxLabels([3, 1, 4, 1, 5])));
    expect([...(await readIdxLabels(file))]).toEqual([3, 1, 4, 1, 5]);
  });

  it('loads a folder of the four gzipped files with train and test in order', async () => {
    const folder = await writeFolder('gz', true);
    const ds = await loadIdxFolder(folder);
    expect(ds.shape).toEqual([4, 5, 1]);
    expect(ds.train.count).toBe(COUNT);
    expect(ds.test.count).toBe(12);
    expect(ds.classes).toBe(10);
    expect(ds.classNames[3]).toBe('3');
    expect(ds.train.labels[299]).toBe(labelOf(299));
    expect(ds.test.labels[5]).toBe(9 - labelOf(5));
    expect(ds.train.images[7 * 20 + 1 * 5 + 2]).toBe(pixel(7, 1, 2) & 255);
    expect(ds.test.images[11 * 20 + 3 * 5 + 4]).toBe((255 - pixel(11, 3, 4)) & 255);
    expect(ds.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same dataset from raw and gzipped files', async () => {
    const a = await loadIdxFolder(await writeFolder('raw', false));
    const b = await loadIdxFolder(await writeFolder('gz2', true));
    expect(a.checksum).toBe(b.checksum);
  });

  it('takes class names from the caller and checks labels against them', async () => {
    const folder = await writeFolder('named', true);
    const ds = await loadIdxFolder(folder, { classNames: 'abcdefghij'.split(''), name: 'letters' });
    expect(ds.name).toBe('letters');
    expect(ds.classNames[9]).toBe('j');
    const e = await errorOf(loadIdxFolder(folder, { classNames: ['a', 'b'] }));
    expect(e.message).toMatch(/train-labels-idx1-ubyte\.gz: label \d+ at byte \d+ is not a class \(0\.\.1\)/);
  });

  it('rejects a label file where an image file belongs, naming the magic number', async () => {
    const file = join(dir, 'train-images-idx3-ubyte.gz');
    await writeFile(file, gzipSync(idxLabels([1, 2])));
    const e = await errorOf(readIdxImages(file));
    expect(e).toBeInstanceOf(LabError);
    expect(e.code).toBe('invalid_input');
    expect(e.message).toBe(
      'train-images-idx3-ubyte.gz: magic number 0x00000801 at byte 0 is not an IDX uint8 image file (0x00000803)',
    );
  });

  it('rejects a truncated image file, saying how many bytes were promised and found', async () => {
    const file = join(dir, 'short-images');
    await writeFile(file, idxImages(3, 4, 5, pixel).subarray(0, 16 + 50));
    const e = await errorOf(readIdxImages(file));
    expect(e.message).toBe('short-images: truncated: the header promises 3 images x 4x5 = 60 bytes after byte 16, the file has 50');
  });

  it('rejects trailing bytes after the promised data', async () => {
    const file = join(dir, 'long-labels');
    await writeFile(file, Buffer.concat([idxLabels([1, 2, 3]), Buffer.from([9, 9])]));
    const e = await errorOf(readIdxLabels(file));
    expect(e.message).toMatch(/long-labels: 2 unexpected trailing bytes after byte 11/);
  });

  it('rejects a header cut short', async () => {
    const file = join(dir, 'tiny');
    await writeFile(file, idxImages(1, 2, 2, pixel).subarray(0, 10));
    expect((await errorOf(readIdxImages(file))).message).toBe('tiny: file ends at byte 10, inside the 16-byte IDX header');
  });

  it('rejects a truncated gzip stream, naming the file', async () => {
    const file = join(dir, 'cut.gz');
    const gz = gzipSync(idxImages(50, 4, 5, pixel));
    await writeFile(file, gz.subarray(0, gz.length - 40));
    expect((await errorOf(readIdxImages(file))).message).toMatch(/^cut\.gz: gzip stream is corrupt or truncated/);
  });

  it('rejects a folder whose label count differs from its image count', async () => {
    const folder = await writeFolder('mismatch', false);
    await writeFile(join(folder, 't10k-labels-idx1-ubyte'), idxLabels([1, 2, 3]));
    const e = await errorOf(loadIdxFolder(folder));
    expect(e.message).toBe('t10k-labels-idx1-ubyte: holds 3 labels (count at byte 4) but t10k-images-idx3-ubyte holds 12 images');
  });

  it('names the missing files of an incomplete folder', async () => {
    const folder = await writeFolder('incomplete', true);
    await rm(join(folder, 't10k-images-idx3-ubyte.gz'));
    const e = await errorOf(loadIdxFolder(folder));
    expect(e.code).toBe('not_found');
    expect(e.message).toContain('missing t10k-images-idx3-ubyte[.gz]');
  });
});
