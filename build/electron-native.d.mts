// Types of build/electron-native.mjs (plain JavaScript: electron-builder and scripts/ load it without a build step).

/** The installed Electron's executable, or null when its runtime was not downloaded. */
export function electronRuntimePath(root?: string): string | null;
/** The installed Electron's version. */
export function installedElectronVersion(root?: string): string;
/** Where the Electron-ABI copy of better-sqlite3 for a target lives. */
export function stageDir(electronVersion: string, platform?: NodeJS.Platform, arch?: string, root?: string): string;
/** The Electron-ABI better_sqlite3.node inside a stage folder. */
export function stagedBinary(dir: string): string;
/** Builds (or reuses) better-sqlite3 for an Electron version and arch; returns the .node file. */
export function buildElectronNative(options: { electronVersion: string; arch?: string; root?: string; force?: boolean }): Promise<string>;
/** electron-builder afterPack hook. */
export function afterPack(context: unknown): Promise<void>;
