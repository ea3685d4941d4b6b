// The window's security handlers (DESIGN.md, Safety; Electron's security checklist): which URLs are
// the app's own, navigation and new windows blocked, permissions denied, a strict CSP. Electron's
// objects are injected (only the methods used), so every handler is unit-tested with fakes.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Session, WebContents } from 'electron';

/** Where the renderer comes from and which URLs count as the app's own. */
export interface RendererPolicy {
  /** What the window loads first. */
  readonly startUrl: string;
  /** True for a URL of the app's own renderer: a file under the built renderer folder, or the dev server's origin. */
  isTrusted(url: string): boolean;
}

/** The policy for the built renderer (`renderer/dist/index.html`) or, when given, the Vite dev server. */
export function rendererPolicy(rendererIndexFile: string, devServerUrl?: string): RendererPolicy {
  if (devServerUrl) {
    const dev = new URL(devServerUrl);
    if (dev.protocol !== 'http:' && dev.protocol !== 'https:') throw new Error(`COLT_DEV_SERVER_URL '${devServerUrl}': expected an http(s) URL`);
    if (!['localhost', '127.0.0.1', '[::1]'].includes(dev.hostname)) throw new Error(`COLT_DEV_SERVER_URL '${devServerUrl}': the dev server must be on this machine (localhost)`);
    return { startUrl: dev.href, isTrusted: (url) => originOf(url) === dev.origin };
  }
  const root = path.dirname(path.resolve(rendererIndexFile));
  return {
    startUrl: pathToFileURL(path.resolve(rendererIndexFile)).href,
    isTrusted(url) {
      let file: string;
      try {
        const u = new URL(url);
        if (u.protocol !== 'file:' || (u.host !== '' && u.host !== 'localhost')) return false;
        file = path.resolve(fileURLToPath(u));
      } catch {
        return false;
      }
      return file === root || file.startsWith(root + path.sep);
    },
  };
}

/**
 * The Content-Security-Policy of the window: scripts, styles, fonts and data only from the app
 * itself (no remote content, no eval, no plugins, no frames). `'unsafe-inline'` styles stay allowed:
 * Vue's style bindings and ECharts set inline styles. The dev server adds its own origin and
 * Vite's hot-reload socket.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? new URL(devServerUrl) : undefined;
  const self = dev ? `'self' ${dev.origin}` : "'self'";
  const connect = dev ? `${self} ${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}` : self;
  return [
    "default-src 'none'",
    `script-src ${self}`,
    `style-src ${self} 'unsafe-inline'`,
    `img-src ${self} data: blob:`,
    `font-src ${self} data:`,
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The webContents events the guards use. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Blocks what a compromised or confused page could use to leave the app: navigation to any URL
 * that is not the app's own (`will-navigate`, `will-redirect`), every new window
 * (`setWindowOpenHandler` → deny; https links go to the user's browser instead), and `<webview>`.
 */
export function guardContents(contents: GuardedContents, isTrusted: (url: string) => boolean, openExternal: (url: string) => void): void {
  const blockUnlessTrusted = (event: { preventDefault(): void }, url: string): void => {
    if (!isTrusted(url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => blockUnlessTrusted(event, event.url));
  contents.on('will-redirect', (event) => blockUnlessTrusted(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isHttpsUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** The session methods the permission and CSP handlers use. */
export type GuardedSession = {
  setPermissionRequestHandler: Session['setPermissionRequestHandler'];
  setPermissionCheckHandler: Session['setPermissionCheckHandler'];
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

/** Permissions the app's own pages may use: writing to the clipboard (copy a table or figure); nothing else. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * Denies every permission request and check except ALLOWED_PERMISSIONS from the app's own pages,
 * and sets the CSP header on every response (Electron's documented header route; the renderer's
 * index.html should carry the same policy in a meta tag for file:// loads, see electron/README.md).
 */
export function guardSession(session: GuardedSession, isTrusted: (url: string) => boolean, csp: string): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const url = details.requestingUrl ?? contents?.getURL() ?? '';
    callback(ALLOWED_PERMISSIONS.has(permission) && isTrusted(url));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    const url = details.requestingUrl ?? requestingOrigin;
    return ALLOWED_PERMISSIONS.has(permission) && isTrusted(url);
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-security-policy') delete headers[key];
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function isHttpsUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
