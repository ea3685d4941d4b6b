// The menu template is plain data; its click handlers are injected, so clicking needs no Electron.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi, type Mock } from 'vitest';
import { buildMenuTemplate, fileManagerName, type MenuHandlers } from '../../../electron/menu.js';

type Handler = Mock<(...args: unknown[]) => void>;

function handlers(): MenuHandlers & Record<keyof MenuHandlers, Handler> {
  const fn = (): Handler => vi.fn<(...args: unknown[]) => void>();
  return { newExperiment: fn(), importTicket: fn(), exportReport: fn(), openLibrary: fn(), revealLibrary: fn(), openRecentLibrary: fn(), clearRecentLibraries: fn(), connectLab: fn(), useLocalLab: fn(), about: fn() };
}

function find(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const hit = find(item.submenu, id);
      if (hit) return hit;
    }
  }
  return undefined;
}

function click(item: MenuItemConstructorOptions | undefined): void {
  (item?.click as (() => void) | undefined)?.();
}

describe('buildMenuTemplate', () => {
  it('has the File items with their accelerators, each calling its handler', () => {
    const h = handlers();
    const t = buildMenuTemplate({ platform: 'linux', appName: 'COLT Lab', recentLibraries: [] }, h);
    const expected: Array<[string, keyof MenuHandlers, string | undefined]> = [
      ['new-experiment', 'newExperiment', 'CmdOrCtrl+N'],
      ['import-ticket', 'importTicket', 'CmdOrCtrl+O'],
      ['export-report', 'exportReport', 'CmdOrCtrl+E'],
      ['open-library', 'openLibrary', 'CmdOrCtrl+Shift+O'],
      ['reveal-library', 'revealLibrary', undefined],
      ['connect-lab', 'connectLab', undefined],
      ['about', 'about', undefined],
    ];
    for (const [id, handler, accelerator] of expected) {
      const item = find(t, id);
      expect(item, id).toBeDefined();
      expect(item?.accelerator).toBe(accelerator);
      click(item);
      expect(h[handler]).toHaveBeenCalledTimes(1);
    }
    expect(find(t, 'reveal-library')?.label).toBe('Reveal Library in File Manager');
  });

  it('lists recent libraries, opens the one clicked, and can clear them', () => {
    const h = handlers();
    const t = buildMenuTemplate({ platform: 'linux', appName: 'COLT Lab', recentLibraries: ['/data/a.sqlite', '/data/b.sqlite'] }, h);
    expect(find(t, 'recent-0')?.label).toBe('/data/a.sqlite');
    click(find(t, 'recent-1'));
    expect(h.openRecentLibrary).toHaveBeenCalledWith('/data/b.sqlite');
    click(find(t, 'recent-clear'));
    expect(h.clearRecentLibraries).toHaveBeenCalled();
  });

  it('shows a disabled placeholder when there are no recent libraries', () => {
    const t = buildMenuTemplate({ platform: 'win32', appName: 'COLT Lab', recentLibraries: [] }, handlers());
    expect(find(t, 'recent-empty')?.enabled).toBe(false);
    expect(find(t, 'reveal-library')?.label).toBe('Reveal Library in Explorer');
  });

  it('puts About and Quit in the app menu on macOS, in File/Help elsewhere', () => {
    const mac = buildMenuTemplate({ platform: 'darwin', appName: 'COLT Lab', recentLibraries: [] }, handlers());
    expect(mac[0].label).toBe('COLT Lab');
    expect((mac[0].submenu as MenuItemConstructorOptions[]).some((i) => i.role === 'quit')).toBe(true);
    expect(find(mac, 'reveal-library')?.label).toBe('Reveal Library in Finder');
    const linux = buildMenuTemplate({ platform: 'linux', appName: 'COLT Lab', recentLibraries: [] }, handlers());
    expect(linux[0].label).toBe('File');
    expect((linux[0].submenu as MenuItemConstructorOptions[]).some((i) => i.role === 'quit')).toBe(true);
  });

  it('offers Use the Local Lab only while connected to a remote lab, and turns the library items off then', () => {
    const h = handlers();
    const local = buildMenuTemplate({ platform: 'linux', appName: 'COLT Lab', recentLibraries: ['/data/a.sqlite'] }, h);
    expect(find(local, 'use-local-lab')?.enabled).toBe(false);
    for (const id of ['open-library', 'recent-libraries', 'reveal-library', 'recent-0']) expect(find(local, id)?.enabled, id).toBe(true);
    const remote = buildMenuTemplate({ platform: 'linux', appName: 'COLT Lab', recentLibraries: ['/data/a.sqlite'], remote: true }, h);
    expect(find(remote, 'use-local-lab')?.enabled).toBe(true);
    click(find(remote, 'use-local-lab'));
    expect(h.useLocalLab).toHaveBeenCalledTimes(1);
    // The library items act on this computer's library, which the window is not showing.
    for (const id of ['open-library', 'recent-libraries', 'reveal-library', 'recent-0']) expect(find(remote, id)?.enabled, id).toBe(false);
    expect(find(remote, 'connect-lab')?.label).toBe('Connect to a Lab Server…');
  });

  it('offers reload and developer tools only in development', () => {
    const roles = (dev: boolean) => JSON.stringify(buildMenuTemplate({ platform: 'linux', appName: 'COLT Lab', recentLibraries: [], development: dev }, handlers()));
    expect(roles(true)).toContain('toggleDevTools');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('"reload"');
  });

  it('names the file manager per platform', () => {
    expect(fileManagerName('freebsd')).toBe('File Manager');
  });
});
