import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireEvent } from '../contract/api.js';
import { invalidInput, LabError } from '../contract/errors.js';

/** Anything that answers contract commands (LabService). */
export interface CommandHandler {
  call(command: string, input: unknown): Promise<unknown>;
}

/** Settings of `colt serve`. */
export interface ServeOptions {
  readonly handler: CommandHandler;
  readonly host?: string;
  readonly port?: number;
  /** Required on every request; a random one is made when absent. */
  readonly token?: string;
  /** Binding anything but loopback needs this explicit consent. */
  readonly allowRemote?: boolean;
  /** The built renderer, served as static files. */
  readonly staticDir?: string;
  /** Largest request body accepted (bytes). */
  readonly maxBodyBytes?: number;
}

/** A running server. */
export interface RunningServer {
  readonly url: string;
  /** The browser address, carrying the token. */
  readonly browserUrl: string;
  readonly token: string;
  readonly port: number;
  /** Sends an event to every connected socket. */
  broadcast(event: WireEvent): void;
  close(): Promise<void>;
}

const STATUS: Record<string, number> = { invalid_input: 400, not_found: 404, busy: 409, cancelled: 409, storage: 500, internal: 500 };
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2' };

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The HTTP + WebSocket transport (DESIGN.md, Safety): `POST /api/<command>` with body
 * `{"input": …}`, a WebSocket event stream at `/api/events`, the renderer as static files.
 * Loopback by default; every request and socket needs the token (Bearer header, or `?token=` /
 * the cookie it sets for the browser's page loads).
 */
export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host) && !o.allowRemote) {
    throw invalidInput(`--host ${host}: not a loopback address; anyone on the network could reach the lab. Pass --allow-remote to bind it anyway (use an SSH tunnel instead where you can)`);
  }
  const token = o.token ?? randomBytes(24).toString('base64url');
  const maxBody = o.maxBodyBytes ?? 256 * 1024 * 1024;
  const sockets = new Set<WebSocket>();

  const authorised = (req: http.IncomingMessage, url: URL): boolean => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const cookie = /(?:^|;\s*)colt_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return [bearer, url.searchParams.get('token') ?? undefined, cookie].some((t) => t !== undefined && sameToken(t, token));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!authorised(req, url)) return sendJson(res, 401, { ok: false, error: { code: 'invalid_input', message: 'missing or wrong token: open the URL `colt serve` printed, or send Authorization: Bearer <token>' } });
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'invalid_input', message: `${req.method} ${url.pathname}: commands are POST` } });
      void handleCommand(o.handler, url.pathname.slice(5), req, res, maxBody);
      return;
    }
    if (url.searchParams.has('token')) res.setHeader('Set-Cookie', `colt_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
    serveStatic(o.staticDir, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/events' || !authorised(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shownHost}:${port}`;
  return {
    url: base,
    browserUrl: `${base}/?token=${token}`,
    token,
    port,
    broadcast(event) {
      const text = JSON.stringify(event);
      for (const ws of sockets) ws.send(text);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function handleCommand(handler: CommandHandler, command: string, req: http.IncomingMessage, res: http.ServerResponse, maxBody: number): Promise<void> {
  try {
    const body = await readBody(req, maxBody);
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw invalidInput(`${command}: the request body is not JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidInput(`${command}: the body must be an object {"input": …}`);
    const output = await handler.call(command, (parsed as { input?: unknown }).input);
    sendJson(res, 200, { ok: true, output });
  } catch (e) {
    const err = e instanceof LabError ? e : new LabError('internal', e instanceof Error ? e.message : String(e));
    sendJson(res, STATUS[err.code] ?? 500, { ok: false, error: { code: err.code, message: err.message } });
  }
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(invalidInput(`request body over ${max} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function serveStatic(dir: string | undefined, pathname: string, res: http.ServerResponse): void {
  if (!dir) return sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'no UI is served here (the renderer is not built)' } });
  const root = path.resolve(dir);
  const rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  const file = path.resolve(root, '.' + rel);
  if (file !== root && !file.startsWith(root + path.sep)) return sendJson(res, 403, { ok: false, error: { code: 'invalid_input', message: 'path outside the UI folder' } });
  const target = existsSync(file) && statSync(file).isFile() ? file : path.join(root, 'index.html');
  if (!existsSync(target)) return sendJson(res, 404, { ok: false, error: { code: 'not_found', message: `${rel} not found` } });
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(target)] ?? 'application/octet-stream',
    'Content-Security-Policy': "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
    'X-Content-Type-Options': 'nosniff',
  });
  createReadStream(target).pipe(res);
}
