import type { CommandInput, CommandName, CommandOutput, WireEvent } from '../../../main/contract/api.js';

/** An error a command answered with: one of LabError's codes, a message naming the field or byte at fault, and details (e.g. `{field: 'path', reason: 'exists'}`). */
export class ApiError extends Error {
  readonly code: string;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details?: Readonly<Record<string, unknown>>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** What importing one dropped file gave: the imported ticket, or the server's reason for refusing it. */
export type ImportResult =
  | { readonly file: string; readonly ok: true; readonly output: CommandOutput<'tickets.import'> }
  | { readonly file: string; readonly ok: false; readonly error: ApiError };

/** The one API client the stores talk to (STYLE.md, One contract, thin transports); IPC and HTTP implement it. */
export interface ApiClient {
  /** Which transport carries the calls. */
  readonly transport: 'ipc' | 'http';
  /** Runs a contract command; rejects with an ApiError. */
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>;
  /** Subscribes to run events; returns the unsubscribe function. */
  onEvent(listener: (event: WireEvent) => void): () => void;
  /** Imports ticket files through `tickets.import`: by path inside Electron, as base64 bytes over HTTP. */
  importFiles(files: readonly File[]): Promise<ImportResult[]>;
}

/** The reply shape both transports carry. */
export type Reply<T> = { readonly ok: true; readonly output: T } | { readonly ok: false; readonly error: { readonly code: string; readonly message: string; readonly details?: Readonly<Record<string, unknown>> } };

/** Unwraps a reply: its output, or an ApiError (with the error's details, when the server sent them). */
export function unwrap<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.output;
  const d = reply.error.details;
  throw new ApiError(reply.error.code, reply.error.message, typeof d === 'object' && d !== null && !Array.isArray(d) ? d : undefined);
}

/** Whether an error is the server refusing to overwrite an existing file (input `path`, reason `exists`) unless asked with force. */
export function isExistsRefusal(e: unknown): boolean {
  if (!(e instanceof ApiError) || e.code !== 'invalid_input') return false;
  if (e.details) return e.details.field === 'path' && e.details.reason === 'exists';
  // A server without details on the wire: its message says so.
  return /already exists/i.test(e.message);
}

/**
 * Runs a command that writes a file: first without force; if the file exists, asks the user
 * (the question names the file) and, on yes, runs it again with force. Null when the user said no.
 */
export async function withOverwrite<T>(run: (force: boolean) => Promise<T>, ask: (question: string) => Promise<boolean>, file: string): Promise<T | null> {
  try {
    return await run(false);
  } catch (e) {
    if (!isExistsRefusal(e)) throw e;
    if (!(await ask(`${file} already exists. Overwrite it?`))) return null;
    return run(true);
  }
}

/** Any error as an ApiError (a transport failure becomes code `internal`). */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError('internal', e instanceof Error ? e.message : String(e));
}

/** Base64 of bytes, in chunks so large files do not overflow the argument list of fromCharCode. */
export function toBase64(bytes: Uint8Array): string {
  let text = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) text += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(text);
}
