// A remote lab: a `colt serve` on another machine, usually reached through `ssh -L`. The desktop
// app talks to it from its main process — Node's fetch for `POST /api/<command>` and a WebSocket
// (the `ws` package) for `/api/events`, the token in the Authorization header, no Origin header —
// and relays the contract to its window over IPC exactly as it does for the local lab process.
// No Electron import: everything here runs (and is tested) in plain Node.
import WebSocket from 'ws';
import type { CommandOutput, WireEvent } from '../main/contract/api.js';
import { LabError } from '../main/contract/errors.js';
import type { LabHost } from './lab-host.js';
import { labErrorOf } from './lab-supervisor.js';

/** Where a remote lab is: the server's origin and its token. */
export interface RemoteTarget {
  readonly origin: string;
  readonly token: string;
}

/** Where the connection stands. */
export type RemoteState = 'ready' | 'disconnected' | 'closed';

/** The connection's state and, when it is not ready, why. */
export interface RemoteStatus {
  readonly state: RemoteState;
  readonly message: string | null;
}

/** Injected for tests: fetch and the WebSocket class. */
export interface RemoteLabDeps {
  readonly fetch?: typeof fetch;
  readonly WebSocket?: typeof WebSocket;
  /** First reconnect delay of the event socket (ms; doubles up to 10 s). */
  readonly reconnectMs?: number;
  /** Longest wait for the server's first answer (ms). */
  readonly connectTimeoutMs?: number;
}

/**
 * What the user typed into "Connect to a lab server…": an http(s) URL (the whole line `colt
 * serve` printed, `?token=` included, is accepted) and the token (taken from the URL when empty).
 * Errors name the field.
 */
