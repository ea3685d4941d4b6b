import { LabError } from '../contract/errors.js';

/**
 * Turns a file system error about `file` into a LabError with a plain message (no stack, no raw
 * errno text): a path the user named badly is invalid_input or not_found, a full disk is storage.
 * `action` says what was being done ("write", "read", "open").
 */
export function fileError(e: unknown, file: string, action: string, field?: string): LabError {
  if (e instanceof LabError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  const at = field !== undefined ? { field, file } : { file };
  switch (code) {
    case 'ENOENT':
      return new LabError('not_found', `${file}: no such file or folder`, at);
    case 'EISDIR':
      return new LabError('invalid_input', `${file} is a folder, not a file`, { ...at, reason: 'not-a-file' });
    case 'ENOTDIR':
      return new LabError('invalid_input', `${file}: a part of the path is not a folder`, at);
    case 'EACCES':
    case 'EPERM':
      return new LabError('invalid_input', `${file}: permission denied (cannot ${action} it)`, { ...at, reason: 'permission' });
    case 'EROFS':
      return new LabError('invalid_input', `${file}: the file system is read-only (cannot ${action} it)`, { ...at, reason: 'read-only' });
    case 'ENOSPC':
    case 'EDQUOT':
      return new LabError('storage', `${file}: the disk is full (cannot ${action} it); free some space and try again`, { ...at, reason: 'disk-full' });
    case 'EFBIG':
      return new LabError('storage', `${file}: the file is too large for this file system`, at);
    case 'ELOOP':
      return new LabError('invalid_input', `${file}: too many symbolic links`, at);
    case 'ENAMETOOLONG':
      return new LabError('invalid_input', `${file}: the name is too long`, at);
    case 'EMFILE':
    case 'ENFILE':
      return new LabError('busy', `${file}: too many open files; try again`, at);
    case 'EIO':
      return new LabError('storage', `${file}: a disk read or write failed (EIO)`, at);
    default:
      return new LabError(code ? 'storage' : 'internal', `${file}: cannot ${action} it${code ? ` (${code})` : ''}`, at);
  }
}

/** True for the error codes of a full disk or a read-only file system (conditions that end with the disk, not the work). */
export function isDiskCondition(e: unknown): boolean {
  const code = (e as { code?: unknown } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS' || code === 'SQLITE_FULL' || code === 'SQLITE_READONLY';
}
