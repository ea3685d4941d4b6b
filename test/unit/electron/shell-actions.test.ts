// Menu actions with Electron's dialog and shell replaced by recording fakes; the lab is a real
// LabService over a temp folder (a LabHost as it is), so About shows what system.info really answers.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MenuMessage } from '../../../electron/bridge-types.js';
import type { LabHost } from '../../../electron/lab-host.js';
import { addRecentLibrary, loadRecentLibraries, MAX_RECENT } from '../../../electron/recent-libraries.js';
import { aboutText, createShellActions, type ShellDeps } from '../../../electron/shell-actions.js';
import { LabService } from '../../../main/service/lab-service.js';

let dir: string;
let lab: LabHost;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'colt-shell-'));
  lab = new LabService({ dataDir: dir, libraryPath: path.join(dir, 'library.sqlite') });
});
afterEach(async () => {
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(answers: { open?: string[]; save?: string; switchFails?: boolean } = {}) {
  const sent: MenuMessage[] = [];
  const boxes: Array<{ type?: string; detail?: string }> = [];
  const opened: unknown[] = [];
  const switched: string[] = [];
  const deps: ShellDeps = {
    dialog: {
      showOpenDialog: async (o) => (opened.push(o), { canceled: !answers.open, filePaths: answers.open ?? [] }),
      showSaveDialog: async () => ({ canceled: !answers.save, filePath: answers.save ?? '' }),
      showMessageBox: async (o) => (boxes.push(o), { response: 0, checkboxChecked: false }),
    },
    showItemInFolder: vi.fn(),
    send: (m) => void sent.push(m),
    lab: () => lab,
    libraryPath: () => path.join(dir, 'library.sqlite'),
    switchLibrary: async (p) => {
      if (answers.switchFails) throw new Error('not a COLT Lab library');
      switched.push(p);
    },
    recentLibraries: () => [],
    clearRecentLibraries: vi.fn(),
    useLocalLab: vi.fn(async () => undefined),
    shellVersions: { electron: '41.7.1', chrome: undefined },
    appName: 'COLT Lab',
    onError: vi.fn(),
  };
  return { actions: createShellActions(deps), deps, sent, boxes, opened, switched };
}

describe('shell actions', () => {
  it('Import ticket… opens a .safetensors dialog and hands the chosen paths to the UI', async () => {
    const t = setup({ open: ['/t/a.safetensors', '/t/b.safetensors'] });
    t.actions.importTicket();
    await t.actions.pending();
    expect(t.opened[0]).toMatchObject({ filters: [{ name: 'COLT ticket', extensions: ['safetensors'] }], properties: expect.arrayContaining(['openFile', 'multiSelections']) });
    expect(t.sent).toEqual([{ action: 'tickets.import', paths: ['/t/a.safetensors', '/t/b.safetensors'] }]);
  });

  it('sends nothing when a dialog is cancelled', async () => {
    const t = setup();
    t.actions.importTicket();
    await t.actions.pending();
    t.actions.exportReport();
    await t.actions.pending();
    expect(t.sent).toEqual([]);
  });

  it('Export report… asks where to save and tells the UI', async () => {
    const t = setup({ save: '/papers/report.html' });
    t.actions.exportReport();
    await t.actions.pending();
    expect(t.sent).toEqual([{ action: 'reports.export', path: '/papers/report.html' }]);
  });

  it('New experiment tells the UI; Reveal shows the library file in the file manager', () => {
    const t = setup();
    t.actions.newExperiment();
    t.actions.revealLibrary();
    expect(t.sent).toEqual([{ action: 'experiment.new' }]);
    expect(t.deps.showItemInFolder).toHaveBeenCalledWith(path.join(dir, 'library.sqlite'));
  });

  it('Open library… switches the library and tells the UI to reload; a failure shows an error box', async () => {
    const ok = setup({ open: ['/data/other.sqlite'] });
    ok.actions.openLibrary();
    await ok.actions.pending();
    expect(ok.switched).toEqual(['/data/other.sqlite']);
    expect(ok.sent).toEqual([{ action: 'library.changed', path: '/data/other.sqlite' }]);
    const bad = setup({ open: ['/data/broken.sqlite'], switchFails: true });
    bad.actions.openRecentLibrary('/data/broken.sqlite');
    await bad.actions.pending();
    expect(bad.sent).toEqual([]);
    expect(bad.boxes[0]).toMatchObject({ type: 'error', detail: 'not a COLT Lab library' });
  });

  it('Connect to a lab server… asks the UI for URL and token; Use the local lab leaves the remote one', async () => {
    const t = setup();
    t.actions.connectLab();
    expect(t.sent).toEqual([{ action: 'lab.connect' }]);
    t.actions.useLocalLab();
    await t.actions.pending();
    expect(t.deps.useLocalLab).toHaveBeenCalledTimes(1);
  });

  it('About shows the version, backend and library from system.info, and the shell versions', async () => {
    const t = setup();
    t.actions.about();
    await t.actions.pending();
    const detail = t.boxes[0].detail ?? '';
    expect(detail).toMatch(/^Version \d+\.\d+\.\d+/);
    expect(detail).toContain('Backend: not chosen yet');
    expect(detail).toContain(`Library: ${path.join(dir, 'library.sqlite')}`);
    expect(detail).toContain('electron 41.7.1');
    expect(detail).toContain(`node ${process.versions.node}`);
    expect(detail).not.toContain('chrome');
  });

  it('aboutText names the backend and why it was picked', () => {
    expect(aboutText({ appVersion: '1.0.0', backend: 'wasm', backendReason: 'tfjs-node is not installed', libraryPath: '/l.sqlite', versions: {} }, {})).toContain('Backend: wasm (tfjs-node is not installed)');
  });
});

describe('recent libraries', () => {
  it('keeps the most recent first, once each, at most MAX_RECENT, across restarts', () => {
    const file = path.join(dir, 'sub', 'recent-libraries.json');
    expect(loadRecentLibraries(file)).toEqual([]);
    for (let i = 0; i < MAX_RECENT + 2; i++) addRecentLibrary(file, `/lib/${i}.sqlite`);
    addRecentLibrary(file, '/lib/3.sqlite');
    const list = loadRecentLibraries(file);
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toBe(path.resolve('/lib/3.sqlite'));
    expect(list.filter((p) => p.endsWith('/3.sqlite'))).toHaveLength(1);
  });
});
