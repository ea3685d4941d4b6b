/// <reference lib="dom" />
// A remote lab (issue 17, Must show): the UI in Debian's Chromium against a `colt serve` on another
// address (127.0.0.2, a port of its own, its own token) reached through a TCP forwarder that plays
// `ssh -L` (the page's host is localhost:<tunnel port>, as through a real tunnel).
//  - The browser build opens the URL that server printed: same origin, the title names the server,
//    a dropped ticket is uploaded as bytes.
//  - The desktop build: Electron cannot start here, so the built renderer runs in Chromium with the
//    real preload bridge (electron/preload/preload.ts, transpiled as for a sandboxed preload) over a
//    stand-in for ipcRenderer/ipcMain that forwards to this process through a Playwright binding
//    (the sender's frame URL is Chromium's own); on this side the real main-process code serves it:
//    the menu and its actions, the contract relay, the connection channel, LabRouter, a real lab
//    process (a Node child, as in test/integration/lab-process/) and RemoteLab with withLocalFiles.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConnectionIpc } from '../../electron/connection-ipc.js';
import { registerIpc, type EventTargetContents } from '../../electron/ipc.js';
import { LabRouter } from '../../electron/lab-router.js';
import { LabSupervisor } from '../../electron/lab-supervisor.js';
import { MENU_CHANNEL } from '../../electron/channels.js';
import { buildMenuTemplate } from '../../electron/menu.js';
import { withLocalFiles } from '../../electron/remote-files.js';
import { connectRemoteLab } from '../../electron/remote-lab.js';
import { rendererPolicy } from '../../electron/security.js';
import { createShellActions } from '../../electron/shell-actions.js';
import type { MenuItemConstructorOptions } from 'electron';
import { COMMANDS } from '../../main/contract/api.js';
import { openLibrary } from '../../main/library/db.js';
import { exportTicketFile } from '../../main/library/ticket-file/ticket-io.js';
import { FileAccess } from '../../main/service/file-access.js';
import { ROOT, tempHome } from '../helpers/cli.js';
import { FakeIpcMain } from '../helpers/ipc-pair.js';
import { nodeLabSpawner } from '../helpers/node-lab-link.js';
import { makeTicket, storeTicket } from '../unit/library/ticket-fixtures.js';
import { dropFiles } from './ui/drop.js';

const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const DIST = path.join(ROOT, 'renderer', 'dist');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** `colt serve` on another address with its own library and token: the "lab server". */
interface LabServer {
  readonly child: ChildProcess;
  readonly port: number;
  readonly token: string;
}

function startLabServer(home: string): Promise<LabServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), 'serve', '--host', '127.0.0.2', '--port', '0', '--library', path.join(home, 'library.sqlite'), '--files', home], {
      cwd: ROOT,
      env: { ...process.env, COLT_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`colt serve printed no open: line in 60 s\n${out}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`colt serve exited with ${code}\n${out}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open: (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = new URL(m[1]);
      resolve({ child, port: Number(url.port), token: url.searchParams.get('token') ?? '' });
    });
  });
}

/** What `ssh -L PORT:127.0.0.2:<server port> server` gives: localhost:PORT forwarded to the server. */
function startTunnel(host: string, port: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((local) => {
    const remote = net.connect(port, host);
    for (const s of [local, remote]) {
      sockets.add(s);
      s.on('error', () => (local.destroy(), remote.destroy()));
      s.on('close', () => sockets.delete(s));
    }
    local.pipe(remote).pipe(local);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    );
  });
}

/** The built renderer as static files, where the desktop window would load it (here: the dev-server route, an http origin on localhost). */
function serveRenderer(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.resolve(DIST, '.' + (rel === '/' ? '/index.html' : rel));
    if (!file.startsWith(DIST + path.sep) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() })));
}

