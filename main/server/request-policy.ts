import type http from 'node:http';
import { timingSafeEqual } from 'node:crypto';

/** A request target split into path and query (never through `new URL`, which throws on targets such as `//[`). */
export interface Target {
  readonly pathname: string;
  readonly query: URLSearchParams;
}

/** The path and query of an origin-form request target (`/path?query`), or undefined for anything else. */
export function parseTarget(raw: string | undefined): Target | undefined {
  if (raw === undefined || raw.length === 0 || raw.length > 8192 || raw[0] !== '/') return undefined;
  // Node's parser already refuses spaces and controls; refuse anything else outside printable ASCII too.
  if (!/^[\x21-\x7e]*$/.test(raw)) return undefined;
  const q = raw.indexOf('?');
  const pathname = q < 0 ? raw : raw.slice(0, q);
  const hash = pathname.indexOf('#');
  return { pathname: hash < 0 ? pathname : pathname.slice(0, hash), query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** A Host header's host name (lower case, no trailing dot, IPv6 without brackets) and port, or undefined when malformed. */
export function parseHost(header: string | undefined): { name: string; port: string } | undefined {
  if (header === undefined || header.length === 0 || header.length > 300) return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(header);
  if (!m) return undefined;
  const name = (m[1] ?? m[2]).toLowerCase().replace(/\.$/, '');
  if (name.length === 0) return undefined;
  if (m[3] !== undefined && Number(m[3]) > 65535) return undefined;
  return { name, port: m[3] ?? '' };
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The Host allowlist (Jupyter's model): loopback names, the address the server binds and the names
 * given with --allow-host. A page on any other name reaching this port got there by DNS
 * rebinding (a name that resolved to this machine after the page loaded) and is refused.
 */
export function hostAllowlist(bound: string, extra: readonly string[]): (name: string) => boolean {
  const names = new Set([bound, ...extra].map((h) => h.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')));
  return (name) => isLoopback(name) || names.has(name);
}

/**
 * Whether an Origin header is this server as the browser addressed it: same host and port as
 * the Host header (any other port of 127.0.0.1 is another origin, though cookies would not tell
 * them apart). `null` origins (sandboxed frames, files) are refused.
 */
export function sameOrigin(origin: string, host: { name: string; port: string }): boolean {
  const m = /^(https?):\/\/(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(origin);
  if (!m) return false;
  const name = (m[2] ?? m[3]).toLowerCase().replace(/\.$/, '');
  const defaultPort = m[1] === 'https' ? '443' : '80';
  const port = m[4] ?? defaultPort;
  return name === host.name && port === (host.port || defaultPort);
}

/** Why a request may not reach the lab (host, origin, fetch site), as [status, message], or undefined when it may. */
export function originRefusal(req: http.IncomingMessage, allowed: (name: string) => boolean, api: boolean): [number, string] | undefined {
  const host = parseHost(header(req, 'host'));
  if (!host) return [400, 'missing or malformed Host header'];
  if (!allowed(host.name)) return [403, `Host '${host.name}' is not one this server answers to (loopback, the --host address, or an --allow-host name)`];
  const origin = header(req, 'origin');
  if (origin !== undefined && !sameOrigin(origin, host)) return [403, `a page from ${origin.slice(0, 100)} may not use this lab (cross-origin requests are refused)`];
  // Browsers say where a request comes from: only the lab's own page ('same-origin') may call it;
  // 'none' has no initiating page (a non-browser client such as Electron's main process).
  const site = header(req, 'sec-fetch-site');
  if (api && site !== undefined && site !== 'same-origin' && site !== 'none') return [403, `a ${site.slice(0, 20)} request may not use this lab`];
  return undefined;
}

/** One header's value as a single string (the first when repeated). */
export function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The WebSocket subprotocol the browser page offers alongside its token (`colt-token.<token>`), which the server selects. */
export const EVENTS_PROTOCOL = 'colt-lab';
/** Prefix of the subprotocol that carries the token on a browser WebSocket (which cannot set headers). */
export const TOKEN_PROTOCOL_PREFIX = 'colt-token.';

/** The Bearer token of an Authorization header. */
export function bearerToken(req: http.IncomingMessage): string | undefined {
  const h = header(req, 'authorization');
  return h !== undefined && h.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** The tokens a WebSocket upgrade carries: Bearer header, the `colt-token.` subprotocol, or `?token=`. */
export function socketTokens(req: http.IncomingMessage, query: URLSearchParams): string[] {
  const protocols = (header(req, 'sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
  const fromProtocol = protocols.filter((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX)).map((p) => p.slice(TOKEN_PROTOCOL_PREFIX.length));
  return [bearerToken(req), ...fromProtocol, query.get('token') ?? undefined].filter((t): t is string => t !== undefined && t.length > 0);
}

/** Constant-time token comparison. */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The media type of a Content-Type header (lower case, without parameters). */
export function mediaType(req: http.IncomingMessage): string | undefined {
  const h = header(req, 'content-type');
  return h === undefined ? undefined : h.split(';')[0].trim().toLowerCase();
}
