// What the menu items do, with Electron's dialog/shell/app injected: native open and save dialogs,
// messages to the renderer on `colt:menu`, the library switch and the About box.
import path from 'node:path';
import type { Dialog, MessageBoxOptions, OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { MenuMessage } from './bridge-types.js';
import type { LabHost } from './lab-host.js';
import type { MenuHandlers } from './menu.js';

/** The file filter of ticket dialogs. */
export const TICKET_FILTERS = [{ name: 'COLT ticket', extensions: ['safetensors'] }];
/** The file filter of library dialogs. */
export const LIBRARY_FILTERS = [{ name: 'COLT Lab library', extensions: ['sqlite', 'db'] }];

/** Everything the actions need, injected. */
export interface ShellDeps {
  readonly dialog: {
    showOpenDialog(options: OpenDialogOptions): ReturnType<Dialog['showOpenDialog']>;
    showSaveDialog(options: SaveDialogOptions): ReturnType<Dialog['showSaveDialog']>;
    showMessageBox(options: MessageBoxOptions): ReturnType<Dialog['showMessageBox']>;
  };
  /** shell.showItemInFolder. */
  readonly showItemInFolder: (fullPath: string) => void;
  /** Sends a menu message to the window. */
  readonly send: (message: MenuMessage) => void;
  readonly lab: () => LabHost;
  readonly libraryPath: () => string;
  /** Closes the current library and opens this one (main.ts). */
  readonly switchLibrary: (libraryPath: string) => Promise<void>;
  readonly recentLibraries: () => readonly string[];
  readonly clearRecentLibraries: () => void;
  /** Back to the local lab from a remote one (main.ts: the router's disconnect). */
  readonly useLocalLab: () => Promise<void>;
  /** Versions the lab does not know (Electron, Chromium, V8). */
  readonly shellVersions: Readonly<Record<string, string | undefined>>;
  readonly appName: string;
  readonly onError: (error: unknown) => void;
}

/** The menu handlers over the injected Electron modules. */
export function createShellActions(deps: ShellDeps): MenuHandlers & { readonly pending: () => Promise<void> } {
  let last: Promise<void> = Promise.resolve();
  // Menu clicks are fire-and-forget; keep the latest so tests (and nothing else) can await it.
  const run = (task: () => Promise<void>): void => {
    last = task().catch((e: unknown) => deps.onError(e));
  };
  const showError = async (title: string, e: unknown): Promise<void> => {
    await deps.dialog.showMessageBox({ type: 'error', title, message: title, detail: e instanceof Error ? e.message : String(e) });
  };
  const switchTo = async (file: string): Promise<void> => {
    try {
      await deps.switchLibrary(file);
      deps.send({ action: 'library.changed', path: file });
    } catch (e) {
      await showError('Could not open the library', e);
    }
  };
  return {
    pending: () => last,
    newExperiment: () => deps.send({ action: 'experiment.new' }),
    importTicket: () =>
      run(async () => {
        const r = await deps.dialog.showOpenDialog({ title: 'Import ticket', filters: TICKET_FILTERS, properties: ['openFile', 'multiSelections'] });
        if (!r.canceled && r.filePaths.length > 0) deps.send({ action: 'tickets.import', paths: r.filePaths });
      }),
    exportReport: () =>
      run(async () => {
        const r = await deps.dialog.showSaveDialog({ title: 'Export report', defaultPath: 'colt-report.html', filters: [{ name: 'HTML report', extensions: ['html'] }, { name: 'PDF', extensions: ['pdf'] }] });
        if (!r.canceled && r.filePath) deps.send({ action: 'reports.export', path: r.filePath });
      }),
    openLibrary: () =>
      run(async () => {
        const r = await deps.dialog.showOpenDialog({ title: 'Open library', defaultPath: path.dirname(deps.libraryPath()), filters: LIBRARY_FILTERS, properties: ['openFile', 'promptToCreate', 'createDirectory'] });
        if (!r.canceled && r.filePaths.length > 0) await switchTo(r.filePaths[0]);
      }),
    revealLibrary: () => deps.showItemInFolder(deps.libraryPath()),
    openRecentLibrary: (file) => run(() => switchTo(file)),
    clearRecentLibraries: () => deps.clearRecentLibraries(),
    connectLab: () => deps.send({ action: 'lab.connect' }),
    useLocalLab: () => run(deps.useLocalLab),
    about: () =>
      run(async () => {
        let detail: string;
        try {
          detail = aboutText(await deps.lab().call('system.info', {}), deps.shellVersions);
        } catch (e) {
          detail = `The lab did not answer: ${e instanceof Error ? e.message : String(e)}`;
        }
        await deps.dialog.showMessageBox({ type: 'info', title: `About ${deps.appName}`, message: deps.appName, detail, buttons: ['OK'] });
      }),
  };
}

/** The About box text from `system.info`'s answer: version, backend and why, library, versions. */
export function aboutText(info: unknown, shellVersions: Readonly<Record<string, string | undefined>>): string {
  const i = (typeof info === 'object' && info !== null ? info : {}) as { appVersion?: string; backend?: string | null; backendReason?: string | null; libraryPath?: string; versions?: Record<string, string> };
  const versions = { ...(i.versions ?? {}), ...Object.fromEntries(Object.entries(shellVersions).filter((e): e is [string, string] => e[1] !== undefined)) };
  return [
    `Version ${i.appVersion ?? 'unknown'}`,
    `Backend: ${i.backend ?? 'not chosen yet'}${i.backendReason ? ` (${i.backendReason})` : ''}`,
    `Library: ${i.libraryPath ?? 'unknown'}`,
    '',
    ...Object.entries(versions).map(([k, v]) => `${k} ${v}`),
  ].join('\n');
}
