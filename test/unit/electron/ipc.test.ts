// Electron's ipcMain/ipcRenderer are replaced by the in-process pair (test/helpers/ipc-pair.ts): the
// only mock is at that boundary. Where the lab matters, a real LabService over a temp folder answers.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commandChannel, EVENT_CHANNEL } from '../../../electron/channels.js';
import { registerIpc, senderRefusal, toWireError } from '../../../electron/ipc.js';
import type { LabHost } from '../../../electron/lab-host.js';
import { rendererPolicy } from '../../../electron/security.js';
import { COMMANDS, type WireEvent } from '../../../main/contract/api.js';
import { LabError } from '../../../main/contract/errors.js';
import { LabService } from '../../../main/service/lab-service.js';
import { createIpcPair } from '../../helpers/ipc-pair.js';

const INDEX = path.resolve('/opt/colt/renderer/dist/index.html');
const APP_URL = new URL(`file://${INDEX}`).href;
const policy = rendererPolicy(INDEX);

/** A minimal fake service for the transport mechanics: records calls, emits events on demand. */
function fakeService(answer: (command: string, input: unknown) => Promise<unknown>) {
  const listeners = new Set<(e: WireEvent) => void>();
  const calls: Array<[string, unknown]> = [];
  const service: LabHost = {
    call: (command, input) => {
      calls.push([command, input]);
      return answer(command, input);
    },
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: async () => undefined,
  };
  return { service, calls, emit: (e: WireEvent) => listeners.forEach((l) => l(e)), listenerCount: () => listeners.size };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'colt-ipc-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('registerIpc', () => {
  it('registers one handler per contract command, on colt:<command>', () => {
    const pair = createIpcPair(APP_URL);
    registerIpc(pair.ipcMain, fakeService(async () => null).service, { isTrustedSender: policy.isTrusted });
    expect([...pair.ipcMain.handlers.keys()].sort()).toEqual(Object.keys(COMMANDS).map(commandChannel).sort());
  });

  it('answers a command from the app page with {ok: true, output} from a real LabService', async () => {
    const pair = createIpcPair(APP_URL);
    const service = new LabService({ dataDir: dir, libraryPath: path.join(dir, 'library.sqlite') }) as unknown as LabHost;
    registerIpc(pair.ipcMain, { call: (c, i) => service.call(c, i), onEvent: () => () => undefined, close: async () => undefined }, { isTrustedSender: policy.isTrusted });
    const reply = await pair.ipcRenderer.invoke(commandChannel('system.info'), {});
    expect(reply.ok).toBe(true);
    expect(reply.output.libraryPath).toBe(path.join(dir, 'library.sqlite'));
  });

  it('refuses a sender that is not the app page with code forbidden, without calling the lab', async () => {
    const pair = createIpcPair('https://evil.example/');
    const fake = fakeService(async () => 'secret');
    registerIpc(pair.ipcMain, fake.service, { isTrustedSender: policy.isTrusted });
    const reply = await pair.ipcRenderer.invoke(commandChannel('system.info'), {});
    expect(reply).toEqual({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('https://evil.example') } });
    expect(fake.calls).toEqual([]);
  });

  it('refuses a file:// page outside the built renderer and a subframe of the app page', async () => {
    const pair = createIpcPair('file:///home/user/Downloads/page.html');
    const fake = fakeService(async () => 'x');
    registerIpc(pair.ipcMain, fake.service, { isTrustedSender: policy.isTrusted });
    expect((await pair.ipcRenderer.invoke(commandChannel('presets.list'))).error.code).toBe('forbidden');
    pair.frame.url = APP_URL;
    pair.frame.parent = { url: APP_URL, parent: null };
    expect((await pair.ipcRenderer.invoke(commandChannel('presets.list'))).error.code).toBe('forbidden');
    pair.frame.parent = null;
    expect((await pair.ipcRenderer.invoke(commandChannel('presets.list'))).ok).toBe(true);
  });

  it('answers bad input with invalid_input naming the field (validated by LabService.call)', async () => {
    const pair = createIpcPair(APP_URL);
    const service = new LabService({ dataDir: dir, libraryPath: path.join(dir, 'library.sqlite') });
    registerIpc(pair.ipcMain, { call: (c, i) => service.call(c, i), onEvent: () => () => undefined, close: async () => undefined }, { isTrustedSender: policy.isTrusted });
    const reply = await pair.ipcRenderer.invoke(commandChannel('system.info'), { bogus: 1 });
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('invalid_input');
    expect(reply.error.message).toContain("field 'input'");
    expect(reply.error.message).toContain('bogus');
  });

  it('maps a LabError to its {code, message} and anything else to internal; never rejects', async () => {
    const pair = createIpcPair(APP_URL);
    let err: unknown = new LabError('not_found', 'run 12 not found');
    registerIpc(pair.ipcMain, fakeService(async () => Promise.reject(err)).service, { isTrustedSender: policy.isTrusted });
    expect(await pair.ipcRenderer.invoke(commandChannel('datasets.list'), {})).toEqual({ ok: false, error: { code: 'not_found', message: 'run 12 not found' } });
    err = new TypeError('boom');
    expect(await pair.ipcRenderer.invoke(commandChannel('datasets.list'), {})).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
    err = 'a string';
    expect(await pair.ipcRenderer.invoke(commandChannel('datasets.list'), {})).toEqual({ ok: false, error: { code: 'internal', message: 'a string' } });
  });

  it('forwards lab events on colt:event to trusted, live windows only', () => {
    const app = createIpcPair(APP_URL);
    const foreign = createIpcPair('https://evil.example/');
    const dead = createIpcPair(APP_URL);
    dead.webContents.destroyed = true;
    const fake = fakeService(async () => null);
    const onError = vi.fn();
    registerIpc(app.ipcMain, fake.service, { isTrustedSender: policy.isTrusted, eventTargets: () => [app.webContents, foreign.webContents, dead.webContents], onError });
    const got: unknown[] = [];
    const seen = (_e: unknown, m: unknown) => got.push(m);
    app.ipcRenderer.on(EVENT_CHANNEL, seen);
    const leaked = vi.fn();
    foreign.ipcRenderer.on(EVENT_CHANNEL, leaked);
    fake.emit({ event: 'run.progress', payload: { job: 'j1', seq: 1 } });
    expect(got).toEqual([{ event: 'run.progress', payload: { job: 'j1', seq: 1 } }]);
    expect(leaked).not.toHaveBeenCalled();
    expect(onError).not.toHaveBeenCalled();
  });

  it('unregisters every handler and the event subscription', async () => {
    const pair = createIpcPair(APP_URL);
    const fake = fakeService(async () => null);
    const unregister = registerIpc(pair.ipcMain, fake.service, { isTrustedSender: policy.isTrusted });
    expect(fake.listenerCount()).toBe(1);
    unregister();
    expect(pair.ipcMain.handlers.size).toBe(0);
    expect(fake.listenerCount()).toBe(0);
    await expect(pair.ipcRenderer.invoke(commandChannel('system.info'), {})).rejects.toThrow(/No handler registered/);
  });
});

describe('senderRefusal and toWireError', () => {
  it('refuses a gone frame', () => {
    expect(senderRefusal({ senderFrame: null }, () => true)).toMatch(/gone/);
  });
  it('keeps the LabError code', () => {
    expect(toWireError(new LabError('busy', 'a run is active'))).toEqual({ code: 'busy', message: 'a run is active' });
  });
});
