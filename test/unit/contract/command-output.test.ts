import { describe, expect, it } from 'vitest';
import { parseCommandOutput } from '../../../main/contract/api.js';

const delete1 = { experimentId: 1, runs: 2, tickets: 4 };

describe('parseCommandOutput', () => {
  it('passes an answer of the contract shape through unchanged', () => {
    expect(parseCommandOutput('experiments.delete', delete1)).toEqual(delete1);
  });

  it('drops keys the output schema does not name, so no internal field reaches a client', () => {
    expect(parseCommandOutput('experiments.delete', { ...delete1, sql: 'DELETE FROM runs' })).toEqual(delete1);
  });

  it('refuses an answer off the contract as internal, naming the command and field', () => {
    expect(() => parseCommandOutput('experiments.delete', { ...delete1, runs: -1 })).toThrow(
      expect.objectContaining({ code: 'internal', message: expect.stringMatching(/^experiments\.delete: the answer does not match the contract at 'output\.runs'/) }),
    );
    expect(() => parseCommandOutput('runs.list', [{ id: 1 }])).toThrow(expect.objectContaining({ code: 'internal', message: expect.stringContaining("'output.0.") }));
  });
});
