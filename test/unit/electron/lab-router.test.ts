// Switching the window between the local lab and a remote `colt serve`, through the preload bridge
// and the connection channel over the in-process ipc pair (Electron's IPC replaced at that boundary
// only). The remote is a real server (startServer over a real LabService, its own token); the
// local lab is a stand-in with the supervisor's surface, since what is tested is the routing.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConnection } from '../../../electron/bridge-types.js';
import { registerConnectionIpc } from '../../../electron/connection-ipc.js';
import { registerIpc } from '../../../electron/ipc.js';
import { LabRouter, type LocalLab } from '../../../electron/lab-router.js';
import type { LabProcessStatus } from '../../../electron/lab-supervisor.js';
import { buildBridge } from '../../../electron/preload/preload.js';
import { connectRemoteLab } from '../../../electron/remote-lab.js';
import { rendererPolicy } from '../../../electron/security.js';
import { COMMANDS, type WireEvent } from '../../../main/contract/api.js';
import { startServer, type RunningServer } from '../../../main/server/http-server.js';
import { LabService } from '../../../main/service/lab-service.js';
import { createIpcPair } from '../../helpers/ipc-pair.js';

const INDEX = path.resolve('/opt/colt/renderer/dist/index.html');
const policy = rendererPolicy(INDEX);

/** The local lab's surface: answers `system.info` as "local", emits events and status on demand. */
function localLab() {
  const events = new Set<(e: WireEvent) => void>();
  const statuses = new Set<(s: LabProcessStatus) => void>();
  let status: LabProcessStatus = { state: 'ready', pid: 11, backend: 'cpu', message: null, crash: null, resumable: [] };
  const lab: LocalLab & { closed: boolean } = {
    closed: false,
    call: async (command) => ({ from: 'local', command }),
    onEvent: (l) => (events.add(l), () => void events.delete(l)),
    onStatus: (l) => (statuses.add(l), () => void statuses.delete(l)),
    status: () => status,
    close: async () => void (lab.closed = true),
  };
  return {
    lab,
    emit: (e: WireEvent) => events.forEach((l) => l(e)),
    setStatus: (s: Partial<LabProcessStatus>) => {
      status = { ...status, ...s };
      statuses.forEach((l) => l(status));
    },
  };
}

let dir: string;
let service: LabService;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'colt-router-'));
  service = new LabService({ dataDir: dir, libraryPath: path.join(dir, 'library.sqlite') });
  server = await startServer({ handler: service, port: 0, token: 'remote-token' });
  service.onEvent((e) => server.broadcast(e));
});
afterAll(async () => {
  await server.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

function window() {
  const local = localLab();
  const router = new LabRouter(local.lab);
  const pair = createIpcPair(policy.startUrl);
  registerIpc(pair.ipcMain, router, { isTrustedSender: policy.isTrusted, eventTargets: () => [pair.webContents] });
  const unregister = registerConnectionIpc(pair.ipcMain, router, { isTrustedSender: policy.isTrusted, openRemote: (t) => connectRemoteLab(t, { reconnectMs: 50 }), eventTargets: () => [pair.webContents] });
  const bridge = buildBridge(pair.ipcRenderer, { getPathForFile: () => '' }, Object.keys(COMMANDS));
  const seen: LabConnection[] = [];
  const events: WireEvent[] = [];
  bridge.lab.onStatus((c) => seen.push(c));
  bridge.onEvent((e) => events.push(e));
  return { local, router, pair, bridge, seen, events, unregister };
}

describe('the window and its lab', () => {
  it('starts on the local lab: calls and events go to and come from it, labelled local', async () => {
    const w = window();
    const c = await w.bridge.lab.status();
    expect(c).toMatchObject({ kind: 'local', label: 'local', state: 'ready', url: null });
    expect(await w.bridge.commands['runs.list']({})).toEqual({ ok: true, output: { from: 'local', command: 'runs.list' } });
    w.local.emit({ event: 'run.progress', payload: { runId: 1 } });
    expect(w.events).toHaveLength(1);
  });

  it('tells the window about a crash and restart of the local lab', () => {
    const w = window();
    w.local.setStatus({ state: 'restarting', message: 'the lab process stopped unexpectedly (exit code 9); restarting it', crash: { at: '2026-01-01T00:00:00.000Z', reason: 'exit code 9', restarts: 1 } });
    expect(w.seen.at(-1)).toMatchObject({ kind: 'local', state: 'restarting', crash: { reason: 'exit code 9' } });
    w.local.setStatus({ state: 'ready', message: null, resumable: [3, 4] });
    expect(w.seen.at(-1)).toMatchObject({ state: 'ready', resumable: [3, 4], crash: { restarts: 1 } });
  });

  it('connects to a colt serve with URL and token: calls go there, labelled user@host:port, local events stop', async () => {
    const w = window();
    const reply = await w.bridge.lab.connect(`${server.url}/?token=remote-token`, '');
    const info = (await service.call('system.info', {})) as { user: string; hostname: string };
    expect(reply).toMatchObject({ ok: true, output: { kind: 'remote', label: `${info.user}@${info.hostname}:${server.port}`, url: server.url } });
    expect(JSON.stringify(reply)).not.toContain('remote-token');
    const remoteInfo = await w.bridge.commands['system.info']({});
    expect(remoteInfo).toEqual({ ok: true, output: info });
    w.local.emit({ event: 'run.progress', payload: { runId: 1 } });
    expect(w.events).toHaveLength(0);
    // Events of the remote lab reach the window over its socket.
    for (let i = 0; i < 400 && w.events.length === 0; i++) {
      server.broadcast({ event: 'run.finished', payload: { runId: 2 } });
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(w.events[0]).toEqual({ event: 'run.finished', payload: { runId: 2 } });

    const back = await w.bridge.lab.disconnect();
    expect(back).toMatchObject({ ok: true, output: { kind: 'local', label: 'local' } });
    expect(await w.bridge.commands['runs.list']({})).toMatchObject({ ok: true, output: { from: 'local' } });
    expect(w.seen.map((c) => c.kind)).toEqual(['remote', 'local']);
    expect(w.local.lab.closed).toBe(false);
  });

  it('answers a bad URL or token as an error naming the field, and stays on the local lab', async () => {
    const w = window();
    expect(await w.bridge.lab.connect('not a url', 'x')).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining("field 'url'") } });
    expect(await w.bridge.lab.connect(server.url, 'wrong-token')).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining("field 'token'") } });
    expect((await w.bridge.lab.status()).kind).toBe('local');
    expect(w.seen).toEqual([]);
  });

  it('refuses connection requests from pages that are not the app', async () => {
    const w = window();
    w.pair.frame.url = 'https://evil.example/';
    expect(await w.bridge.lab.connect(server.url, 'remote-token')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await expect(w.bridge.lab.status()).rejects.toThrow(/may not call the lab/);
    w.pair.frame.url = policy.startUrl;
    w.unregister();
    await expect(w.bridge.lab.status()).rejects.toThrow(/No handler registered/);
  });

  it('replaces the local lab on a library switch and closes both on quit', async () => {
    const w = window();
    const next = localLab();
    const previous = w.router.replaceLocal(next.lab);
    expect(previous).toBe(w.local.lab);
    w.local.emit({ event: 'run.progress', payload: { runId: 1 } });
    next.emit({ event: 'run.progress', payload: { runId: 2 } });
    expect(w.events.map((e) => (e.payload as { runId: number }).runId)).toEqual([2]);
    await w.router.close();
    expect(next.lab.closed).toBe(true);
  });
});
