// The desktop menu's actions as the UI handles them. Electron cannot start here, so the messages
// are what electron/shell-actions.ts sends on `colt:menu` (typed by MenuMessage), and the page's
// location is a plain object. tickets.import runs through the real IPC client over a bridge whose
// command answers like the main process (the command itself is proven by the contract suite).
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ColtLabBridge } from '../../../electron/bridge-types.js';
import { setClient } from '../../../renderer/src/api/index.js';
import { createIpcClient } from '../../../renderer/src/api/ipc.js';
import { useImportsStore } from '../../../renderer/src/stores/imports.js';
import { useMenuStore } from '../../../renderer/src/stores/menu.js';

let imported: string[];

beforeEach(() => {
  vi.stubGlobal('location', { hash: '' });
  vi.stubGlobal('window', { location: { reload: vi.fn() } });
  setActivePinia(createPinia());
  imported = [];
  const bridge = {
    host: 'electron',
    commands: {
      'tickets.import': async (input: { path?: string }) => {
        imported.push(input.path ?? '');
        return input.path?.endsWith('bad.safetensors')
          ? { ok: false, error: { code: 'invalid_input', message: 'bad.safetensors: header length 99 (bytes 0-7) runs past the end' } }
          : { ok: true, output: { ticketId: 7, duplicate: false, format: 'colt-ticket/1', notes: [], ticket: { arch: 'lenet-300-100' } } };
      },
    },
    onEvent: () => () => undefined,
    onMenu: () => () => undefined,
    pathForFile: () => '',
  } as unknown as ColtLabBridge;
  setClient(createIpcClient(bridge));
});
afterEach(() => vi.unstubAllGlobals());

describe('the menu store', () => {
  it('opens the new-experiment form', () => {
    useMenuStore().handle({ action: 'experiment.new' });
    expect(location.hash).toBe('#/setup');
  });

  it('hands Export report…\'s file to the Compare screen once', () => {
    const menu = useMenuStore();
    menu.handle({ action: 'reports.export', path: '/home/r/study.pdf' });
    expect(location.hash).toBe('#/compare');
    expect(menu.takeReportPath()).toBe('/home/r/study.pdf');
    expect(menu.takeReportPath()).toBeNull();
  });

  it('imports the named ticket files by path and notes each outcome', async () => {
    useMenuStore().handle({ action: 'tickets.import', paths: ['/data/good.safetensors', '/data/bad.safetensors'] });
    const imports = useImportsStore();
    await vi.waitFor(() => expect(imports.notes).toHaveLength(2));
    expect(imported).toEqual(['/data/good.safetensors', '/data/bad.safetensors']);
    expect(imports.notes[1]).toMatchObject({ file: 'good.safetensors', ok: true, ticketId: 7 });
    expect(imports.notes[0]).toMatchObject({ file: 'bad.safetensors', ok: false, message: expect.stringContaining('bytes 0-7') });
  });

  it('reloads the page when the library was switched', () => {
    useMenuStore().handle({ action: 'library.changed', path: '/x/other.sqlite' });
    expect((window as unknown as { location: { reload: ReturnType<typeof vi.fn> } }).location.reload).toHaveBeenCalled();
  });
});
