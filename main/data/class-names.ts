import { basename } from 'node:path';
import { invalidInput } from '../contract/errors.js';
import { readRegularFile } from './regular-file.js';

/** Fashion-MNIST's ten classes, in label order (zalandoresearch/fashion-mnist README). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** Class names "0", "1", ... for datasets whose files carry none (MNIST digits, unnamed CIFAR classes). */
export function numberedClassNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String(i));
}

/** Reads a one-name-per-line file (batches.meta.txt, fine_label_names.txt), checking it names exactly `count` classes. */
export function parseNameList(text: string, count: number, fileLabel: string): string[] {
  const names = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (names.length !== count) {
    throw invalidInput(`${fileLabel}: lists ${names.length} class names, expected ${count}`);
  }
  return names;
}

/** Reads a name-list file from disk (see parseNameList). */
export async function readNameList(path: string, count: number): Promise<string[]> {
  return parseNameList((await readRegularFile(path, { maxBytes: 16 * 1024 * 1024, what: 'class-name list' })).toString('utf8'), count, basename(path));
}
