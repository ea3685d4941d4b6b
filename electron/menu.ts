// The application menu as data (a pure template builder): Electron's Menu.buildFromTemplate turns
// it into the native menu in main.ts. Every action is an injected handler, so tests click items.
import type { MenuItemConstructorOptions } from 'electron';

/** What the menu items do (electron/shell-actions.ts implements them with Electron's dialogs). */
export interface MenuHandlers {
  newExperiment(): void;
  importTicket(): void;
  exportReport(): void;
  openLibrary(): void;
  revealLibrary(): void;
  openRecentLibrary(path: string): void;
  clearRecentLibraries(): void;
  /** File › Connect to a Lab Server…: the window asks for URL and token. */
  connectLab(): void;
  /** File › Use the Local Lab: leaves the remote lab. */
  useLocalLab(): void;
  about(): void;
}

/** What the menu shows. */
export interface MenuState {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  /** Most recent first. */
  readonly recentLibraries: readonly string[];
  /** Adds Reload and the developer tools (development only). */
  readonly development?: boolean;
  /** The window shows a remote lab: the library items (which act on this computer's library) are off. */
  readonly remote?: boolean;
}

/** The file manager's name in "Reveal library in …". */
export function fileManagerName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Finder';
  if (platform === 'win32') return 'Explorer';
  return 'File Manager';
}

/** Builds the application menu template. */
export function buildMenuTemplate(state: MenuState, handlers: MenuHandlers): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const remote = state.remote === true;
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${state.appName}`, click: () => handlers.about() };
  const recent: MenuItemConstructorOptions[] =
    state.recentLibraries.length === 0
      ? [{ id: 'recent-empty', label: 'No recent libraries', enabled: false }]
      : [
          ...state.recentLibraries.map((p, i): MenuItemConstructorOptions => ({ id: `recent-${i}`, label: p, enabled: !remote, click: () => handlers.openRecentLibrary(p) })),
          { type: 'separator' },
          { id: 'recent-clear', label: 'Clear Recent Libraries', click: () => handlers.clearRecentLibraries() },
        ];

  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: state.appName,
      submenu: [about, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  }
  template.push(
    {
      label: 'File',
      submenu: [
        { id: 'new-experiment', label: 'New Experiment', accelerator: 'CmdOrCtrl+N', click: () => handlers.newExperiment() },
        { id: 'import-ticket', label: 'Import Ticket…', accelerator: 'CmdOrCtrl+O', click: () => handlers.importTicket() },
        { id: 'export-report', label: 'Export Report…', accelerator: 'CmdOrCtrl+E', click: () => handlers.exportReport() },
        { type: 'separator' },
        { id: 'open-library', label: 'Open Library…', accelerator: 'CmdOrCtrl+Shift+O', enabled: !remote, click: () => handlers.openLibrary() },
        { id: 'recent-libraries', label: 'Open Recent Library', enabled: !remote, submenu: recent },
        { id: 'reveal-library', label: `Reveal Library in ${fileManagerName(state.platform)}`, enabled: !remote, click: () => handlers.revealLibrary() },
        { type: 'separator' },
        { id: 'connect-lab', label: 'Connect to a Lab Server…', click: () => handlers.connectLab() },
        { id: 'use-local-lab', label: 'Use the Local Lab', enabled: remote, click: () => handlers.useLocalLab() },
        ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...(state.development ? [{ role: 'reload' } as const, { role: 'toggleDevTools' } as const, { type: 'separator' } as const] : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: mac ? [] : [about] },
  );
  return template;
}
