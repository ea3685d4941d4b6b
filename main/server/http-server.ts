import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WireEvent } from '../contract/api.js';
import { invalidInput } from '../contract/errors.js';
import { BodyError, readBody } from './request-body.js';
import { bearerToken, EVENTS_PROTOCOL, hostAllowlist, isLoopback, mediaType, originRefusal, parseTarget, sameToken, socketTokens, type Target } from './request-policy.js';
import { refuse, sendError, sendJson } from './responses.js';
import { staticFiles } from './static-files.js';

export { isLoopback } from './request-policy.js';

/** Anything that answers contract commands (LabService). */
export interface CommandHandler {
  call(command: string, input: unknown): Promise<unknown>;
}

/** Settings of `colt serve`. */
export interface ServeOptions {
  readonly handler: CommandHandler;
  readonly host?: string;
  readonly port?: number;
  /** Required on every API request and socket; a random one is made when absent. */
  readonly token?: string;
  /** Binding anything but loopback needs this explicit consent. */
  readonly allowRemote?: boolean;
  /** Host names accepted in the Host header besides loopback and `host` (`--allow-host`). */
  readonly allowedHosts?: readonly string[];
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

/** The default body limit: a base64 ticket of a ResNet-18 with final weights (~135 MB) fits. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/**
 * The HTTP + WebSocket transport (DESIGN.md, Safety), on Jupyter's model: `POST /api/<command>`
 * with body `{"input": …}` as `application/json` and `Authorization: Bearer <token>`; a WebSocket
 * event stream at `/api/events` (token as the `colt-token.<token>` subprotocol, a Bearer header,
 * or `?token=`); the renderer as static files. Every request passes the Host allowlist and, when
 * it has an Origin, must be same-origin; no cookie is ever set. Every handler sits behind one
 * error boundary: a malformed request is a 4xx, never an exception.
 */
export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? '127.0.0.1';
  if (!isLoopback(host) && !o.allowRemote) {
    throw invalidInput(`--host ${host}: not a loopback address; anyone on the network could reach the lab. Pass --allow-remote to bind it anyway (use an SSH tunnel instead where you can)`);
  }
  const token = o.token ?? randomBytes(24).toString('base64url');
  const maxBody = o.maxBodyBytes ?? MAX_BODY_BYTES;
  const allowed = hostAllowlist(host, o.allowedHosts ?? []);
  const serveStatic = o.staticDir !== undefined ? staticFiles(o.staticDir) : undefined;
  const sockets = new Set<WebSocket>();

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const target = parseTarget(req.url);
    if (!target) return refuse(res, 400, 'malformed request target (expected /path?query)');
    const api = target.pathname.startsWith('/api/');
    const refusal = originRefusal(req, allowed, api);
    if (refusal) return refuse(res, refusal[0], refusal[1]);
    if (api) return handleApi(target, req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, `${String(req.method).slice(0, 20)}: the UI is read with GET`, { Allow: 'GET, HEAD' });
    if (!serveStatic) return refuse(res, 404, 'no UI is served here (the renderer is not built)');
    return serveStatic(target.pathname, req, res);
  };

  const handleApi = async (target: Target, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const command = target.pathname.slice(5);
    if (req.method !== 'POST') return refuse(res, 405, `${String(req.method).slice(0, 20)} ${target.pathname.slice(0, 100)}: commands are POST`, { Allow: 'POST' });
    const bearer = bearerToken(req);
    if (bearer === undefined || !sameToken(bearer, token)) return refuse(res, 401, 'missing or wrong token: send Authorization: Bearer <token> (the token is in the URL `colt serve` printed)');
    // A browser can send text/plain or a form cross-origin without asking; only JSON is taken.
    if (mediaType(req) !== 'application/json') return refuse(res, 415, 'commands are sent as Content-Type: application/json');
    let body: Buffer;
    try {
      body = await readBody(req, maxBody);
    } catch (e) {
      if (!(e instanceof BodyError)) throw e;
      // Closing the connection stops a client still sending the rest of an oversize body.
      return refuse(res, e.status, `${command.slice(0, 100)}: ${e.message}`, { Connection: 'close' });
    }
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (e) {
      return sendError(res, invalidInput(`${command.slice(0, 100)}: the request body is not JSON (${(e as Error).message.slice(0, 200)})`));
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return sendError(res, invalidInput(`${command.slice(0, 100)}: the body must be an object {"input": …}`));
    try {
      const output = await o.handler.call(command, (parsed as { input?: unknown }).input);
      sendJson(res, 200, { ok: true, output });
    } catch (e) {
      sendError(res, e);
    }
  };

  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    // The one error boundary: whatever a handler throws answers this request, never the process.
    onRequest(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, e);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false) });
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const deny = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\nReferrer-Policy: no-referrer\r\n\r\n`);
    };
    const target = parseTarget(req.url);
    if (!target) return deny(400, 'Bad Request');
    if (target.pathname !== '/api/events') return deny(404, 'Not Found');
    const refusal = originRefusal(req, allowed, true);
    if (refusal) return deny(refusal[0], refusal[0] === 400 ? 'Bad Request' : 'Forbidden');
    if (!socketTokens(req, target.query).some((t) => sameToken(t, token))) return deny(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      // Clients only listen: whatever they send is ignored, and a bad frame closes that socket alone (ws sends the close code).
      ws.on('error', () => undefined);
      ws.on('close', () => sockets.delete(ws));
    });
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      onUpgrade(req, socket, head);
    } catch {
      socket.destroy();
    }
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
      for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text, () => undefined);
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
