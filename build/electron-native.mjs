// better-sqlite3 built for Electron's ABI without touching node_modules, where the Node build the
// CLI and the tests load stays. A copy of the package is rebuilt with @electron/rebuild in
// .cache/electron-native/<electron>-<platform>-<arch>/ (git-ignored):
//  - `node build/electron-native.mjs` (scripts/setup.sh, where Electron's runtime is installed) builds it
//    for the installed Electron; electron/main.ts hands its path to the lab as COLT_SQLITE_BINDING in
//    development.
//  - electron-builder's `afterPack` hook (electron-builder.yml) builds it for the target and puts it in
//    the packed app's app.asar.unpacked in place of the Node build (`npmRebuild: false`, because
//    electron-builder's own rebuild would rebuild node_modules in place).
// Rebuilding needs Electron's headers (downloaded from electronjs.org, or a prebuilt binary from
// GitHub): without internet it fails, and the CLI says so in one line.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARCHES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']; // builder-util's Arch enum order

/** The installed Electron's executable, or null when its runtime was not downloaded. */
export function electronRuntimePath(root = ROOT) {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const exe = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(pkg, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(exe) ? exe : null;
}

/** The installed Electron's version (from its package.json). */
export function installedElectronVersion(root = ROOT) {
  return JSON.parse(readFileSync(path.join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
}

/** Where the Electron-ABI copy of better-sqlite3 for this target lives. */
export function stageDir(electronVersion, platform = process.platform, arch = process.arch, root = ROOT) {
  return path.join(root, '.cache', 'electron-native', `${electronVersion}-${platform}-${arch}`);
}

/** The Electron-ABI better_sqlite3.node inside a stage folder. */
export function stagedBinary(dir) {
  return path.join(dir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
}

/** Builds (or reuses) better-sqlite3 for an Electron version and arch; returns the .node file. Throws when it cannot. */
export async function buildElectronNative({ electronVersion, arch = process.arch, root = ROOT, force = false }) {
  const dir = stageDir(electronVersion, process.platform, arch, root);
  const binary = stagedBinary(dir);
  const source = path.join(root, 'node_modules', 'better-sqlite3');
  const version = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')).version;
  const stampFile = path.join(dir, 'stamp.json');
  const stamp = JSON.stringify({ electronVersion, platform: process.platform, arch, betterSqlite3: version });
  if (!force && existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return binary;

  // A copy of the package without its Node build; @electron/rebuild resolves prebuild-install and
  // node-gyp from the project's node_modules (the stage folder is inside the project).
  mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'colt-lab-electron-native', private: true, dependencies: { 'better-sqlite3': version } }, null, 2));
  cpSync(source, path.join(dir, 'node_modules', 'better-sqlite3'), { recursive: true, filter: (src) => path.relative(source, src).split(path.sep)[0] !== 'build' });
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: dir, electronVersion, arch, onlyModules: ['better-sqlite3'], force: true });
  if (!existsSync(binary)) throw new Error(`@electron/rebuild finished but ${binary} is missing`);
  writeFileSync(stampFile, stamp);
  return binary;
}

/**
 * electron-builder `afterPack`: puts the Electron-ABI better_sqlite3.node into the packed app
 * (asarUnpack keeps every .node file outside app.asar). Native modules cannot be cross-compiled,
 * so an installer is built on the OS it is for.
 */
export async function afterPack(context) {
  if (context.electronPlatformName !== process.platform) {
    throw new Error(`cannot build better-sqlite3 for ${context.electronPlatformName} on ${process.platform}: build each installer on its own OS`);
  }
  const arch = typeof context.arch === 'number' ? ARCHES[context.arch] : String(context.arch);
  const electronVersion = context.packager.config.electronVersion ?? installedElectronVersion(context.packager.projectDir);
  const binary = await buildElectronNative({ electronVersion, arch, root: context.packager.projectDir });
  const target = path.join(context.packager.getResourcesDir(context.appOutDir), 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(path.dirname(target))) throw new Error(`${path.dirname(target)} is missing: is asarUnpack '**/*.node' still in electron-builder.yml?`);
  cpSync(binary, target);
}

// CLI (scripts/setup.sh): one notice line where it cannot build, never a failure of the set-up.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (electronRuntimePath() === null) {
    process.stderr.write("notice: Electron's runtime is not installed, so better-sqlite3 was not rebuilt for it (the CLI, `colt serve` and the tests use the Node build).\n");
  } else {
    const electronVersion = installedElectronVersion();
    try {
      const binary = await buildElectronNative({ electronVersion });
      process.stderr.write(`better-sqlite3 built for Electron ${electronVersion}: ${path.relative(ROOT, binary)} (node_modules keeps the Node build)\n`);
    } catch (e) {
      const reason = String(e instanceof Error ? e.message : e).split('\n')[0];
      process.stderr.write(`notice: could not rebuild better-sqlite3 for Electron ${electronVersion} (${reason}); the desktop window needs it, the CLI and \`colt serve\` do not. Run \`node build/electron-native.mjs\` again with internet access.\n`);
    }
  }
}
