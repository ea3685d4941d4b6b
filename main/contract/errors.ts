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
