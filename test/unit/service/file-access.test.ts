import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileAccess } from '../../../main/service/file-access.js';

function setup(): { root: string; outside: string; files: FileAccess } {
  const base = mkdtempSync(path.join(tmpdir(), 'colt-files-'));
  const root = path.join(base, 'allowed');
  const outside = path.join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(path.join(root, 'in.txt'), 'x');
  writeFileSync(path.join(outside, 'secret.txt'), 'x');
  return { root, outside, files: new FileAccess([root]) };
}

describe('FileAccess: what a client may name', () => {
  it('lets files inside the allowed folders through', () => {
    const { root, files } = setup();
    expect(files.readable(path.join(root, 'in.txt'), 'path')).toBe(path.join(files.folders[0], 'in.txt'));
    expect(files.writable(path.join(root, 'new.safetensors'), 'path')).toBe(path.join(files.folders[0], 'new.safetensors'));
  });

  it('refuses files outside, naming the field', () => {
    const { outside, files } = setup();
    expect(() => files.readable(path.join(outside, 'secret.txt'), 'path')).toThrow(/field 'path': .*outside the folders/);
    expect(() => files.writable(path.join(outside, 'x.safetensors'), 'path')).toThrow(/outside the folders/);
  });

  it('refuses a link inside that leads out, for reading and for writing', () => {
    const { root, outside, files } = setup();
    symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    symlinkSync(outside, path.join(root, 'dir-link'));
    expect(() => files.readable(path.join(root, 'link.txt'), 'path')).toThrow(/outside the folders/);
    expect(() => files.writable(path.join(root, 'link.txt'), 'path')).toThrow(/outside the folders/);
    expect(() => files.writable(path.join(root, 'dir-link', 'x.safetensors'), 'path')).toThrow(/outside the folders/);
  });

  it('does not take a sibling folder sharing the prefix for the allowed one', () => {
    const { root, files } = setup();
    mkdirSync(`${root}-evil`);
    writeFileSync(`${root}-evil/x`, 'x');
    expect(() => files.readable(`${root}-evil/x`, 'path')).toThrow(/outside the folders/);
  });

  it('says when a file or folder does not exist', () => {
    const { root, files } = setup();
    expect(() => files.readable(path.join(root, 'nope'), 'path')).toThrow(/no such file/);
    expect(() => files.writable(path.join(root, 'nope', 'x'), 'path')).toThrow(/does not exist/);
  });

  it('replaces an existing file only with force, saying so in details', () => {
    const { root, files } = setup();
    const file = path.join(root, 'in.txt');
    try {
      files.writable(file, 'path');
      throw new Error('expected a refusal');
    } catch (e) {
      expect(e).toMatchObject({ code: 'invalid_input', message: `${file} exists; pass force: true to overwrite`, details: { field: 'path', reason: 'exists' } });
    }
    expect(files.writable(file, 'path', { force: true })).toBe(path.join(files.folders[0], 'in.txt'));
  });

  it("never writes into a protected folder (the library's), even with force or through a link", () => {
    const { root } = setup();
    const lib = path.join(root, 'lib');
    mkdirSync(lib);
    writeFileSync(path.join(lib, 'library.sqlite'), 'x');
    symlinkSync(path.join(lib, 'library.sqlite'), path.join(root, 'innocent.safetensors'));
    const files = new FileAccess([root], { protectedFolders: [lib] });
    for (const target of [path.join(lib, 'library.sqlite'), path.join(lib, 'new.safetensors'), path.join(root, 'innocent.safetensors')]) {
      expect(() => files.writable(target, 'path', { force: true }), target).toThrow(/library's folder/);
    }
    expect(files.writable(path.join(root, 'ok.safetensors'), 'path')).toBe(path.join(files.folders[0], 'ok.safetensors'));
  });

  it.skipIf(process.platform === 'win32')('refuses FIFOs and folders where a file is read or written (mkfifo: not on Windows)', () => {
    const { root, files } = setup();
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    expect(() => files.readable(path.join(root, 'pipe'), 'path')).toThrow(/is a FIFO \(named pipe\); only regular files are read/);
    expect(() => files.writable(path.join(root, 'pipe'), 'path', { force: true })).toThrow(/is a FIFO/);
    mkdirSync(path.join(root, 'dir'));
    expect(() => files.readable(path.join(root, 'dir'), 'path')).toThrow(/is a folder/);
    expect(files.readable(path.join(root, 'dir'), 'path', { folders: true })).toBe(path.join(files.folders[0], 'dir'));
    expect(() => files.writable(path.join(root, 'dir'), 'path', { force: true })).toThrow(/is a folder/);
    expect(() => files.folder(path.join(root, 'in.txt'), 'folder')).toThrow(/not a folder/);
  });
});
