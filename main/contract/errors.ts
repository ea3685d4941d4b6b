/** The fixed set of error codes every layer and transport uses. */
export type LabErrorCode = 'invalid_input' | 'not_found' | 'busy' | 'cancelled' | 'storage' | 'internal';

/** An error meant for the user: a code, a one-line message naming what is wrong, optional details. */
export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: LabErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** Shorthand for the most common error: input that fails validation, naming the field or byte. */
export function invalidInput(message: string, details?: Record<string, unknown>): LabError {
  return new LabError('invalid_input', message, details);
}

/** The error shape every transport carries: the code, the message and, when there are any, the details a client may act on. */
export interface WireErrorShape {
  readonly code: LabErrorCode;
  readonly message: string;
  readonly details?: Record<string, string | number | boolean | null>;
}

// Details that describe the machine rather than the request (raw SQLite text, the library's location) stay in this process.
const PRIVATE_DETAILS = new Set(['cause', 'stack', 'library', 'sqlite', 'action']);

/** Anything thrown, as the wire error: LabError's code, message and public details (primitive values only), else `internal`. */
export function wireError(e: unknown): WireErrorShape {
  const err = e instanceof LabError ? e : new LabError('internal', e instanceof Error ? e.message : String(e));
  const details: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(err.details ?? {})) {
    if (PRIVATE_DETAILS.has(k)) continue;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') details[k] = v;
  }
  return Object.keys(details).length > 0 ? { code: err.code, message: err.message, details } : { code: err.code, message: err.message };
}

/** The refusal of a write over an existing file without `force` (the UI asks "Overwrite?" on `details.reason === 'exists'`). */
export function fileExists(file: string, field: string): LabError {
  return new LabError('invalid_input', `${file} exists; pass force: true to overwrite`, { field, reason: 'exists', file });
}
