// Which lab the page shows, as the connection store follows it. Electron cannot start here: the
// bridge's `lab` part is a stand-in that pushes LabConnection messages as electron/connection-ipc.ts
// does, and the page's window is a plain object (title, location).
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ColtLabBridge, LabConnection } from '../../../electron/bridge-types.js';
import { setClient, type ApiClient } from '../../../renderer/src/api/index.js';
import { connectionTitle, servedConnection, useConnectionStore } from '../../../renderer/src/stores/connection.js';

const LOCAL: LabConnection = { kind: 'local', label: 'local', url: null, state: 'ready', message: null, crash: null, resumable: [] };
const REMOTE: LabConnection = { ...LOCAL, kind: 'remote', label: 'ada@gpu1:8765', url: 'http://localhost:8765' };

function page(bridgeLab?: Partial<ColtLabBridge['lab']>) {
  const listeners: ((c: LabConnection) => void)[] = [];
  const win = {
    document: { title: 'COLT Lab' },
    location: { reload: vi.fn(), protocol: 'http:', port: '7450', origin: 'http://127.0.0.1:7450' },
    ...(bridgeLab ? { coltLab: { lab: { status: async () => LOCAL, onStatus: (l: (c: LabConnection) => void) => (listeners.push(l), () => undefined), ...bridgeLab } } } : {}),
  };
  return { win: win as unknown as Window & { coltLab?: ColtLabBridge }, push: (c: LabConnection) => listeners.forEach((l) => l(c)) };
}

const calls: Array<[string, unknown]> = [];
beforeEach(() => {
  setActivePinia(createPinia());
  calls.length = 0;
  setClient({
    transport: 'http',
    call: async (command: string, input: unknown) => {
      calls.push([command, input]);
      if (command === 'system.info') return { user: 'ada', hostname: 'gpu1' };
      if (command === 'runs.list') return [{ id: 3, experimentId: 1 }, { id: 4, experimentId: 1 }, { id: 9, experimentId: 2 }];
      return [];
    },
    onEvent: () => () => undefined,
    importFiles: async () => [],
  } as unknown as ApiClient);
});

describe('the connection store', () => {
  it('titles the page COLT Lab — local / — user@host:port, with the state when not ready', () => {
    expect(connectionTitle(LOCAL)).toBe('COLT Lab — local');
    expect(connectionTitle(REMOTE)).toBe('COLT Lab — ada@gpu1:8765');
    expect(connectionTitle({ ...LOCAL, state: 'restarting' })).toBe('COLT Lab — local (restarting…)');
    expect(servedConnection({ user: 'ada', hostname: 'gpu1' }, { protocol: 'https:', port: '', origin: 'https://lab.example' }).label).toBe('ada@gpu1:443');
  });

  it('in a browser: the server that served the page, from its system.info', async () => {
    const p = page();
    await useConnectionStore().start(p.win);
    expect(p.win.document.title).toBe('COLT Lab — ada@gpu1:7450');
    expect(useConnectionStore().connection).toMatchObject({ kind: 'remote', url: 'http://127.0.0.1:7450' });
    expect(await useConnectionStore().connect('http://x', 't', p.win)).toMatch(/only the desktop app/);
  });

  it('in the desktop app: follows the main process, reloads the page when the lab changes', async () => {
    const p = page();
    const connect = vi.fn(async () => ({ ok: true as const, output: REMOTE }));
    const d = page({ connect });
    const store = useConnectionStore();
    await store.start(d.win);
    expect(d.win.document.title).toBe('COLT Lab — local');
    d.push({ ...LOCAL, state: 'restarting', message: 'restarting it' });
    expect(d.win.document.title).toBe('COLT Lab — local (restarting…)');
    expect(d.win.location.reload).not.toHaveBeenCalled();
    store.dialogOpen = true;
    expect(await store.connect('http://localhost:8765', 'tok', d.win)).toBeNull();
    expect(connect).toHaveBeenCalledWith('http://localhost:8765', 'tok');
    expect(store.dialogOpen).toBe(false);
    // Another lab: every store must start over from its data.
    expect(d.win.location.reload).toHaveBeenCalledTimes(1);
    expect(p.win.location.reload).not.toHaveBeenCalled();
  });

  it('shows the error of a refused connection and stays', async () => {
    const d = page({ connect: async () => ({ ok: false as const, error: { code: 'invalid_input', message: "field 'token': refused" } }) });
    const store = useConnectionStore();
    await store.start(d.win);
    expect(await store.connect('http://localhost:8765', 'bad', d.win)).toBe("field 'token': refused");
    expect(d.win.location.reload).not.toHaveBeenCalled();
  });

  it('resumes the interrupted runs a restarted lab reported, one runs.resume per experiment, and hides the banner', async () => {
    const d = page({ status: async () => ({ ...LOCAL, crash: { at: '2026-01-01T00:00:00.000Z', reason: 'signal SIGKILL', restarts: 1 }, resumable: [3, 4] }) });
    const store = useConnectionStore();
    await store.start(d.win);
    expect(await store.resumeInterrupted()).toBeNull();
    expect(calls.filter(([c]) => c === 'runs.resume')).toEqual([['runs.resume', { experimentId: 1 }]]);
    expect(store.dismissedCrash).toBe('2026-01-01T00:00:00.000Z');
  });
});
