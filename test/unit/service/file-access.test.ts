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
});
