import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileExists, LabError } from '../contract/errors.js';
import { kindOf, checkWriteTarget } from '../data/regular-file.js';

/** Settings of FileAccess besides the allowed folders. */
export interface FileAccessOptions {
  /** Folders never written into, whatever `force` says (the library's folder: its file, WAL, caches). */
  readonly protectedFolders?: readonly string[];
}

/**
 * Paths a client names (ticket import/export, reports, datasets) are opened by this process, so
 * a client may only reach inside the allowed folders (DESIGN.md, Safety). The contract already
 * refuses relative paths and `..` segments; this resolves symbolic links too, so a link inside
 * an allowed folder cannot lead out of it. Writes never go into a protected folder, never replace
 * anything but a regular file, and replace one only with `force`.
 */
export class FileAccess {
  private readonly roots: string[];
  private readonly protectedFolders: string[];

  constructor(roots: readonly string[], options: FileAccessOptions = {}) {
    this.roots = roots.map((r) => real(path.resolve(r)));
    this.protectedFolders = (options.protectedFolders ?? []).map((r) => real(path.resolve(r)));
  }

  /** The allowed folders, resolved. */
  get folders(): readonly string[] {
    return this.roots;
  }

  /** An existing file (or, with `folders: true`, a folder) to read, refused outside the allowed folders. */
  readable(file: string, field: string, options: { folders?: boolean } = {}): string {
    const target = this.resolveExisting(file, field);
    this.check(target, file, field);
    const st = statSync(target);
    if (!(st.isFile() || (options.folders === true && st.isDirectory()))) {
      throw new LabError('invalid_input', `field '${field}': ${file} is ${kindOf(st)}; only regular files${options.folders ? ' and folders' : ''} are read`, { field, reason: 'not-a-file' });
    }
    return target;
  }

  /**
   * A file to write: its folder must exist inside the allowed folders and outside the protected
   * ones; an existing target must be a regular file, and is replaced only with `force`.
   */
  writable(file: string, field: string, options: { force?: boolean } = {}): string {
    const resolved = path.resolve(file);
    let folder: string;
    try {
      folder = realpathSync(path.dirname(resolved));
    } catch (e) {
      throw new LabError('not_found', `field '${field}': the folder of ${file} does not exist (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { field });
    }
    const target = path.join(folder, path.basename(resolved));
    // An existing link at the target would redirect the write.
    let existing: string | undefined;
    try {
      existing = realpathSync(target);
    } catch {
      existing = undefined;
    }
    this.check(existing ?? target, file, field);
    for (const p of [folder, ...(existing !== undefined ? [path.dirname(existing)] : [])]) {
      if (this.protectedFolders.some((guarded) => inside(p, guarded))) {
        throw new LabError('invalid_input', `field '${field}': ${file} is in the library's folder, which this app never writes files into; choose another folder`, { field, reason: 'protected' });
      }
    }
    if (checkWriteTarget(target, field) === 'file' && options.force !== true) throw fileExists(file, field);
    return target;
  }

  /** An existing folder, refused outside the allowed folders. */
  folder(dir: string, field: string): string {
    const target = this.resolveExisting(dir, field);
    this.check(target, dir, field);
    const st = statSync(target);
    if (!st.isDirectory()) throw new LabError('invalid_input', `field '${field}': ${dir} is ${kindOf(st)}, not a folder`, { field });
    return target;
  }

  /**
   * A folder this app may create and write into (a Slurm sweep's folder): its nearest existing
   * ancestor, links resolved, must be a folder inside the allowed folders and outside the protected ones.
   */
  creatableFolder(dir: string, field: string): string {
    const resolved = path.resolve(dir);
    let existing = resolved;
    const below: string[] = [];
    for (;;) {
      try {
        existing = realpathSync(existing);
        break;
      } catch {
        const parent = path.dirname(existing);
        if (parent === existing) throw new LabError('not_found', `field '${field}': no folder of ${dir} exists`, { field });
        below.unshift(path.basename(existing));
        existing = parent;
      }
    }
    const st = statSync(existing);
    if (!st.isDirectory()) throw new LabError('invalid_input', `field '${field}': ${existing} is ${kindOf(st)}, not a folder`, { field });
    const target = path.join(existing, ...below);
    this.check(target, dir, field);
    if (this.protectedFolders.some((guarded) => inside(target, guarded))) {
      throw new LabError('invalid_input', `field '${field}': ${dir} is in the library's folder, which this app never writes files into; choose another folder`, { field, reason: 'protected' });
    }
    return target;
  }

  private resolveExisting(file: string, field: string): string {
    try {
      return realpathSync(path.resolve(file));
    } catch (e) {
      throw new LabError('not_found', `field '${field}': ${file}: no such file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { field });
    }
  }

  private check(target: string, asked: string, field: string): void {
    if (!this.roots.some((root) => inside(target, root))) {
      throw new LabError('invalid_input', `field '${field}': ${asked} is outside the folders this app may use (${this.roots.join(', ')})`, { field });
    }
  }
}

/** True when `p` is `root` or below it. */
function inside(p: string, root: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
