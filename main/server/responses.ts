import type http from 'node:http';
import { wireError, type WireErrorShape } from '../contract/errors.js';

/**
 * Headers on every response: no Referer leaves the page (its URL may carry the token), nothing
 * is sniffed into another type, no other origin may embed or read a response as a resource.
 */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
};

const STATUS: Record<string, number> = { invalid_input: 400, not_found: 404, busy: 409, cancelled: 409, storage: 500, internal: 500 };

/** The HTTP status of a wire error: its code's, or 507 for a full disk. */
export function statusOf(e: WireErrorShape): number {
  if (e.code === 'storage' && e.details?.reason === 'disk-full') return 507;
  return STATUS[e.code] ?? 500;
}

/** Answers with a JSON body (unless the response has started) and the base headers. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** A refusal of the transport itself (bad target, wrong host, missing token, …): `{ok: false, error}` with an explicit status. */
export function refuse(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { ok: false, error: { code: status === 404 ? 'not_found' : 'invalid_input', message } }, headers);
}

/** Answers a command's failure in the contract's shape, with the status its code maps to. */
export function sendError(res: http.ServerResponse, e: unknown): void {
  const error = wireError(e);
  sendJson(res, statusOf(error), { ok: false, error });
}
