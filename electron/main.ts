// The desktop shell's entry (Electron main process). Thin wiring only: the logic lives in small
// modules with Electron injected (security.ts, ipc.ts, menu.ts, shell-actions.ts, lifecycle.ts),
// which the unit tests cover; this file itself has never been launched on the build machine.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell } from 'electron';
import { appDataDir, packageRoot } from '../main/common/paths.js';
import { COMMANDS } from '../main/contract/api.js';
import { selectBackend, type BackendChoice } from '../main/lab/backend/index.js';
import type { MenuMessage } from './bridge-types.js';
import { COMMANDS_ARGUMENT, MENU_CHANNEL } from './channels.js';
import { registerIpc } from './ipc.js';
import { openLabHost, type LabHost } from './lab-host.js';
import { installQuitSequence, PendingTickets, ticketPathsFromArgv } from './lifecycle.js';
import { createPdfPrinter } from './print-pdf.js';
import { buildMenuTemplate } from './menu.js';
import { addRecentLibrary, loadRecentLibraries, saveRecentLibraries } from './recent-libraries.js';
import { contentSecurityPolicy, guardContents, guardSession, rendererPolicy } from './security.js';
import { createShellActions } from './shell-actions.js';
import { windowOptions } from './window-options.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/electron
const root = packageRoot();
const devServerUrl = process.env.COLT_DEV_SERVER_URL || undefined;

const logError = (e: unknown): void => void process.stderr.write(`COLT Lab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);

// Packaged, the resources (sample data, presets) are extraResources next to app.asar, not in it.
if (app.isPackaged) process.env.COLT_RESOURCES_DIR ??= path.join(process.resourcesPath, 'resources');
// In development the Electron-ABI build of better-sqlite3 lives in .cache/electron-native/ (build/electron-native.mjs,
// run by scripts/setup.sh), so node_modules keeps the Node build the CLI and tests load.
if (!app.isPackaged) {
  const stage = `${process.versions.electron}-${process.platform}-${process.arch}`;
  const binding = path.join(root, '.cache', 'electron-native', stage, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) process.env.COLT_SQLITE_BINDING ??= binding;
}

const pending = new PendingTickets();
let window: BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Ticket files given on the command line or by the OS (file association) are imported by the UI.
  pending.add(ticketPathsFromArgv(process.argv.slice(app.isPackaged ? 1 : 2), process.cwd()));
  app.on('open-file', (event, file) => {
    event.preventDefault();
    pending.add(ticketPathsFromArgv([file], process.cwd()));
  });
  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
    pending.add(ticketPathsFromArgv(argv.slice(1), workingDirectory));
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      // E.g. a library that cannot be opened: say so in a dialog (there is no window yet), then stop.
      logError(e);
      dialog.showErrorBox('COLT Lab could not start', e instanceof Error ? e.message : String(e));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const policy = rendererPolicy(path.join(root, 'renderer', 'dist', 'index.html'), devServerUrl);
  guardSession(session.defaultSession, policy.isTrusted, contentSecurityPolicy(devServerUrl));
  app.on('web-contents-created', (_event, contents) => guardContents(contents, policy.isTrusted, (url) => void shell.openExternal(url)));

  const dataDir = appDataDir();
  const recentFile = path.join(dataDir, 'recent-libraries.json');
  let recent = loadRecentLibraries(recentFile);
  let libraryPath = recent.find((p) => existsSync(p)) ?? path.join(dataDir, 'library.sqlite');
  const backend: BackendChoice = await selectBackend('auto');
  // Reports print to PDF with Electron's own Chromium (a hidden window), not a system browser.
  const printPdf = createPdfPrinter((options) => new BrowserWindow(options));
  let lab: LabHost = await openLabHost({ dataDir, libraryPath, backend, printPdf });
  const ipcOptions = { isTrustedSender: policy.isTrusted, eventTargets: () => BrowserWindow.getAllWindows().map((w) => w.webContents), onError: logError };
  let unregister = registerIpc(ipcMain, lab, ipcOptions);
  installQuitSequence(app, () => lab.close(), { onError: logError });

  const send = (message: MenuMessage): void => {
    if (window && !window.webContents.isDestroyed()) window.webContents.send(MENU_CHANNEL, message);
  };
  const refreshMenu = (): void => {
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, appName: app.name, recentLibraries: recent, development: !app.isPackaged }, actions)));
  };
  const actions = createShellActions({
    dialog: {
      showOpenDialog: (o) => (window ? dialog.showOpenDialog(window, o) : dialog.showOpenDialog(o)),
      showSaveDialog: (o) => (window ? dialog.showSaveDialog(window, o) : dialog.showSaveDialog(o)),
      showMessageBox: (o) => (window ? dialog.showMessageBox(window, o) : dialog.showMessageBox(o)),
    },
    showItemInFolder: (p) => shell.showItemInFolder(p),
    send,
    lab: () => lab,
    libraryPath: () => libraryPath,
    async switchLibrary(next) {
      // Open the new library first: if that fails, the current one stays in service.
      const nextLab = await openLabHost({ dataDir, libraryPath: next, backend, printPdf });
      unregister();
      const previous = lab;
      lab = nextLab;
      unregister = registerIpc(ipcMain, lab, ipcOptions);
      libraryPath = next;
      await previous.close();
      recent = addRecentLibrary(recentFile, next);
      app.addRecentDocument(next);
      refreshMenu();
    },
    recentLibraries: () => recent,
    clearRecentLibraries() {
      recent = [];
      saveRecentLibraries(recentFile, recent);
      app.clearRecentDocuments();
      refreshMenu();
    },
    shellVersions: { electron: process.versions.electron, chrome: process.versions.chrome, v8: process.versions.v8 },
    appName: app.name,
    onError: logError,
  });
  refreshMenu();

  const createWindow = (): void => {
    const preload = path.join(here, 'preload', 'preload.js');
    const win = new BrowserWindow(windowOptions(preload, [COMMANDS_ARGUMENT + Object.keys(COMMANDS).join(',')]));
    window = win;
    win.once('ready-to-show', () => win.show());
    win.webContents.on('did-start-loading', () => pending.detach());
    win.webContents.on('did-finish-load', () => pending.attach((paths) => send({ action: 'tickets.import', paths })));
    win.on('closed', () => {
      pending.detach();
      if (window === win) window = undefined;
    });
    void win.loadURL(policy.startUrl);
  };
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}