/** The page-side half of the IPC stand-in plus the real preload, run the way a sandboxed preload runs. */
function preloadScript(): string {
  const source = readFileSync(path.join(ROOT, 'electron', 'preload', 'preload.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  return `(() => {
  const listeners = new Map();
  window.__coltIpcEmit = (channel, args) => { for (const l of [...(listeners.get(channel) ?? [])]) l({}, ...args); };
  const ipcRenderer = {
    invoke: (channel, ...args) => window.__coltInvoke(channel, args),
    on(channel, l) { if (!listeners.has(channel)) listeners.set(channel, new Set()); listeners.get(channel).add(l); return this; },
    removeListener(channel, l) { listeners.get(channel)?.delete(l); return this; },
  };
  const electron = {
    contextBridge: { exposeInMainWorld: (key, api) => { window[key] = api; } },
    ipcRenderer,
    webUtils: { getPathForFile: (file) => (window.__coltPaths ?? {})[file.name] ?? '' },
  };
  const module = { exports: {} };
  (function (require, process, exports, module) {\n${js}\n})((id) => { if (id === 'electron') return electron; throw new Error('module not found: ' + id); },
    { type: 'renderer', argv: ['colt-lab', ${JSON.stringify('--colt-commands=' + Object.keys(COMMANDS).join(','))}] }, module.exports, module);
})();`;
}

function find(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const hit = Array.isArray(item.submenu) ? find(item.submenu, id) : undefined;
    if (hit) return hit;
  }
  return undefined;
}

let laptop: string;
let serverHome: string;
let labServer: LabServer;
let tunnel: Awaited<ReturnType<typeof startTunnel>>;
let renderer: Awaited<ReturnType<typeof serveRenderer>>;
let spawner: ReturnType<typeof nodeLabSpawner>;
let local: LabSupervisor;
let router: LabRouter;
let browser: Browser;
let desktop: BrowserContext;
let desktopPage: Page;
let ticketFile: string;
let label: string;
let menu: () => MenuItemConstructorOptions[];
const problems: string[] = [];

async function serverCall<T>(command: string, input: unknown): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${tunnel.port}/api/${command}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${labServer.token}` }, body: JSON.stringify({ input }) });
  const body = (await res.json()) as { ok: boolean; output?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${command}: ${body.error?.message}`);
  return body.output as T;
}

function watch(page: Page): void {
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
}

async function titled(page: Page, title: string): Promise<void> {
  await page.waitForFunction((t) => document.title === t, title, { timeout: 60_000 });
}

describe('a remote lab through an SSH-style tunnel (slow)', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    laptop = tempHome();
    serverHome = tempHome();
    [labServer, renderer] = await Promise.all([startLabServer(serverHome), serveRenderer()]);
    tunnel = await startTunnel('127.0.0.2', labServer.port);
    const info = await serverCall<{ user: string; hostname: string }>('system.info', {});
    label = `${info.user}@${info.hostname}:${tunnel.port}`;

    // A ticket file on the laptop, from a library of its own.
    const db = openLibrary(path.join(laptop, 'made.sqlite'));
    const id = storeTicket(db, makeTicket('lenet-300-100', [28, 28, 1], 10, { keep: 0.35 }), 'laptop');
    ticketFile = path.join(laptop, 'laptop-ticket.safetensors');
    await exportTicketFile(db, id, ticketFile, { format: 'colt', final: false, appVersion: 'test' });
    db.close();

    // The desktop app's main process: the local lab in its own process, the relay, the menu.
    spawner = nodeLabSpawner({ COLT_HOME: laptop });
    local = new LabSupervisor({ spawn: spawner, open: { dataDir: laptop, libraryPath: path.join(laptop, 'library.sqlite'), fileRoots: [laptop] }, restartDelayMs: 100 });
    await local.start();
    router = new LabRouter(local);
    browser = await chromium.launch({ executablePath: process.env.COLT_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    desktop = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    desktopPage = await desktop.newPage();
    watch(desktopPage);
    const policy = rendererPolicy(path.join(DIST, 'index.html'), renderer.url);
    const contents: EventTargetContents = {
      send: (channel: string, ...args: unknown[]) =>
        void desktopPage.evaluate(([c, a]) => (window as unknown as { __coltIpcEmit?: (c: string, a: unknown[]) => void }).__coltIpcEmit?.(c as string, a as unknown[]), [channel, args] as const).catch(() => undefined),
      isDestroyed: () => desktopPage.isClosed(),
      getURL: () => desktopPage.url(),
    };
    const ipcMain = new FakeIpcMain();
    registerIpc(ipcMain, router, { isTrustedSender: policy.isTrusted, eventTargets: () => [contents] });
    registerConnectionIpc(ipcMain, router, {
      isTrustedSender: policy.isTrusted,
      openRemote: async (target) => withLocalFiles(await connectRemoteLab(target), { files: new FileAccess([laptop]) }),
      eventTargets: () => [contents],
    });
    await desktop.exposeBinding('__coltInvoke', async (source, channel: string, args: unknown[]) => {
      const handler = ipcMain.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return handler({ senderFrame: { url: source.frame.url(), parent: source.frame.parentFrame() } }, ...args);
    });
    await desktop.addInitScript({ content: preloadScript() });
    const actions = createShellActions({
      dialog: { showOpenDialog: async () => ({ canceled: true, filePaths: [] }), showSaveDialog: async () => ({ canceled: true, filePath: '' }), showMessageBox: async () => ({ response: 0, checkboxChecked: false }) },
      showItemInFolder: () => undefined,
      send: (m) => contents.send(MENU_CHANNEL, m),
      lab: () => router,
      libraryPath: () => path.join(laptop, 'library.sqlite'),
      switchLibrary: async () => undefined,
      recentLibraries: () => [],
      clearRecentLibraries: () => undefined,
      useLocalLab: () => router.disconnect(),
      shellVersions: {},
      appName: 'COLT Lab',
      onError: (e) => problems.push(`shell action: ${String(e)}`),
    });
    menu = () => buildMenuTemplate({ platform: 'linux', appName: 'COLT Lab', recentLibraries: [], remote: router.connection().kind === 'remote' }, actions);
    await desktopPage.goto(renderer.url);
  });

  afterAll(async () => {
    await browser?.close();
    await router?.close();
    tunnel?.close();
    renderer?.close();
    if (labServer?.child.exitCode === null) {
      labServer.child.removeAllListeners('exit');
      await new Promise<void>((done) => {
        labServer.child.once('exit', () => done());
        labServer.child.kill('SIGINT');
        setTimeout(() => labServer.child.kill('SIGKILL'), 10_000).unref();
      });
    }
    for (const child of spawner?.children ?? []) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(laptop, { recursive: true, force: true });
    rmSync(serverHome, { recursive: true, force: true });
  });

  const click = (id: string): void => (find(menu(), id)?.click as () => void)();

  it('desktop: the window starts on the local lab, titled so', async () => {
    await titled(desktopPage, 'COLT Lab — local');
    await desktopPage.getByTestId('lab-indicator').filter({ hasText: 'Lab: local' }).waitFor();
    expect(find(menu(), 'use-local-lab')?.enabled).toBe(false);
  });

  it('desktop: Connect to a Lab Server… with URL and token; the title says user@host:port', async () => {
    click('connect-lab');
    await desktopPage.locator('#connect-url').waitFor();
    // A wrong token first: refused, naming the field, and the window stays on the local lab.
    await desktopPage.fill('#connect-url', `http://localhost:${tunnel.port}`);
    await desktopPage.fill('#connect-token', 'not-the-token');
    await desktopPage.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(() => desktopPage.getByTestId('connect-error').textContent()).toContain("field 'token'");
    await desktopPage.screenshot({ path: path.join(SHOTS, 'remote-connect.png') });
    await desktopPage.fill('#connect-token', labServer.token);
    await desktopPage.getByRole('button', { name: 'Connect', exact: true }).click();
    await titled(desktopPage, `COLT Lab — ${label}`);
    await desktopPage.getByTestId('lab-indicator').filter({ hasText: `Lab: ${label}` }).waitFor();
    expect(router.connection()).toMatchObject({ kind: 'remote', url: `http://localhost:${tunnel.port}` });
    expect(find(menu(), 'open-library')?.enabled).toBe(false);
    await desktopPage.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
  });

  it('desktop: a dropped ticket is read by the main process from its path and uploaded as bytes', async () => {
    // The File the page holds has other bytes: only the main process reading the real path can succeed.
    await desktopPage.evaluate((p) => void ((window as unknown as { __coltPaths: Record<string, string> }).__coltPaths = p), { 'laptop-ticket.safetensors': ticketFile });
    await dropFiles(desktopPage, [{ name: 'laptop-ticket.safetensors', bytes: new Uint8Array(16) }]);
    const ok = desktopPage.getByTestId('import-ok').first();
    await ok.waitFor({ timeout: 30_000 });
    expect(await ok.textContent()).toMatch(/Imported as ticket \d+ \(lenet-300-100/);
    const tickets = await serverCall<{ id: number; source: string }[]>('tickets.list', {});
    expect(tickets).toHaveLength(1);
    // The server could not have read the laptop path itself: its folders are its own home only.
    await expect(serverCall('tickets.import', { path: ticketFile })).rejects.toThrow(/outside the folders/);
    await desktopPage.screenshot({ path: path.join(SHOTS, 'remote-desktop.png') });
  });

  it('desktop: Use the Local Lab goes back; a crash of the lab process is reported in the window and it restarts', async () => {
    click('use-local-lab');
    await titled(desktopPage, 'COLT Lab — local');
    await desktopPage.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    spawner.children.at(-1)!.kill('SIGKILL');
    const banner = desktopPage.getByTestId('lab-banner');
    // Once it is back: what stopped it, and that it was restarted.
    await banner.filter({ hasText: /The lab process stopped unexpectedly \(signal SIGKILL, .*\) and was restarted/ }).waitFor({ timeout: 60_000 });
    await desktopPage.getByTestId('lab-indicator').filter({ hasText: /^\s*Lab: local\s*$/ }).waitFor({ timeout: 60_000 });
    expect(spawner.children).toHaveLength(2);
    await desktopPage.screenshot({ path: path.join(SHOTS, 'remote-crash-banner.png') });
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await banner.waitFor({ state: 'detached' });
  });

  it("browser: the server's own URL through the tunnel; the title names it; a dropped ticket uploads its bytes", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    watch(page);
    await page.goto(`http://localhost:${tunnel.port}/?token=${labServer.token}`);
    await titled(page, `COLT Lab — ${label}`);
    expect(page.url()).not.toContain('token=');
    await page.getByTestId('lab-indicator').filter({ hasText: `Lab: ${label}` }).waitFor();
    await dropFiles(page, [{ name: 'laptop-ticket.safetensors', bytes: readFileSync(ticketFile) }]);
    const ok = page.getByTestId('import-ok').first();
    await ok.waitFor({ timeout: 30_000 });
    // The same ticket the desktop app uploaded: the server recognises its bytes.
    expect(await ok.textContent()).toMatch(/Already in the library as ticket \d+/);
    await page.screenshot({ path: path.join(SHOTS, 'remote-browser.png') });
    await context.close();
  });

  it('logged no console errors', () => {
    expect(problems).toEqual([]);
  });
});
