import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the app's package.json, found by walking up from a file (default: this one, in main/ or dist/main/). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the COLT Lab package root (package.json next to resources/)');
    dir = parent;
  }
}

/** The bundled resources folder (sample data, presets). */
export function resourcesDir(): string {
  // A packaged desktop app keeps resources outside its asar archive and says where.
  return process.env.COLT_RESOURCES_DIR ?? path.join(packageRoot(), 'resources');
}

/**
 * The per-user folder for the library, the dataset registry and caches: `$COLT_HOME` when set,
 * else the OS app-data folder (XDG data home on Linux, Application Support on macOS, APPDATA on Windows).
 */
export function appDataDir(): string {
  const override = process.env.COLT_HOME;
  if (override) return path.resolve(override);
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'COLT Lab');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'COLT Lab');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'colt-lab');
}

/** Where decoded datasets are cached (`$COLT_HOME/cache` when set, else the OS cache folder). */
export function cacheDir(): string {
  if (process.env.COLT_HOME) return path.join(path.resolve(process.env.COLT_HOME), 'cache');
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'COLT Lab');
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'COLT Lab', 'Cache');
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'colt-lab');
}

/**
 * The compiled JavaScript of a module next to `moduleUrl` (a worker or child-process entry, which
 * always runs compiled): the sibling `name.js` when `moduleUrl` is itself compiled, else its copy
 * under dist/ (vitest imports the TypeScript sources; `npm test` builds first). `folder` is the
 * module's folder below the package root, e.g. `main/jobs`.
 */
export function compiledEntry(moduleUrl: string, folder: string, name: string): string {
  if (moduleUrl.endsWith('.js')) return fileURLToPath(new URL(`./${name}.js`, moduleUrl));
  return path.join(packageRoot(fileURLToPath(moduleUrl)), 'dist', folder, `${name}.js`);
}
