import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { invalidInput, LabError } from '../../contract/errors.js';
import { writeFileAtomic } from '../../data/atomic-write.js';
import { writeTransaction, type Db } from '../db.js';
import { putTicketOrigin } from '../ticket-records.js';
import { getTicketRow, insertTicket, loadTicket, ticketOfSource } from '../tickets.js';
import { decodeTicketFile, encodeTicketFile, type DecodeOptions, type TicketFileFormat } from './colt-ticket.js';
import { findIdenticalTicket } from './identical.js';
import { exportProvenance, readOrigin } from './provenance.js';

/** Files larger than this are refused before being read (an 11M-weight ticket with final weights is ~100 MB). */
export const MAX_TICKET_FILE_BYTES = 1 << 30;

/** What an import did. */
export interface ImportResult {
  readonly ticketId: number;
  /** True when the same file (by sha256) was imported before, or the library holds a ticket with the same masks and θ0; nothing was written. */
  readonly duplicate: boolean;
  readonly format: string;
  readonly arch: string;
  readonly sparsity: number;
  readonly notes: readonly string[];
}

/** Options of importTicketFile. */
export interface ImportOptions extends DecodeOptions {
  readonly maxBytes?: number;
  readonly appVersion: string;
  readonly now?: () => Date;
}

/**
 * Imports a ticket file: reads it (refusing oversize files first), validates everything, then
 * writes the ticket in one transaction. A refused file leaves the library untouched.
 */
export async function importTicketFile(db: Db, file: string, options: ImportOptions): Promise<ImportResult> {
  const bytes = await readLimited(file, options.maxBytes ?? MAX_TICKET_FILE_BYTES);
  return importTicketBytes(db, bytes, path.basename(file), options);
}

/** importTicketFile on bytes already in memory; `name` is recorded as the source file name. */
export function importTicketBytes(db: Db, bytes: Uint8Array, name: string, options: ImportOptions): ImportResult {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let decoded;
  try {
    decoded = decodeTicketFile(bytes, options);
  } catch (e) {
    if (e instanceof LabError) throw new LabError(e.code, `${name}: ${e.message}`, { ...e.details, file: name });
    throw new LabError('invalid_input', `${name}: unreadable ticket file (${e instanceof Error ? e.message : String(e)})`, { file: name });
  }
  let origin;
  try {
    origin = readOrigin(decoded.metadata);
  } catch (e) {
    if (e instanceof LabError) throw new LabError(e.code, `${name}: ${e.message}`, { ...e.details, file: name });
    throw e;
  }
  const sameFile = ticketOfSource(db, sha256);
  const identical = sameFile ?? findIdenticalTicket(db, decoded.def, decoded.mask, decoded.init);
  const notes = [...decoded.notes];
  if (identical !== undefined && sameFile === undefined) {
    const row = getTicketRow(db, identical);
    notes.push(`the same masks and θ0 as ticket ${identical}${row.runId !== null ? ` (run ${row.runId}, round ${row.round})` : ''}; nothing was written`);
  }
  const ticketId = identical ?? writeTransaction(db, `import ticket file ${name}`, () => {
    const id = insertTicket(
      db,
      {
        provenance: { kind: 'file', file: name, sha256, format: decoded.format, round: decoded.round },
        def: decoded.def,
        method: decoded.method,
        dataset: decoded.dataset,
        datasetChecksum: decoded.datasetChecksum,
        seed: decoded.seed,
        mask: decoded.mask,
        init: decoded.init,
        ...(decoded.final ? { final: decoded.final } : {}),
        appVersion: options.appVersion,
      },
      options.now,
    );
    putTicketOrigin(db, id, origin);
    return id;
  });
  const sparsity = db.prepare('SELECT sparsity FROM tickets WHERE id = ?').pluck().get(ticketId) as number;
  return { ticketId, duplicate: identical !== undefined, format: decoded.format, arch: decoded.def.arch, sparsity, notes };
}

/** Options of exportTicketFile. */
export interface ExportOptions {
  readonly format?: TicketFileFormat;
  /** Include final weights when the ticket has them (default true; PyTorch style never does). */
  readonly final?: boolean;
  readonly appVersion: string;
}

/** Writes a stored ticket to a file (atomically: a temporary file renamed into place) and returns its size. */
export async function exportTicketFile(db: Db, ticketId: number, file: string, options: ExportOptions): Promise<number> {
  const chunks = exportTicketBytes(db, ticketId, options);
  await writeFileAtomic(file, chunks);
  return chunks.reduce((n, c) => n + c.length, 0);
}

/** The safetensors chunks of a stored ticket. */
export function exportTicketBytes(db: Db, ticketId: number, options: ExportOptions): Uint8Array[] {
  const format = options.format ?? 'colt';
  const ticket = loadTicket(db, ticketId, { final: format === 'colt' && options.final !== false });
  return encodeTicketFile(ticket, { format, final: options.final, appVersion: options.appVersion, provenance: exportProvenance(db, getTicketRow(db, ticketId)) });
}

async function readLimited(file: string, maxBytes: number): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LabError(code === 'ENOENT' ? 'not_found' : 'invalid_input', `${file}: cannot open the file (${code ?? String(e)})`, { file });
  }
  try {
    const { size } = await fh.stat();
    if (size > maxBytes) throw invalidInput(`${file}: ${size} bytes is over the ${maxBytes}-byte limit for ticket files`, { file });
    const bytes = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(bytes, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? bytes : bytes.subarray(0, at);
  } finally {
    await fh.close();
  }
}
