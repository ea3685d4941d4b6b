import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCifar } from '../../../main/data/cifar.js';
import { CIFAR_NORMALIZATION } from '../../../main/data/normalize.js';
import type { ImageSet } from '../../../main/data/types.js';
import { cifarPixel, cifarRecords, hasTar, tarArchive, tempDir } from './fixtures.js';

const CIFAR10_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

// Batch b holds images 3b..3b+2 with labels (3b + r) % 10; the test batch holds 4 images numbered from 100.
const trainLabels = (b: number): number[][] => [0, 1, 2].map((r) => [(3 * b + r) % 10]);
const testLabels = [[9], [0], [5], [7]];

let dir: string;
let folder10: string;
let folder100: string;
beforeAll(async () => {
  dir = await tempDir();
  folder10 = join(dir, 'cifar-10-batches-bin');
  await mkdir(folder10);
  for (let b = 0; b < 5; b++) await writeFile(join(folder10, `data_batch_${b + 1}.bin`), cifarRecords(trainLabels(b), 3 * b));
  await writeFile(join(folder10, 'test_batch.bin'), cifarRecords(testLabels, 100));
  await writeFile(join(folder10, 'batches.meta.txt'), CIFAR10_NAMES.join('\n') + '\n\n');
  await writeFile(join(folder10, 'readme.html'), '<html></html>');

  folder100 = join(dir, 'cifar-100-binary');
  await mkdir(folder100);
  await writeFile(join(folder100, 'train.bin'), cifarRecords([[19, 99], [0, 42], [7, 3]]));
  await writeFile(join(folder100, 'test.bin'), cifarRecords([[4, 57], [12, 0]], 50));
  await writeFile(join(folder100, 'fine_label_names.txt'), Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n'));
  await writeFile(join(folder100, 'coarse_label_names.txt'), Array.from({ length: 20 }, (_, i) => `coarse${i}`).join('\n'));
});

/** Checks every pixel of every image against the writer's formula, in HWC order. */
function expectPixels(set: ImageSet, firstIndex: (k: number) => number): void {
  expect(set.shape).toEqual([32, 32, 3]);
  for (let k = 0; k < set.count; k++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        for (let c = 0; c < 3; c++) {
          const got = set.images[k * 3072 + (y * 32 + x) * 3 + c];
          if (got !== cifarPixel(firstIndex(k), y, x, c)) {
            throw new Error(`image ${k} pixel (${y},${x},${c}) is ${got}, expected ${cifarPixel(firstIndex(k), y, x, c)}`);
          }
        }
      }
    }
  }
}

describe('CIFAR reader', () => {
  it('reads CIFAR-10 batches in order, converting CHW planes to HWC pixels', async () => {
    const ds = await loadCifar(folder10);
    expect(ds.name).toBe('cifar10');
    expect(ds.train.count).toBe(15);
    expect(ds.test.count).toBe(4);
    expect([...ds.train.labels]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]);
    expect([...ds.test.labels]).toEqual([9, 0, 5, 7]);
    expectPixels(ds.train, (k) => k);
    expectPixels(ds.test, (k) => 100 + k);
    expect(ds.classNames).toEqual(CIFAR10_NAMES);
    expect(ds.normalization).toEqual(CIFAR_NORMALIZATION);
  });

  it('finds the batches from the folder above cifar-10-batches-bin', async () => {
    expect((await loadCifar(dir)).train.count).toBe(15);
  });

  it('reads CIFAR-100 with fine labels by default and coarse labels on request', async () => {
    const fine = await loadCifar(folder100);
    expect(fine.classes).toBe(100);
    expect([...fine.train.labels]).toEqual([99, 42, 3]);
    expect([...fine.test.labels]).toEqual([57, 0]);
    expect(fine.classNames[42]).toBe('fine42');
    expectPixels(fine.train, (k) => k);
    expectPixels(fine.test, (k) => 50 + k);
    const coarse = await loadCifar(folder100, { labels: 'coarse' });
    expect(coarse.classes).toBe(20);
    expect([...coarse.train.labels]).toEqual([19, 0, 7]);
    expect(coarse.classNames[19]).toBe('coarse19');
  });

  it('reads the distributed .tar.gz directly, giving the same dataset as the folder', async () => {
    // The batches are out of order in the archive: the reader must still put them in 1..5 order.
    const order = ['readme.html', 'data_batch_5.bin', 'data_batch_2.bin', 'test_batch.bin', 'data_batch_1.bin', 'batches.meta.txt', 'data_batch_4.bin', 'data_batch_3.bin'];
    const entries: { name: string; data?: Buffer }[] = [{ name: 'cifar-10-batches-bin' }];
    for (const f of order) entries.push({ name: `cifar-10-batches-bin/${f}`, data: await readFile(join(folder10, f)) });
    const file = join(dir, 'cifar-10-binary.tar.gz');
    await writeFile(file, gzipSync(tarArchive(entries)));
    const fromTar = await loadCifar(file);
    const fromFolder = await loadCifar(folder10);
    expect(fromTar.checksum).toBe(fromFolder.checksum);
    expect(fromTar.classNames).toEqual(CIFAR10_NAMES);
  });

  it.skipIf(!hasTar())('reads a cifar-100-binary.tar.gz made by GNU tar', async () => {
    const file = join(dir, 'cifar-100-binary.tar.gz');
    const r = spawnSync('tar', ['-czf', file, '-C', dir, 'cifar-100-binary'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const ds = await loadCifar(file);
    expect(ds.checksum).toBe((await loadCifar(folder100)).checksum);
  });

  it('rejects a batch whose size is not a whole number of records', async () => {
    const bad = join(dir, 'bad-size');
    await mkdir(bad);
    for (let b = 1; b <= 5; b++) await writeFile(join(bad, `data_batch_${b}.bin`), cifarRecords([[1]]));
    await writeFile(join(bad, 'test_batch.bin'), cifarRecords([[1], [2]]).subarray(0, 3073 + 100));
    await expect(loadCifar(bad)).rejects.toThrow('test_batch.bin: 3173 bytes is not a whole number of 3073-byte CIFAR-10 records');
  });

  it('rejects a label outside the classes, naming the file and byte', async () => {
    const bad = join(dir, 'bad-label');
    await mkdir(bad);
    for (let b = 1; b <= 5; b++) await writeFile(join(bad, `data_batch_${b}.bin`), cifarRecords(b === 3 ? [[1], [10]] : [[1]]));
    await writeFile(join(bad, 'test_batch.bin'), cifarRecords([[1]]));
    await expect(loadCifar(bad)).rejects.toThrow('data_batch_3.bin: label 10 at byte 3073 is not a CIFAR-10 class (0..9)');
  });

  it('names the missing batch of an incomplete archive', async () => {
    const file = join(dir, 'partial.tar.gz');
    await writeFile(
      file,
      gzipSync(tarArchive([1, 2, 4, 5].map((b) => ({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: cifarRecords([[1]]) })).concat([
        { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarRecords([[1]]) },
      ]))),
    );
    await expect(loadCifar(file)).rejects.toThrow('partial.tar.gz: no data_batch_3.bin found');
  });
});
