import { mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheFile, cachedDataset, readCachedDataset, writeCachedDataset } from '../../../main/data/cache.js';
import { loadIdxFolder } from '../../../main/data/idx.js';
import type { Dataset } from '../../../main/data/types.js';
import { idxImages, idxLabels, tempDir } from './fixtures.js';

let dir: string;
let source: string;
beforeAll(async () => {
  dir = await tempDir();
  source = join(dir, 'src');
  await mkdir(source);
  await writeFile(join(source, 'train-images-idx3-ubyte.gz'), gzipSync(idxImages(20, 3, 3, (i, y, x) => i + y * 3 + x)));
  await writeFile(join(source, 'train-labels-idx1-ubyte.gz'), gzipSync(idxLabels(Array.from({ length: 20 }, (_, i) => i % 10))));
  await writeFile(join(source, 't10k-images-idx3-ubyte.gz'), gzipSync(idxImages(5, 3, 3, (i) => 200 + i)));
  await writeFile(join(source, 't10k-labels-idx1-ubyte.gz'), gzipSync(idxLabels([1, 2, 3, 4, 5])));
});

function counting(): { build: () => Promise<Dataset>; calls: () => number } {
  let n = 0;
  return {
    build: async () => {
      n++;
      return loadIdxFolder(source, { name: 'tiny' });
    },
    calls: () => n,
  };
}

function expectSame(a: Dataset, b: Dataset): void {
  expect(b.checksum).toBe(a.checksum);
  expect([...b.train.images]).toEqual([...a.train.images]);
  expect([...b.test.labels]).toEqual([...a.test.labels]);
  expect(b.classNames).toEqual(a.classNames);
  expect(b.normalization).toEqual(a.normalization);
  expect(b.shape).toEqual(a.shape);
}

describe('dataset cache', () => {
  it('decodes once, then serves the same dataset from the cache file', async () => {
    const cacheDir = join(dir, 'cache1');
    const c = counting();
    const spec = { cacheDir, source, variant: 'idx/v1' };
    const first = await cachedDataset(spec, c.build);
    expect(first.hit).toBe(false);
    const second = await cachedDataset(spec, c.build);
    expect(second.hit).toBe(true);
    expect(c.calls()).toBe(1);
    expectSame(first.dataset, second.dataset);
    expect(await readdir(cacheDir)).toEqual([cacheFile(spec).split('/').pop()]);
  });

  it('ignores and rebuilds a cache file with one corrupted pixel byte', async () => {
    const cacheDir = join(dir, 'cache2');
    const spec = { cacheDir, source, variant: 'idx/v1' };
    const c = counting();
    const first = await cachedDataset(spec, c.build);
    const file = cacheFile(spec);
    const bytes = await readFile(file);
    bytes[bytes.length - 3] ^= 0x40;
    await writeFile(file, bytes);
    const again = await cachedDataset(spec, c.build);
    expect(again.hit).toBe(false);
    expect(c.calls()).toBe(2);
    expectSame(first.dataset, again.dataset);
    expect((await cachedDataset(spec, c.build)).hit).toBe(true); // rewritten whole
  });

  it('ignores a truncated cache file and one with a bad header', async () => {
    const cacheDir = join(dir, 'cache3');
    const spec = { cacheDir, source, variant: 'idx/v1' };
    const c = counting();
    const { dataset } = await cachedDataset(spec, c.build);
    const file = cacheFile(spec);
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, bytes.length - 1));
    expect((await cachedDataset(spec, c.build)).hit).toBe(false);
    await writeFile(file, Buffer.concat([Buffer.from('COLTDSET'), Buffer.from([1, 0, 0, 0, 255, 255, 255, 0])]));
    expect((await cachedDataset(spec, c.build)).hit).toBe(false);
    await writeFile(file, 'not a cache file at all');
    expect((await cachedDataset(spec, c.build)).hit).toBe(false);
    expect(await readCachedDataset(join(cacheDir, 'absent.coltds'), 'k')).toBeUndefined();
    expectSame(dataset, (await cachedDataset(spec, c.build)).dataset);
  });

  it('rebuilds when a source file changes size or mtime, or the reader variant changes', async () => {
    const cacheDir = join(dir, 'cache4');
    const spec = { cacheDir, source, variant: 'idx/v1' };
    const c = counting();
    await cachedDataset(spec, c.build);
    const f = join(source, 't10k-labels-idx1-ubyte.gz');
    const t = (await stat(f)).mtime;
    await utimes(f, t, new Date(t.getTime() + 5000));
    expect((await cachedDataset(spec, c.build)).hit).toBe(false);
    expect((await cachedDataset(spec, c.build)).hit).toBe(true);
    expect((await cachedDataset({ ...spec, variant: 'idx/v2' }, c.build)).hit).toBe(false);
  });

  it('does not trust a header claiming another key', async () => {
    const cacheDir = join(dir, 'cache5');
    const ds = await loadIdxFolder(source);
    const file = join(cacheDir, 'x.coltds');
    await writeCachedDataset(file, 'key-a', ds);
    expect(await readCachedDataset(file, 'key-b')).toBeUndefined();
    expect((await readCachedDataset(file, 'key-a'))?.checksum).toBe(ds.checksum);
    expect((await readdir(cacheDir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('still loads when the cache cannot be written, and says why', async () => {
    const blocker = join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const r = await cachedDataset({ cacheDir: join(blocker, 'sub'), source, variant: 'idx/v1' }, counting().build);
    expect(r.hit).toBe(false);
    expect(r.dataset.train.count).toBe(20);
    expect(r.cacheError).toMatch(/not-a-dir/);
  });
});
