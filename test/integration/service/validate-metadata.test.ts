import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../../main/contract/api.js';
import { LabError } from '../../../main/contract/errors.js';
import { loadDatasetMeta } from '../../../main/data/dataset-meta.js';
import { addDataset, DEBIAN_FASHION_MNIST, loadDataset } from '../../../main/data/registry.js';
import { LabService } from '../../../main/service/lab-service.js';

// The full Fashion-MNIST (Debian's dataset-fashion-mnist) with its pixels cut off after the first
// 100 images of each file: the headers still promise 60,000 + 10,000 images. experiments.validate
// must read only headers and labels (the counts come out right and it succeeds), while anything
// that decodes the images fails on the truncation, naming the file.
const KEEP = 100;
const present = existsSync(join(DEBIAN_FASHION_MNIST, 'train-images-idx3-ubyte.gz'));

describe.skipIf(!present)('experiments.validate on the full Fashion-MNIST, pixels not decoded', () => {
  let home: string;
  let service: LabService;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'colt-meta-'));
    const dir = join(home, 'fashion-truncated');
    mkdirSync(dir);
    for (const stem of ['train', 't10k']) {
      const images = gunzipSync(readFileSync(join(DEBIAN_FASHION_MNIST, `${stem}-images-idx3-ubyte.gz`)));
      writeFileSync(join(dir, `${stem}-images-idx3-ubyte`), images.subarray(0, 16 + KEEP * 28 * 28));
      copyFileSync(join(DEBIAN_FASHION_MNIST, `${stem}-labels-idx1-ubyte.gz`), join(dir, `${stem}-labels-idx1-ubyte.gz`));
    }
    await addDataset(home, 'fashion-truncated', dir);
    service = new LabService({ dataDir: home, libraryPath: join(home, 'library.sqlite'), fileRoots: [home] });
  });
  afterAll(() => {
    service?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('reads shape, classes and every label from the headers and label files', async () => {
    const meta = await loadDatasetMeta('fashion-truncated', { dataDir: home });
    expect(meta.shape).toEqual([28, 28, 1]);
    expect(meta.classes).toBe(10);
    expect(meta.classNames[0]).toBe('T-shirt/top');
    expect([meta.trainLabels.length, meta.testLabels.length]).toEqual([60000, 10000]);
  });

  it('validates and estimates with the full counts, though the pixels past the header are gone', async () => {
    const config = { arch: 'lenet-300-100', dataset: 'fashion-truncated', methods: ['imp', 'colt'], seeds: [0], training: { duration: '1ep', batchSize: 60 }, stop: { maxRounds: 2 } };
    const r = (await service.call('experiments.validate', { config })) as CommandOutput<'experiments.validate'>;
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    // IMP: 3 rounds (0, 1, 2) of one epoch on the 60,000 training images less the default validation split.
    expect(r.estimate!.runs).toBe(2);
    expect(r.estimate!.rounds).toBe(3);
    expect(r.estimate!.samples).toBeGreaterThan(3 * 50000);
  });

  it('refuses a config the labels cannot satisfy, naming the field', async () => {
    const config = { arch: 'lenet-300-100', dataset: 'fashion-truncated', methods: ['colt'], colt: { partitions: 3 } };
    const r = (await service.call('experiments.validate', { config })) as CommandOutput<'experiments.validate'>;
    expect(r.ok).toBe(false);
    expect(r.error!.field).toBe('colt.partitions');
    expect(r.error!.message).toMatch(/10 classes/);
  });

  it('fails clearly where the images are decoded: loading them, and so a run', async () => {
    const error = await loadDataset('fashion-truncated', { dataDir: home }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('invalid_input');
    expect((error as LabError).message).toMatch(/^t(rain|10k)-images-idx3-ubyte: truncated: the header promises \d+ images x 28x28 = \d+ bytes after byte 16, the file has 78400$/);
  });
});
