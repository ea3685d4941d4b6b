import { describe, expect, it } from 'vitest';
import { safeText } from '../../../main/cli/output.js';

describe('CLI output hygiene', () => {
  it('escapes terminal controls, DEL, C1 and bidirectional overrides, keeping tabs, newlines and other text', () => {
    expect(safeText('a\x1b[2Jb\x07c\x7f\u009b\u202e\u2066d\te\nf é 漢')).toBe('a\\u001b[2Jb\\u0007c\\u007f\\u009b\\u202e\\u2066d\te\nf é 漢');
  });

  it('keeps JSON lines valid JSON meaning the same text', () => {
    const value = { s: 'x\x1b]0;title\x07\u009b\u202ey' };
    expect(JSON.parse(safeText(JSON.stringify(value)))).toEqual(value);
  });
});
