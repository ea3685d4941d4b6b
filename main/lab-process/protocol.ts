import { z } from 'zod';
import type { WireError } from '../contract/api.js';

/**
 * The messages between a front end's process (Electron's main process) and the lab process that
 * hosts LabService, its job pool and the library writer. Calls, replies and events carry the
 * contract's wire shapes (main/contract/api.ts WireRequest, WireReply, WireEvent) with a `kind`
 * tag; everything is JSON-safe, so Electron's parentPort, a Node child's IPC channel or a worker
 * port carry it unchanged.
 */

/** What the lab process opens its lab with: the first message it gets. */
export const labOpenOptionsSchema = z.strictObject({
  dataDir: z.string().min(1),
  libraryPath: z.string().min(1),
  backend: z.enum(['auto', 'tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  fileRoots: z.array(z.string().min(1)).optional(),
  concurrency: z.number().int().positive().max(256).optional(),
  /** The host prints reports to PDF (Electron's printToPDF) and answers `pdf` requests. */
  hostPrintsPdf: z.boolean().default(false),
});

/** The options of `open`, as the host writes them. */
export type LabOpenOptions = z.input<typeof labOpenOptionsSchema>;

/** Host → lab. */
export type HostMessage =
  | { readonly kind: 'open'; readonly options: LabOpenOptions }
  | { readonly kind: 'call'; readonly id: number; readonly command: string; readonly input: unknown }
  | { readonly kind: 'pdf.done'; readonly id: number; readonly ok: true; readonly pdf: string }
  | { readonly kind: 'pdf.done'; readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly kind: 'close' };

/** Lab → host. */
export type LabMessage =
  /** The lab is open: the backend it chose, its process id, and the runs it found interrupted (resumable). */
  | { readonly kind: 'ready'; readonly backend: string; readonly backendReason: string; readonly pid: number; readonly resumable: readonly number[] }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly output: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError }
  | { readonly kind: 'event'; readonly event: string; readonly payload: unknown }
  /** Print this report HTML to PDF (only when the host said it prints); answered by `pdf.done` with base64 bytes. */
  | { readonly kind: 'pdf'; readonly id: number; readonly html: string }
  /** The lab could not open (a library that is not one, a missing binding): the host should not restart it. */
  | { readonly kind: 'failed'; readonly error: WireError }
  | { readonly kind: 'closed' };

// Details go with the error (the window asks "Overwrite?" on `{reason: 'exists'}`), primitives only as on HTTP.
const wireErrorSchema = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional() });
const messageId = z.number().int().nonnegative();

const hostMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('open'), options: z.unknown() }),
  z.object({ kind: z.literal('call'), id: messageId, command: z.string().max(100), input: z.unknown() }),
  z.discriminatedUnion('ok', [
    z.object({ kind: z.literal('pdf.done'), id: messageId, ok: z.literal(true), pdf: z.string() }),
    z.object({ kind: z.literal('pdf.done'), id: messageId, ok: z.literal(false), error: wireErrorSchema }),
  ]),
  z.object({ kind: z.literal('close') }),
]);

const labMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), backend: z.string(), backendReason: z.string(), pid: z.number().int(), resumable: z.array(z.number().int()) }),
  z.discriminatedUnion('ok', [
    z.object({ kind: z.literal('reply'), id: messageId, ok: z.literal(true), output: z.unknown() }),
    z.object({ kind: z.literal('reply'), id: messageId, ok: z.literal(false), error: wireErrorSchema }),
  ]),
  z.object({ kind: z.literal('event'), event: z.string(), payload: z.unknown() }),
  z.object({ kind: z.literal('pdf'), id: messageId, html: z.string() }),
  z.object({ kind: z.literal('failed'), error: wireErrorSchema }),
  z.object({ kind: z.literal('closed') }),
]);

/** A host message, or a one-line reason it is not one (the lab answers a malformed call instead of crashing). */
export function parseHostMessage(message: unknown): { ok: true; message: HostMessage } | { ok: false; reason: string } {
  return parseWith(hostMessageSchema, message) as { ok: true; message: HostMessage } | { ok: false; reason: string };
}

/** A lab message, or a one-line reason it is not one. */
export function parseLabMessage(message: unknown): { ok: true; message: LabMessage } | { ok: false; reason: string } {
  return parseWith(labMessageSchema, message) as { ok: true; message: LabMessage } | { ok: false; reason: string };
}

function parseWith(schema: z.ZodType, message: unknown): { ok: true; message: unknown } | { ok: false; reason: string } {
  const r = schema.safeParse(message);
  if (r.success) return { ok: true, message: r.data };
  const issue = r.error.issues[0];
  return { ok: false, reason: `field '${issue.path.join('.') || 'kind'}': ${issue.message}` };
}
