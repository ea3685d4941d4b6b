import type { ColtLabBridge } from '../../../electron/bridge-types.js';
import { detectHost } from '../env.js';
import type { ApiClient } from './client.js';
import { createHttpClient } from './http.js';
import { createIpcClient } from './ipc.js';

export { ApiError, type ApiClient, type ImportResult } from './client.js';

/**
 * Picks the transport at start: the preload bridge when the page runs in the Electron window
 * (`window.coltLab`) — always, even when the window shows a remote lab: the main process relays
 * to the local lab process or to the remote `colt serve` —, otherwise HTTP + WebSocket to the
 * `colt serve` that served the page (a remote lab is opened by its own URL), with the
 * `?token=` the page was opened with (kept in sessionStorage so a reload without it still works).
 */
export function createClient(win: Window & { coltLab?: ColtLabBridge }): ApiClient {
  if (detectHost(win) === 'electron' && win.coltLab) return createIpcClient(win.coltLab);
  const url = new URL(win.location.href);
  let token = url.searchParams.get('token');
  try {
    if (token) win.sessionStorage.setItem('colt-token', token);
    else token = win.sessionStorage.getItem('colt-token');
  } catch {
    // storage can be disabled: the token from the URL still serves this page until it is reloaded
  }
  if (url.searchParams.has('token')) {
    // Keep the token out of the address bar (and out of screenshots and history).
    url.searchParams.delete('token');
    win.history.replaceState(null, '', url.toString());
  }
  return createHttpClient({ origin: url.origin, token });
}

let current: ApiClient | null = null;

/** The client of this page (created once by main.ts). */
export function api(): ApiClient {
  if (current === null) throw new Error('the API client is not set up yet');
  return current;
}

/** Installs the page's client (main.ts; tests pass a fake). */
export function setClient(client: ApiClient): void {
  current = client;
}
