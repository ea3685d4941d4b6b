import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../contract/errors.js';

/** The folder holding package.json, found by walking up from this file (works from main/ sources and from dist/main/). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new LabError('internal', `no package.json in any folder above ${from}`);
    dir = parent;
  }
}
