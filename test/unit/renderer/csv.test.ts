import { describe, expect, it } from 'vitest';
import { csvField, csvName, toCsv } from '../../../renderer/src/csv.js';

describe('toCsv', () => {
  it('writes a header and rows, quoting fields with commas, quotes or line breaks', () => {
    expect(toCsv(['method', 'note'], [['imp', 'a, b'], ['colt', 'say "hi"'], ['random', 'two\nlines'], ['reinit', null]])).toBe(
      'method,note\r\nimp,"a, b"\r\ncolt,"say ""hi"""\r\nrandom,"two\nlines"\r\nreinit,\r\n',
    );
    expect(csvField(0.25)).toBe('0.25');
  });

  it('names files after the table and what it shows', () => {
    expect(csvName('Rounds to reach', 'e3')).toBe('rounds-to-reach-e3.csv');
    expect(csvName('', null)).toBe('table.csv');
  });
});
