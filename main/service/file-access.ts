import { realpathSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../contract/errors.js';

/**
 * Paths a client names (ticket import/export, reports, datasets) are opened by this process, so
 * a client may only reach inside the allowed folders (DESIGN.md, Safety). The contract already
 * refuses relative paths and `..` segments; this resolves symbolic links too, so a link inside
 * an allowed folder cannot lead out of it.
 */
export class FileAccess {
  private readonly roots: string[];

  constructor(roots: readonly string[]) {
    this.roots = roots.map((r) => real(path.resolve(r)));
  }

  /** The allowed folders, resolved. */
  get folders(): readonly string[] {
    return this.roots;
  }

  /** An existing file to read, refused outside the allowed folders. */
  readable(file: string, field: string): string {
    const resolved = path.resolve(file);
    let target: string;
    try {
      target = realpathSync(resolved);
    } catch (e) {
      throw new LabError('not_found', `field '${field}': ${file}: no such file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { field });
    }
    this.check(target, file, field);
    return target;
  }

  /** A file to write: its folder must exist inside the allowed folders (the file itself need not). */
  writable(file: string, field: string): string {
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
    return target;
  }

  /** An existing folder, refused outside the allowed folders. */
  folder(dir: string, field: string): string {
    return this.readable(dir, field);
  }

  private check(target: string, asked: string, field: string): void {
    const inside = this.roots.some((root) => target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep));
    if (!inside) {
      throw new LabError('invalid_input', `field '${field}': ${asked} is outside the folders this app may use (${this.roots.join(', ')})`, { field });
    }
  }
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