export function parseRemoteTarget(url: unknown, token?: unknown): RemoteTarget {
  if (typeof url !== 'string' || url.trim() === '') throw new LabError('invalid_input', "field 'url': give the lab server's address, e.g. http://localhost:8765", { field: 'url' });
  if (url.length > 2048) throw new LabError('invalid_input', "field 'url': longer than 2048 characters", { field: 'url' });
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new LabError('invalid_input', `field 'url': '${url.trim().slice(0, 100)}' is not a URL (expected http://host:port)`, { field: 'url' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new LabError('invalid_input', `field 'url': ${u.protocol} is not http: or https:`, { field: 'url' });
  if (u.username || u.password) throw new LabError('invalid_input', "field 'url': a user name or password in the URL is not used; give the token in its own field", { field: 'url' });
  if (token !== undefined && token !== null && typeof token !== 'string') throw new LabError('invalid_input', "field 'token': expected text", { field: 'token' });
  const given = typeof token === 'string' ? token.trim() : '';
  const t = given !== '' ? given : (u.searchParams.get('token') ?? '');
  if (t === '') throw new LabError('invalid_input', "field 'token': give the token `colt serve` printed (the part after ?token= in its URL)", { field: 'token' });
  if (t.length > 512 || !/^[\x21-\x7e]+$/.test(t)) throw new LabError('invalid_input', "field 'token': expected up to 512 printable characters without spaces", { field: 'token' });
  return { origin: u.origin, token: t };
}

/** `user@hostname:port` of a server from its system.info and its origin (the port the app connects to). */
export function remoteLabel(info: Pick<CommandOutput<'system.info'>, 'user' | 'hostname'>, origin: string): string {
  const u = new URL(origin);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${info.user}@${info.hostname}:${port}`;
}

/** A `colt serve` as a LabHost; made by connectRemoteLab. */
export class RemoteLab implements LabHost {
  private readonly events = new Set<(event: WireEvent) => void>();
  private readonly statusListeners = new Set<(status: RemoteStatus) => void>();
  private readonly aborts = new AbortController();
  private current: RemoteStatus = { state: 'ready', message: null };
  private socket: WebSocket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delay: number;

  constructor(
    readonly target: RemoteTarget,
    /** system.info of the server when the app connected. */
    readonly info: CommandOutput<'system.info'>,
    private readonly deps: RemoteLabDeps = {},
  ) {
    this.delay = deps.reconnectMs ?? 500;
  }

  /** `user@hostname:port` for the title bar. */
  get label(): string {
    return remoteLabel(this.info, this.target.origin);
  }

  /** The connection's state now. */
  status(): RemoteStatus {
    return this.current;
  }

  /** Subscribes to state changes (the event socket lost or back); returns the unsubscribe function. */
  onStatus(listener: (status: RemoteStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Runs a command on the server: `POST /api/<command>` with `{"input": …}` and the Bearer token. */
  async call(command: string, input: unknown): Promise<unknown> {
    return postCommand(this.target, command, input, { fetch: this.deps.fetch, signal: this.aborts.signal });
  }

  /** Subscribes to the server's run events; the socket opens with the first listener. */
  onEvent(listener: (event: WireEvent) => void): () => void {
    this.events.add(listener);
    if (this.socket === undefined && this.timer === undefined && this.current.state !== 'closed') this.openSocket();
    return () => this.events.delete(listener);
  }

  /** Stops the socket and any call in flight; the server is untouched. */
  async close(): Promise<void> {
    if (this.current.state === 'closed') return;
    this.setStatus({ state: 'closed', message: 'disconnected from the lab server' });
    clearTimeout(this.timer);
    this.timer = undefined;
    this.aborts.abort();
    this.socket?.terminate();
    this.socket = undefined;
  }

  private openSocket(): void {
    const Ws = this.deps.WebSocket ?? WebSocket;
    const url = `${this.target.origin.replace(/^http/, 'ws')}/api/events`;
    const ws = new Ws(url, { headers: { Authorization: `Bearer ${this.target.token}` }, handshakeTimeout: this.deps.connectTimeoutMs ?? 10_000 });
    this.socket = ws;
    let why = 'the event stream closed';
    ws.on('open', () => {
      this.delay = this.deps.reconnectMs ?? 500;
      this.setStatus({ state: 'ready', message: null });
    });
    ws.on('message', (data) => {
      let event: WireEvent;
      try {
        event = JSON.parse(String(data)) as WireEvent;
      } catch {
        return; // not an event: skip it rather than break the stream
      }
      if (typeof event?.event !== 'string') return;
      for (const l of this.events) l({ event: event.event, payload: event.payload });
    });
    ws.on('unexpected-response', (_req, res) => {
      why = `the server refused the event stream (HTTP ${res.statusCode})`;
      ws.terminate();
    });
    ws.on('error', (e) => (why = `the event stream failed (${e.message})`));
    ws.on('close', () => {
      if (this.socket !== ws) return;
      this.socket = undefined;
      if (this.current.state === 'closed') return;
      this.setStatus({ state: 'disconnected', message: `${why}; reconnecting to ${this.target.origin}` });
      // Back off so a stopped server or tunnel is not hammered.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.current.state !== 'closed') this.openSocket();
      }, this.delay);
      this.delay = Math.min(this.delay * 2, 10_000);
    });
  }

  private setStatus(status: RemoteStatus): void {
    if (status.state === this.current.state && status.message === this.current.message) return;
    this.current = status;
    for (const l of this.statusListeners) l(status);
  }
}

/** Connects to a remote lab: checks the address and token with `system.info`, then returns the lab. Errors name the field at fault. */
export async function connectRemoteLab(target: RemoteTarget, deps: RemoteLabDeps = {}): Promise<RemoteLab> {
  const info = (await postCommand(target, 'system.info', {}, { fetch: deps.fetch, signal: AbortSignal.timeout(deps.connectTimeoutMs ?? 10_000) })) as CommandOutput<'system.info'>;
  if (typeof info?.user !== 'string' || typeof info?.hostname !== 'string') {
    throw new LabError('invalid_input', `field 'url': ${target.origin} answered system.info without user and hostname: is it a COLT Lab server of this version?`, { field: 'url' });
  }
  return new RemoteLab(target, info, deps);
}

async function postCommand(target: RemoteTarget, command: string, input: unknown, o: { fetch?: typeof fetch; signal: AbortSignal }): Promise<unknown> {
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(`${target.origin}/api/${encodeURIComponent(command)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${target.token}` },
      body: JSON.stringify({ input: input ?? {} }),
      signal: o.signal,
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = o.signal.aborted ? (o.signal.reason instanceof Error && o.signal.reason.name === 'TimeoutError' ? 'no answer in time' : 'the connection was closed') : (cause?.code ?? cause?.message ?? (e as Error).message);
    throw new LabError('internal', `${command}: ${target.origin} did not answer (${why}); is \`colt serve\` (and the ssh tunnel) still running?`, { field: 'url' });
  }
  let body: { ok?: unknown; output?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new LabError('internal', `${command}: ${target.origin} answered HTTP ${res.status} with a body that is not JSON: is it a COLT Lab server?`, { field: 'url' });
  }
  if (res.status === 401) throw new LabError('invalid_input', `field 'token': ${target.origin} refused the token (HTTP 401); copy it from the URL \`colt serve\` printed`, { field: 'token' });
  if (body.ok === true) return body.output;
  if (body.ok === false && typeof body.error?.code === 'string' && typeof body.error.message === 'string') throw labErrorOf({ code: body.error.code, message: body.error.message });
  throw new LabError('internal', `${command}: ${target.origin} answered HTTP ${res.status} without a COLT Lab reply`, { field: 'url' });
}
