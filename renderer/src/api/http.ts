import type { CommandInput, CommandName, CommandOutput, WireEvent } from '../../../main/contract/api.js';
import { ApiError, asApiError, toBase64, unwrap, type ApiClient, type ImportResult, type Reply } from './client.js';

/** Where the page was served from, and the token it was opened with. */
export interface HttpClientOptions {
  /** Origin of `colt serve`, e.g. `http://127.0.0.1:8080`. */
  readonly origin: string;
  /** The `?token=` the page was opened with (kept in sessionStorage by index.ts); sent on every call and socket. */
  readonly token: string | null;
  /** First reconnect delay in ms (doubles up to 10 s). */
  readonly reconnectMs?: number;
}

/**
 * The HTTP + WebSocket transport of `colt serve`: `POST /api/<command>` with `{"input": …}` as JSON
 * and the token as `Authorization: Bearer` (there is no cookie: a cookie for 127.0.0.1 would go to
 * every local service, whatever its port), events from `/api/events`, whose token travels as the
 * `colt-token.<token>` subprotocol because a browser WebSocket cannot set headers. The socket
 * reconnects with back-off; the stores refresh on reconnect.
 */
export function createHttpClient(o: HttpClientOptions): ApiClient & { onConnection(listener: (up: boolean) => void): () => void } {
  const listeners = new Set<(event: WireEvent) => void>();
  const connection = new Set<(up: boolean) => void>();
  let socket: WebSocket | null = null;
  let delay = o.reconnectMs ?? 500;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const connect = (): void => {
    const wsOrigin = o.origin.replace(/^http/, 'ws');
    // The server selects 'colt-lab'; the token protocol is only read, never echoed back.
    const ws = new WebSocket(`${wsOrigin}/api/events`, o.token ? ['colt-lab', `colt-token.${o.token}`] : ['colt-lab']);
    socket = ws;
    ws.onopen = () => {
      delay = o.reconnectMs ?? 500;
      for (const l of connection) l(true);
    };
    ws.onmessage = (m) => {
      let event: WireEvent;
      try {
        event = JSON.parse(String(m.data)) as WireEvent;
      } catch {
        return; // not an event: ignore rather than break the stream
      }
      if (typeof event?.event !== 'string') return;
      for (const l of listeners) l(event);
    };
    ws.onclose = () => {
      socket = null;
      for (const l of connection) l(false);
      if (listeners.size === 0) return;
      // Back off so a stopped server is not hammered; the stores refetch on reconnect.
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };

  const call = async <C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    let res: Response;
    try {
      res = await fetch(`${o.origin}/api/${command}`, { method: 'POST', headers, body: JSON.stringify({ input }), credentials: 'omit', referrerPolicy: 'no-referrer' });
    } catch (e) {
      throw new ApiError('internal', `${command}: the server did not answer (${(e as Error).message}); is colt serve still running?`);
    }
    let body: Reply<CommandOutput<C>>;
    try {
      body = (await res.json()) as Reply<CommandOutput<C>>;
    } catch {
      throw new ApiError('internal', `${command}: HTTP ${res.status} with a body that is not JSON`);
    }
    return unwrap(body);
  };

  return {
    transport: 'http',
    call,
    onEvent(listener) {
      listeners.add(listener);
      if (socket === null && timer === null) connect();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          if (timer !== null) clearTimeout(timer);
          timer = null;
          socket?.close();
        }
      };
    },
    onConnection(listener) {
      connection.add(listener);
      return () => connection.delete(listener);
    },
    async importFiles(files) {
      const results: ImportResult[] = [];
      for (const file of files) {
        try {
          const bytes = toBase64(new Uint8Array(await file.arrayBuffer()));
          results.push({ file: file.name, ok: true, output: await call('tickets.import', { name: file.name, bytes }) });
        } catch (e) {
          results.push({ file: file.name, ok: false, error: asApiError(e) });
        }
      }
      return results;
    },
  };
}
