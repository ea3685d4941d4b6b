import type { DatasetFormat } from './detect-format.js';

/** A dataset the lab knows by name: the format it must have and where a user gets it. */
export interface WellKnownDataset {
  readonly name: string;
  readonly formats: readonly DatasetFormat[];
  /** What to download (and from where), completing "download ... and run `colt data add NAME PATH`". */
  readonly download: string;
}

/** The well-known names (COLT-SPEC's datasets and the MNIST family). */
export const WELL_KNOWN_DATASETS: readonly WellKnownDataset[] = [
  {
    name: 'mnist',
    formats: ['idx'],
    download:
      'the four files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz from https://yann.lecun.com/exdb/mnist/ into one folder',
  },
  {
    name: 'fashion-mnist',
    formats: ['idx'],
    download:
      'the four .gz files from https://github.com/zalandoresearch/fashion-mnist into one folder (or install Debian\'s dataset-fashion-mnist)',
  },
  {
    name: 'cifar10',
    formats: ['cifar10'],
    download: 'cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html',
  },
  {
    name: 'cifar100',
    formats: ['cifar100', 'cifar100-coarse'],
    download: 'cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html',
  },
  {
    name: 'tinyimagenet',
    formats: ['image-folder'],
    download: 'tiny-imagenet-200.zip from http://cs231n.stanford.edu/tiny-imagenet-200.zip, unzip it (PATH is the tiny-imagenet-200 folder)',
  },
];

/** The well-known dataset of that name, if any. */
export function wellKnown(name: string): WellKnownDataset | undefined {
  return WELL_KNOWN_DATASETS.find((d) => d.name === name);
}

/** How to add a well-known dataset: "download X and run `colt data add NAME PATH`". */
export function howToAdd(name: string): string {
  const known = wellKnown(name);
  const what = known !== undefined ? `download ${known.download} and run` : 'run';
  return `${what} \`colt data add ${name} PATH\``;
}
