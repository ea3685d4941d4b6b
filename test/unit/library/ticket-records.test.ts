import { afterEach, describe, expect, it } from 'vitest';
import { exportTicketBytes, importTicketBytes } from '../../../main/library/ticket-file/ticket-io.js';
import { parseSafetensors } from '../../../main/library/ticket-file/safetensors.js';
import { getTicketOrigin, insertEvaluation, listEvaluations, reconcileStaleEvaluations, updateEvaluation } from '../../../main/library/ticket-records.js';
import { writeTransaction } from '../../../main/library/db.js';
import { deleteImportedTicket } from '../../../main/library/tickets.js';
import { rowCounts, tempLibrary } from './helpers.js';
import { makeTicket, storeTicket } from './ticket-fixtures.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function lib() {
  const l = tempLibrary();
  cleanups.push(l.cleanup);
  return l.db;
}

describe('ticket records: origin, duplicates by content, evaluations', () => {
  it('keeps an exported ticket the same ticket when imported back, and a copy in another library keeps its origin', () => {
    const source = lib();
    const t = makeTicket('lenet-300-100', [4, 4, 1], 3, {});
    const id = storeTicket(source, t);
    const bytes = Buffer.concat(exportTicketBytes(source, id, { appVersion: 'test' }));
    const meta = parseSafetensors(bytes).metadata!;
    expect(meta.origin).toBe('file');
    // Back into the same library: the same masks and θ0 are the ticket it came from.
    const before = rowCounts(source);
    const back = importTicketBytes(source, bytes, 'back.safetensors', { appVersion: 'test' });
    expect(back).toMatchObject({ ticketId: id, duplicate: true });
    expect(back.notes.join(' ')).toContain(`the same masks and θ0 as ticket ${id}`);
    expect(rowCounts(source)).toEqual(before);
    // A PyTorch-layout export of it is the same ticket too.
    const torch = Buffer.concat(exportTicketBytes(source, id, { appVersion: 'test', format: 'pytorch' }));
    expect(importTicketBytes(source, torch, 'back-torch.safetensors', { appVersion: 'test' })).toMatchObject({ ticketId: id, duplicate: true });
  });

  it('stores the accuracy and provenance a file states, passes them on when exported again, and refuses accuracies that are not fractions', () => {
    const a = lib();
    const t = makeTicket('lenet-300-100', [4, 4, 1], 3, {});
    const bytes = Buffer.concat(exportTicketBytes(a, storeTicket(a, t), { appVersion: 'test' }));
    // The same file with an accuracy and a run's provenance in its metadata.
    const file = parseSafetensors(bytes);
    const withMeta = rewriteMetadata(bytes, { ...file.metadata!, origin: 'run', run: '12', round: '3', experiment: '4', experiment_name: 'study', test_accuracy: '0.8125', val_accuracy: '0.8' });
    const b = lib();
    const imported = importTicketBytes(b, withMeta, 'study.safetensors', { appVersion: 'test' });
    expect(imported.duplicate).toBe(false);
    expect(getTicketOrigin(b, imported.ticketId)).toEqual({ testAccuracy: 0.8125, valAccuracy: 0.8, provenance: expect.objectContaining({ origin: 'run', run: '12', experiment: '4', experiment_name: 'study' }) });
    const again = parseSafetensors(Buffer.concat(exportTicketBytes(b, imported.ticketId, { appVersion: 'test' }))).metadata!;
    // The first file's name stays the source: the fixture's export carried it, and provenance is passed on, not replaced.
    expect(again).toMatchObject({ origin: 'run', run: '12', experiment_name: 'study', test_accuracy: '0.8125', source_file: 'fixture' });
    const c = lib();
    const counts = rowCounts(c);
    for (const bad of ['1.5', 'x', '']) {
      expect(() => importTicketBytes(c, rewriteMetadata(bytes, { ...file.metadata!, test_accuracy: bad }), 'bad.safetensors', { appVersion: 'test' })).toThrow(/__metadata__\.test_accuracy/);
    }
    expect(rowCounts(c)).toEqual(counts);
  });

  it('records evaluations from queued to finished, marks ones a stopped process left as failed, and deletes them with their ticket', () => {
    const db = lib();
    const bytes = Buffer.concat(exportTicketBytes(db, storeTicket(db, makeTicket('lenet-300-100', [4, 4, 1], 3, {})), { appVersion: 'test' }));
    const other = lib();
    const { ticketId } = importTicketBytes(other, bytes, 't.safetensors', { appVersion: 'test' });
    const first = writeTransaction(other, 'e', () => insertEvaluation(other, { ticketId, dataset: 'd', config: { a: 1 }, backend: 'cpu' }));
    writeTransaction(other, 'u', () => updateEvaluation(other, first, { status: 'finished', testAccuracy: 0.5, valAccuracy: 0.4, samples: 100, seconds: 2 }));
    const second = writeTransaction(other, 'e', () => insertEvaluation(other, { ticketId, dataset: 'd', config: {}, backend: 'cpu' }));
    expect(writeTransaction(other, 'r', () => reconcileStaleEvaluations(other))).toBe(1);
    const list = listEvaluations(other, ticketId);
    expect(list.map((e) => [e.id, e.status])).toEqual([[second, 'failed'], [first, 'finished']]);
    expect(list[1]).toMatchObject({ testAccuracy: 0.5, valAccuracy: 0.4, samples: 100, seconds: 2, config: { a: 1 } });
    expect(list[0].error).toMatch(/stopped/);
    writeTransaction(other, 'd', () => deleteImportedTicket(other, ticketId));
    expect(rowCounts(other).ticket_evaluations).toBe(0);
    expect(rowCounts(other).ticket_origins).toBe(0);
  });
});

/** The same safetensors file with other metadata (the tensors' bytes unchanged). */
function rewriteMetadata(bytes: Buffer, metadata: Record<string, string>): Buffer {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  header.__metadata__ = metadata;
  let text = JSON.stringify(header);
  while ((8 + Buffer.byteLength(text)) % 8 !== 0) text += ' ';
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  return Buffer.concat([head, Buffer.from(text), bytes.subarray(8 + n)]);
}
