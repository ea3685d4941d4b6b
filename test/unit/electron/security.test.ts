// The window's security settings and handlers, with Electron's webContents and session replaced by
// fakes that record the handlers main.ts would install (Electron cannot start here).
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ALLOWED_PERMISSIONS, contentSecurityPolicy, guardContents, guardSession, rendererPolicy, type GuardedContents, type GuardedSession } from '../../../electron/security.js';
import { windowOptions } from '../../../electron/window-options.js';

const INDEX = path.resolve('/opt/colt/renderer/dist/index.html');
const APP_URL = new URL(`file://${INDEX}`).href;

describe('windowOptions', () => {
  it('isolates and sandboxes the page with no Node integration anywhere', () => {
    const o = windowOptions('/opt/colt/dist/electron/preload/preload.js', ['--colt-commands=a.b']);
    expect(o.webPreferences).toMatchObject({
      preload: '/opt/colt/dist/electron/preload/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      additionalArguments: ['--colt-commands=a.b'],
    });
  });
});

describe('rendererPolicy', () => {
  it('trusts files under the built renderer only', () => {
    const p = rendererPolicy(INDEX);
    expect(p.startUrl).toBe(APP_URL);
    expect(p.isTrusted(APP_URL)).toBe(true);
    expect(p.isTrusted(new URL('file:///opt/colt/renderer/dist/assets/index-abc.js').href)).toBe(true);
    expect(p.isTrusted('file:///opt/colt/renderer/dist/../../secrets.html')).toBe(false);
    expect(p.isTrusted('file:///opt/colt/renderer/dist-evil/index.html')).toBe(false);
    expect(p.isTrusted('file:///home/user/page.html')).toBe(false);
    expect(p.isTrusted('file://remote-host/opt/colt/renderer/dist/index.html')).toBe(false);
    expect(p.isTrusted('https://example.com/')).toBe(false);
    expect(p.isTrusted('not a url')).toBe(false);
  });

  it('trusts the dev server origin only, and only a local one', () => {
    const p = rendererPolicy(INDEX, 'http://localhost:5173/');
    expect(p.startUrl).toBe('http://localhost:5173/');
    expect(p.isTrusted('http://localhost:5173/#/runs')).toBe(true);
    expect(p.isTrusted('http://localhost:5174/')).toBe(false);
    expect(p.isTrusted(APP_URL)).toBe(false);
    expect(() => rendererPolicy(INDEX, 'http://192.168.1.5:5173/')).toThrow(/this machine/);
    expect(() => rendererPolicy(INDEX, 'ftp://localhost/')).toThrow(/http/);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only the app itself: no remote scripts, no eval, no objects or frames', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:/);
  });

  it('adds the dev server and its hot-reload socket in development', () => {
    expect(contentSecurityPolicy('http://localhost:5173/')).toContain('connect-src \'self\' http://localhost:5173 ws://localhost:5173');
  });
});

type Listener = (event: { url?: string; preventDefault(): void }) => void;
function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  const contents = {
    on: (event: string, l: Listener) => (listeners.set(event, l), contents),
    setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => void (openHandler = h),
  };
  const fire = (event: string, url?: string): boolean => {
    const preventDefault = vi.fn();
    listeners.get(event)?.({ url, preventDefault });
    return preventDefault.mock.calls.length > 0;
  };
  return { contents: contents as unknown as GuardedContents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('guardContents', () => {
  const policy = rendererPolicy(INDEX);

  it('blocks navigation and redirects away from the app, lets the app reload itself', () => {
    const f = fakeContents();
    guardContents(f.contents, policy.isTrusted, vi.fn());
    expect(f.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(f.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(f.fire('will-navigate', APP_URL)).toBe(false);
  });

  it('blocks <webview>', () => {
    const f = fakeContents();
    guardContents(f.contents, policy.isTrusted, vi.fn());
    expect(f.fire('will-attach-webview')).toBe(true);
  });

  it('denies every new window; https links go to the browser, nothing else does', () => {
    const f = fakeContents();
    const openExternal = vi.fn();
    guardContents(f.contents, policy.isTrusted, openExternal);
    expect(f.open('https://arxiv.org/abs/1803.03635')).toEqual({ action: 'deny' });
    expect(f.open('http://example.com/')).toEqual({ action: 'deny' });
    expect(f.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(f.open(APP_URL)).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://arxiv.org/abs/1803.03635']]);
  });
});

describe('guardSession', () => {
  type RequestHandler = (wc: { getURL(): string } | null, permission: string, cb: (ok: boolean) => void, details: { requestingUrl?: string }) => void;
  type CheckHandler = (wc: null, permission: string, origin: string, details: { requestingUrl?: string }) => boolean;
  type HeadersHandler = (d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void;
  function fakeSession() {
    const s: { request?: RequestHandler; check?: CheckHandler; headers?: HeadersHandler } = {};
    const session = {
      setPermissionRequestHandler: (h: RequestHandler) => void (s.request = h),
      setPermissionCheckHandler: (h: CheckHandler) => void (s.check = h),
      webRequest: { onHeadersReceived: (h: HeadersHandler) => void (s.headers = h) },
    };
    return { session: session as unknown as GuardedSession, s };
  }
  const policy = rendererPolicy(INDEX);

  it('denies permission requests and checks, except clipboard writes from the app itself', () => {
    const { session, s } = fakeSession();
    guardSession(session, policy.isTrusted, 'csp');
    const ask = (permission: string, url: string): boolean => {
      let answer: boolean | undefined;
      s.request!({ getURL: () => url }, permission, (ok) => (answer = ok), { requestingUrl: url });
      return answer!;
    };
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fileSystem']) expect(ask(p, APP_URL)).toBe(false);
    expect(ask('clipboard-sanitized-write', APP_URL)).toBe(true);
    expect(ask('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(s.check!(null, 'media', 'file://', { requestingUrl: APP_URL })).toBe(false);
    expect(s.check!(null, 'clipboard-sanitized-write', 'file://', { requestingUrl: APP_URL })).toBe(true);
    expect([...ALLOWED_PERMISSIONS]).toEqual(['clipboard-sanitized-write']);
  });

  it('replaces any Content-Security-Policy header with the app policy', () => {
    const { session, s } = fakeSession();
    guardSession(session, policy.isTrusted, "default-src 'none'");
    let out: Record<string, string[]> | undefined;
    s.headers!({ responseHeaders: { 'content-security-policy': ['*'], 'Content-Type': ['text/html'] } }, (r) => (out = r.responseHeaders));
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': ["default-src 'none'"] });
  });
});
