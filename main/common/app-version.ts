import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './paths.js';

let cached: string | undefined;

/** The app's version from package.json (read once). */
export function appVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    cached = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  }
  return cached;
}
