import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../main/contract/errors.js';
import { detectFormat } from '../../../main/data/detect-format.js';
import { packageRoot } from '../../../main/common/paths.js';
import { addDataset, listDatasets, loadDataset, removeDataset } from '../../../main/data/registry.js';
import { cifarRecords, idxImages, idxLabels, tarArchive, tempDir } from './fixtures.js';

let dir: string;
let idxDir: string;
let cifarTar: string;
let imageDir: string;
beforeAll(async () => {
  dir = await tempDir();
  idxDir = join(dir, 'my-mnist');
  await mkdir(idxDir);
  await writeFile(join(idxDir, 'train-images-idx3-ubyte.gz'), gzipSync(idxImages(10, 28, 28, (i, y, x) => i + y + x)));
  await writeFile(join(idxDir, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])));
  await writeFile(join(idxDir, 't10k-images-idx3-ubyte'), idxImages(2, 28, 28, () => 9));
  await writeFile(join(idxDir, 't10k-labels-idx1-ubyte'), idxLabels([4, 2]));

  cifarTar = join(dir, 'cifar-10-binary.tar.gz');
  const batch = (b: number): { name: string; data: Buffer } => ({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: cifarRecords([[b]]) });
  await writeFile(
    cifarTar,
    gzipSync(tarArchive([1, 2, 3, 4, 5].map(batch).concat([{ name: 'cifar-10-batches-bin/test_batch.bin', data: cifarRecords([[0], [9]]) }]))),
  );

  imageDir = join(dir, 'shapes');
  for (const part of ['train', 'val']) {
    for (const cls of ['circle', 'square']) {
      await mkdir(join(imageDir, part, cls), { recursive: true });
      const png = new PNG({ width: 4, height: 4 });
      png.data.fill(cls === 'circle' ? 40 : 200);
      await writeFile(join(imageDir, part, cls, '0.png'), PNG.sync.write(png));
    }
  }
});

async function errorOf(p: Promise<unknown>): Promise<LabError> {
  try {
    await p;
  } catch (err) {
    return err as LabError;
  }
  throw new Error('expected a rejection');
}

