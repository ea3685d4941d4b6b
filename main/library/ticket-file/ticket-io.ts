import { createHash } from 'node:crypto';
import path from 'node:path';
import { invalidInput, LabError } from '../../contract/errors.js';
import { writeFileAtomic } from '../../data/atomic-write.js';
import { openRegularFile, readAt } from '../../data/regular-file.js';
import { writeTransaction, type Db } from '../db.js';
import { putTicketOrigin, type TicketOrigin } from '../ticket-records.js';
import { getTicketRow, insertTicket, loadTicket, ticketOfSource } from '../tickets.js';
import { decodeTicketFile, encodeTicketFile, type DecodeOptions, type DecodedTicket, type TicketFileFormat } from './colt-ticket.js';
import { findIdenticalTicket } from './identical.js';
import { exportProvenance, readOrigin } from './provenance.js';
import { checkHeaderLength } from './safetensors.js';

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

/** A ticket file read and validated, not yet stored: what storeImportedTicket files. */
export interface PreparedImport {
  readonly name: string;
  readonly sha256: string;
  readonly decoded: DecodedTicket;
  /** The origin and stated accuracy the file's metadata carries. */
  readonly origin: TicketOrigin;
}

/**
 * Imports a ticket file: reads it (refusing non-regular and oversize files first), validates
 * everything, then writes the ticket in one transaction. A refused file leaves the library untouched.
 */
export async function importTicketFile(db: Db, file: string, options: ImportOptions): Promise<ImportResult> {
  return storeImportedTicket(db, await readTicketFile(file, options), options);
}

/**
 * Reads and validates a ticket file without touching any library (so a refused file never makes
 * one): only a regular file, its size and its header length checked before the whole file is read.
 */
export async function readTicketFile(file: string, options: ImportOptions): Promise<PreparedImport> {
  const maxBytes = options.maxBytes ?? MAX_TICKET_FILE_BYTES;
  const name = path.basename(file);
  const { fh, size } = await openRegularFile(file, 'path');
  let bytes: Buffer;
  try {
    if (size > maxBytes) throw invalidInput(`${file}: ${size} bytes is over the ${maxBytes}-byte limit for ticket files`, { file, reason: 'too-large' });
    // A header length past its limit (or past the file) is refused from its 8 bytes, before the file is read.
    if (size >= 8) {
      try {
        checkHeaderLength(await readAt(fh, file, 0, 8), size);
      } catch (e) {
        throw e instanceof LabError ? new LabError(e.code, `${name}: ${e.message}`, { ...e.details, file: name }) : e;
      }
    }
    bytes = await readAt(fh, file, 0, size, 'path');
  } finally {
    await fh.close();
  }
  return prepareTicketBytes(bytes, name, options);
}

/** readTicketFile on bytes already in memory; `name` is recorded as the source file name. */
export function prepareTicketBytes(bytes: Uint8Array, name: string, options: ImportOptions): PreparedImport {
  let decoded;
  try {
    decoded = decodeTicketFile(bytes, options);
  } catch (e) {
    // Messages quote metadata from the file: cut them short so a hostile file cannot flood a terminal or a log.
    if (e instanceof LabError) throw new LabError(e.code, `${name}: ${clip(e.message)}`, { ...e.details, file: name });
    throw new LabError('invalid_input', `${name}: unreadable ticket file (${e instanceof Error ? e.message : String(e)})`, { file: name });
  }
  let origin;
  try {
    origin = readOrigin(decoded.metadata);
  } catch (e) {
    if (e instanceof LabError) throw new LabError(e.code, `${name}: ${clip(e.message)}`, { ...e.details, file: name });
    throw e;
  }
  return { name, sha256: createHash('sha256').update(bytes).digest('hex'), decoded, origin };
}

/** importTicketFile on bytes already in memory; `name` is recorded as the source file name. */
export function importTicketBytes(db: Db, bytes: Uint8Array, name: string, options: ImportOptions): ImportResult {
  return storeImportedTicket(db, prepareTicketBytes(bytes, name, options), options);
}

/**
 * Files a validated ticket in one transaction: nothing when the same file was imported before or
 * the library holds a ticket with the same masks and θ0 (that ticket is the answer).
 */
export function storeImportedTicket(db: Db, prepared: PreparedImport, options: ImportOptions): ImportResult {
  const { name, sha256, decoded, origin } = prepared;
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

function clip(message: string): string {
  return message.length > 600 ? `${message.slice(0, 600)}... (${message.length - 600} more characters)` : message;
}
