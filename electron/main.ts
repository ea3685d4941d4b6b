// The desktop shell's entry (Electron main process). Thin wiring only: windows, menus, dialogs and
// the relay of the contract; the lab runs in a utilityProcess (lab-supervisor.ts) or on a remote
// `colt serve` (remote-lab.ts). The logic lives in small modules with Electron injected, which
// the unit tests cover; this file itself has never been launched on the build machine.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, session, shell, utilityProcess } from 'electron';
import { appDataDir, packageRoot } from '../main/common/paths.js';
import { COMMANDS } from '../main/contract/api.js';
import { FileAccess } from '../main/service/file-access.js';
import type { MenuMessage } from './bridge-types.js';
import { COMMANDS_ARGUMENT, MENU_CHANNEL } from './channels.js';
import { registerConnectionIpc } from './connection-ipc.js';
import { registerIpc } from './ipc.js';
import { LabRouter } from './lab-router.js';
import { LabSupervisor } from './lab-supervisor.js';
import { installQuitSequence, PendingTickets, ticketPathsFromArgv } from './lifecycle.js';
import { createPdfPrinter } from './print-pdf.js';
import { buildMenuTemplate } from './menu.js';
import { addRecentLibrary, loadRecentLibraries, saveRecentLibraries } from './recent-libraries.js';
import { contentSecurityPolicy, guardContents, guardSession, rendererPolicy } from './security.js';
import { withLocalFiles } from './remote-files.js';
import { connectRemoteLab } from './remote-lab.js';
import { createShellActions } from './shell-actions.js';
import { utilityLabSpawner } from './utility-lab-link.js';
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
  // Reports print to PDF with Electron's own Chromium (a hidden window), not a system browser.
  const printPdf = createPdfPrinter((options) => new BrowserWindow(options));
  // The lab process gets this environment: COLT_SQLITE_BINDING (the Electron-ABI better-sqlite3, set
  // above in development), COLT_RESOURCES_DIR (packed app), COLT_HOME.
  const spawn = utilityLabSpawner((modulePath, args, options) => utilityProcess.fork(modulePath, args, options), {
    entry: path.join(here, '..', 'main', 'lab-process', 'main.js'),
    env: process.env,
  });
  const openLocalLab = async (file: string): Promise<LabSupervisor> => {
    const lab = new LabSupervisor({ spawn, open: { dataDir, libraryPath: file, backend: 'auto' }, printPdf, onError: logError });
    lab.onStatus((s) => {
      if (s.state === 'restarting' || s.state === 'failed') logError(new Error(`lab process: ${s.message}`));
    });
    try {
      await lab.start();
    } catch (e) {
      await lab.close();
      throw e;
    }
    return lab;
  };
  const router = new LabRouter(await openLocalLab(libraryPath));
  const targets = (): Electron.WebContents[] => BrowserWindow.getAllWindows().map((w) => w.webContents);
  registerIpc(ipcMain, router, { isTrustedSender: policy.isTrusted, eventTargets: targets, onError: logError });
  // A remote lab reads and writes the files this computer names (drops, dialogs) here, in the same folders the local lab may use.
  const localFiles = new FileAccess([os.homedir(), dataDir, process.cwd()]);
  registerConnectionIpc(ipcMain, router, {
    isTrustedSender: policy.isTrusted,
    openRemote: async (target) => withLocalFiles(await connectRemoteLab(target), { files: localFiles, printPdf }),
    eventTargets: targets,
    onError: logError,
  });
  installQuitSequence(app, () => router.close(), { onError: logError });

  const send = (message: MenuMessage): void => {
    if (window && !window.webContents.isDestroyed()) window.webContents.send(MENU_CHANNEL, message);
  };
  const refreshMenu = (): void => {
    const remote = router.connection().kind === 'remote';
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate({ platform: process.platform, appName: app.name, recentLibraries: recent, development: !app.isPackaged, remote }, actions)));
  };
  const actions = createShellActions({
    dialog: {
      showOpenDialog: (o) => (window ? dialog.showOpenDialog(window, o) : dialog.showOpenDialog(o)),
      showSaveDialog: (o) => (window ? dialog.showSaveDialog(window, o) : dialog.showSaveDialog(o)),
      showMessageBox: (o) => (window ? dialog.showMessageBox(window, o) : dialog.showMessageBox(o)),
    },
    showItemInFolder: (p) => shell.showItemInFolder(p),
    send,
    lab: () => router,
    libraryPath: () => libraryPath,
    async switchLibrary(next) {
      // Open the new library in a new lab process first: if that fails, the current one stays in service.
      const previous = router.replaceLocal(await openLocalLab(next));
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
    useLocalLab: () => router.disconnect(),
    shellVersions: { electron: process.versions.electron, chrome: process.versions.chrome, v8: process.versions.v8 },
    appName: app.name,
    onError: logError,
  });
  refreshMenu();
  // The menu's library items are off while the window shows a remote lab. The title bar (`COLT Lab —
  // local`, `COLT Lab — user@host:port`) is the page's title: the renderer's connection store sets it.
  router.onConnection(() => refreshMenu());

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
