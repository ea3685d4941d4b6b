import { afterEach, describe, expect, it } from 'vitest';
import { exportTicketBytes, importTicketBytes } from '../../../main/library/ticket-file/ticket-io.js';
import { getTicketRow } from '../../../main/library/tickets.js';
import { tempLibrary } from './helpers.js';
import { makeTicket, storeTicket } from './ticket-fixtures.js';

// The mask check of a ticket's final weights: counted when the ticket is stored (a run's round
// or an imported file), never assumed.

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function library() {
  const t = tempLibrary();
  cleanups.push(t.cleanup);
  return t.db;
}

describe('ticket mask check', () => {
  it('counts final weights that are not zero where the mask is 0, through export and import', () => {
    const db = library();
    const t = makeTicket('lenet-300-100', [8, 8, 1], 4, { final: true, keep: 0.4 });
    let pruned = 0;
    let nonZero = 0;
    for (const [name, m] of t.mask) {
      const w = t.final!.get(name)!;
      for (let i = 0; i < m.length; i++) {
        if (m[i] === 0) {
          pruned++;
          if (w[i] !== 0) nonZero++;
        }
      }
    }
    expect(nonZero).toBeGreaterThan(pruned * 0.5);
    const id = storeTicket(db, t);
    expect(getTicketRow(db, id).maskViolations).toBe(nonZero);
    const bytes = Buffer.concat(exportTicketBytes(db, id, { format: 'colt', final: true, appVersion: 'test' }));
    const other = library();
    const imported = importTicketBytes(other, bytes, 'exported.safetensors', { appVersion: 'test' });
    expect(getTicketRow(other, imported.ticketId).maskViolations).toBe(nonZero);
  });

  it('records 0 for final weights that respect the mask, and nothing without final weights', () => {
    const db = library();
    const t = makeTicket('lenet-300-100', [8, 8, 1], 4, { final: true });
    for (const [name, m] of t.mask) t.final!.set(name, t.final!.get(name)!.map((w, i) => (m[i] ? w : 0)));
    expect(getTicketRow(db, storeTicket(db, t, 'clean')).maskViolations).toBe(0);
    expect(getTicketRow(db, storeTicket(db, makeTicket('lenet-300-100', [8, 8, 1], 4, { seed: 2 }), 'no-final')).maskViolations).toBeNull();
  });
});