describe('dataset registry', () => {
  it('lists the built-in datasets, the bundled sample present', async () => {
    const list = await listDatasets(join(dir, 'empty-data-dir'));
    const sample = list.find((d) => d.name === 'fashion-mnist-sample');
    expect(sample).toMatchObject({ format: 'idx', builtIn: true, present: true });
    expect(sample?.path).toBe(join(packageRoot(), 'resources', 'data', 'fashion-mnist-sample'));
    expect(list.find((d) => d.name === 'fashion-mnist')).toMatchObject({ builtIn: true, path: '/usr/share/datasets/fashion-mnist' });
  });

  it('detects the format of an IDX folder, a CIFAR .tar.gz and an image folder', async () => {
    expect(await detectFormat(idxDir)).toBe('idx');
    expect(await detectFormat(cifarTar)).toBe('cifar10');
    expect(await detectFormat(imageDir)).toBe('image-folder');
  });

  it('registers datasets in datasets.json and loads them by name', async () => {
    const dataDir = join(dir, 'data1');
    await addDataset(dataDir, 'digits', idxDir);
    await addDataset(dataDir, 'cifar10', cifarTar);
    await addDataset(dataDir, 'shapes.v1', imageDir);
    const stored = JSON.parse(await readFile(join(dataDir, 'datasets.json'), 'utf8'));
    expect(stored.datasets).toEqual([
      { name: 'digits', path: idxDir, format: 'idx' },
      { name: 'cifar10', path: cifarTar, format: 'cifar10' },
      { name: 'shapes.v1', path: imageDir, format: 'image-folder' },
    ]);
    const list = await listDatasets(dataDir);
    expect(list.filter((d) => !d.builtIn).map((d) => [d.name, d.present])).toEqual([['digits', true], ['cifar10', true], ['shapes.v1', true]]);

    const digits = await loadDataset('digits', { dataDir });
    expect(digits.name).toBe('digits');
    expect([digits.train.count, digits.test.count, digits.classes]).toEqual([10, 2, 10]);
    const cifar = await loadDataset('cifar10', { dataDir, cacheDir: join(dir, 'cache') });
    expect([...cifar.train.labels]).toEqual([1, 2, 3, 4, 5]);
    expect((await loadDataset('cifar10', { dataDir, cacheDir: join(dir, 'cache') })).checksum).toBe(cifar.checksum);
    const shapes = await loadDataset('shapes.v1', { dataDir });
    expect(shapes.classNames).toEqual(['circle', 'square']);
    expect(shapes.shape).toEqual([4, 4, 1]); // every image grey → one channel

    await removeDataset(dataDir, 'digits');
    expect((await listDatasets(dataDir)).some((d) => d.name === 'digits')).toBe(false);
  });

  it('refuses bad names, unrecognised paths and well-known names of the wrong format', async () => {
    const dataDir = join(dir, 'data2');
    expect((await errorOf(addDataset(dataDir, 'Bad Name', idxDir))).message).toMatch(/dataset name 'Bad Name' must match/);
    expect((await errorOf(addDataset(dataDir, 'fashion-mnist-sample', idxDir))).message).toMatch(/reserved/);
    const empty = join(dir, 'nothing-here');
    await mkdir(empty);
    expect((await errorOf(addDataset(dataDir, 'x', empty))).message).toMatch(new RegExp(`^${empty}: no dataset recognised`));
    expect((await errorOf(addDataset(dataDir, 'x', join(dir, 'absent')))).code).toBe('not_found');
    expect((await errorOf(addDataset(dataDir, 'cifar100', cifarTar))).message).toMatch(/holds a cifar10 dataset, but 'cifar100' must be cifar100 or cifar100-coarse/);
    expect((await errorOf(addDataset(dataDir, 'x', idxDir, 'cifar10'))).message).toMatch(/holds a idx dataset, not cifar10/);
    expect(existsSync(join(dataDir, 'datasets.json'))).toBe(false);
  });

  it('tells how to add a well-known dataset that is not registered', async () => {
    const dataDir = join(dir, 'data3');
    const e = await errorOf(loadDataset('cifar10', { dataDir }));
    expect(e.code).toBe('not_found');
    expect(e.message).toBe(
      "dataset 'cifar10' is not registered: download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and run `colt data add cifar10 PATH`",
    );
    expect((await errorOf(loadDataset('cifar100', { dataDir }))).message).toContain('cifar-100-binary.tar.gz');
    expect((await errorOf(loadDataset('tinyimagenet', { dataDir }))).message).toContain('tiny-imagenet-200.zip');
    expect((await errorOf(loadDataset('mnist', { dataDir }))).message).toContain('`colt data add mnist PATH`');
    expect((await errorOf(loadDataset('mystery', { dataDir }))).message).toMatch(/^dataset 'mystery' is not registered \(known: fashion-mnist-sample, fashion-mnist\)/);
  });

  it('says where a registered dataset was expected when its files are gone', async () => {
    const dataDir = join(dir, 'data4');
    const moved = join(dir, 'moved-cifar.tar.gz');
    await addDataset(dataDir, 'cifar10', cifarTar);
    await rename(cifarTar, moved);
    try {
      const e = await errorOf(loadDataset('cifar10', { dataDir }));
      expect(e.message).toBe(
        `dataset 'cifar10' is registered at ${cifarTar} but its files are not there: download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and run \`colt data add cifar10 PATH\``,
      );
      expect((await listDatasets(dataDir)).find((d) => d.name === 'cifar10')?.present).toBe(false);
    } finally {
      await rename(moved, cifarTar);
    }
  });

  it('rejects a datasets.json with a bad field, naming it', async () => {
    const dataDir = join(dir, 'data5');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'datasets.json'), JSON.stringify({ version: 1, datasets: [{ name: 'a', path: '/x', format: 'zip' }] }));
    expect((await errorOf(listDatasets(dataDir))).message).toMatch(/datasets\.json: field 'datasets\[0\]\.format' must be one of/);
  });

  it('finds the package root from compiled dist/ files as from sources', () => {
    const root = packageRoot();
    expect(existsSync(join(root, 'package.json'))).toBe(true);
    expect(packageRoot(join(root, 'dist', 'main', 'data', 'registry.js'))).toBe(root);
  });
});
