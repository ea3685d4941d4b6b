import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** How many recent libraries the menu lists. */
export const MAX_RECENT = 8;

/** The recent libraries stored in a small JSON file (most recent first); [] when it is missing or unreadable. */
export function loadRecentLibraries(file: string): string[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)).slice(0, MAX_RECENT);
  } catch {
    return [];
  }
}

/** Puts a library first in the list (once), keeps MAX_RECENT, writes the file atomically; returns the new list. */
export function addRecentLibrary(file: string, library: string): string[] {
  const list = [path.resolve(library), ...loadRecentLibraries(file).filter((p) => p !== path.resolve(library))].slice(0, MAX_RECENT);
  saveRecentLibraries(file, list);
  return list;
}

/** Writes the list (temp file + rename, so a crash never leaves half a file). */
export function saveRecentLibraries(file: string, list: readonly string[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n');
  renameSync(tmp, file);
}
