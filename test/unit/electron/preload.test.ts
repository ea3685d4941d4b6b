// The preload bridge over the in-process ipc pair (Electron's ipcRenderer/ipcMain replaced at that
// boundary only), talking to registerIpc and a real LabService; and the compiled preload run the
// way a sandboxed preload runs: a CommonJS script whose `require` knows only 'electron'.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as channels from '../../../electron/channels.js';
import { registerIpc } from '../../../electron/ipc.js';
import type { LabHost } from '../../../electron/lab-host.js';
import { buildBridge, commandNamesFromArgv } from '../../../electron/preload/preload.js';
import { rendererPolicy } from '../../../electron/security.js';
import { COMMANDS, type WireEvent } from '../../../main/contract/api.js';
import { LabService } from '../../../main/service/lab-service.js';
import { createIpcPair } from '../../helpers/ipc-pair.js';

const INDEX = path.resolve('/opt/colt/renderer/dist/index.html');
const APP_URL = new URL(`file://${INDEX}`).href;
const NAMES = Object.keys(COMMANDS);
const webUtils = { getPathForFile: (f: File) => `/real/${f.name}` };

let dir: string;
let emit: (e: WireEvent) => void;
let lab: LabHost;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'colt-preload-'));
  const service = new LabService({ dataDir: dir, libraryPath: path.join(dir, 'library.sqlite') });
  const listeners = new Set<(e: WireEvent) => void>();
  emit = (e) => listeners.forEach((l) => l(e));
  lab = { call: (c, i) => service.call(c, i), onEvent: (l) => (listeners.add(l), () => void listeners.delete(l)), close: async () => undefined };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function connected() {
  const pair = createIpcPair(APP_URL);
  registerIpc(pair.ipcMain, lab, { isTrustedSender: rendererPolicy(INDEX).isTrusted, eventTargets: () => [pair.webContents] });
  return { pair, bridge: buildBridge(pair.ipcRenderer, webUtils, NAMES) };
}

describe('buildBridge', () => {
  it('has one function per contract command and host electron', () => {
    const { bridge } = connected();
    expect(Object.keys(bridge.commands).sort()).toEqual([...NAMES].sort());
    for (const name of NAMES) expect(typeof (bridge.commands as Record<string, unknown>)[name]).toBe('function');
    expect(bridge.host).toBe('electron');
  });

  it('runs a command through IPC and gets the same answer as calling the lab directly', async () => {
    const { bridge } = connected();
    const direct = await lab.call('presets.list', {});
    const reply = await bridge.commands['presets.list']({});
    expect(reply).toEqual({ ok: true, output: direct });
  });

  it('answers bad input as {ok: false, error: invalid_input} naming the field, never a rejection', async () => {
    const { bridge } = connected();
    const reply = await (bridge.commands['experiments.validate'] as (i: unknown) => Promise<unknown>)({ config: {}, extra: true });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('extra') } });
  });

  it('turns a failed IPC (no handler) into {ok: false, error: internal}', async () => {
    const pair = createIpcPair(APP_URL);
    const bridge = buildBridge(pair.ipcRenderer, webUtils, ['ghost.command']);
    const reply = await (bridge.commands as unknown as Record<string, () => Promise<unknown>>)['ghost.command']();
    expect(reply).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('ghost.command') } });
  });

  it('delivers lab events to onEvent listeners (without the IPC event object) until they unsubscribe', () => {
    const { pair, bridge } = connected();
    const got: WireEvent[] = [];
    const off = bridge.onEvent((e) => got.push(e));
    emit({ event: 'run.finished', payload: { job: 'j', status: 'finished' } });
    expect(got).toEqual([{ event: 'run.finished', payload: { job: 'j', status: 'finished' } }]);
    off();
    emit({ event: 'run.finished', payload: { job: 'k' } });
    expect(got).toHaveLength(1);
    expect(pair.ipcRenderer.listenerCount(channels.EVENT_CHANNEL)).toBe(0);
  });

  it('delivers menu messages on colt:menu to onMenu listeners', () => {
    const { pair, bridge } = connected();
    const got = vi.fn();
    const off = bridge.onMenu(got);
    pair.webContents.send(channels.MENU_CHANNEL, { action: 'tickets.import', paths: ['/t/a.safetensors'] });
    expect(got).toHaveBeenCalledWith({ action: 'tickets.import', paths: ['/t/a.safetensors'] });
    off();
    expect(pair.ipcRenderer.listenerCount(channels.MENU_CHANNEL)).toBe(0);
  });

  it('gives the real path of a dropped file through webUtils', () => {
    const { bridge } = connected();
    expect(bridge.pathForFile({ name: 'ticket.safetensors' } as File)).toBe('/real/ticket.safetensors');
  });
});

describe('commandNamesFromArgv', () => {
  it('reads the --colt-commands= argument and drops anything that is not noun.verb', () => {
    expect(commandNamesFromArgv(['/x/electron', '--type=renderer', `${channels.COMMANDS_ARGUMENT}system.info,runs.list,bad name,../x`])).toEqual(['system.info', 'runs.list']);
    expect(commandNamesFromArgv(['--type=renderer'])).toEqual([]);
  });
});

describe('the compiled preload in a sandbox-like wrapper', () => {
  const source = readFileSync(path.resolve('electron/preload/preload.ts'), 'utf8');

  it('uses the same channel literals as electron/channels.ts', () => {
    const literals = Object.entries(channels as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
    expect(literals.length).toBeGreaterThanOrEqual(7);
    for (const [name, value] of literals) expect(source, name).toContain(`const ${name} = '${value}'`);
  });

  it('requires nothing but electron and exposes window.coltLab with the commands passed in argv', async () => {
    // Compiled as electron/tsconfig.build.json compiles it: CommonJS (electron/preload/package.json).
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const pair = createIpcPair(APP_URL);
    registerIpc(pair.ipcMain, lab, { isTrustedSender: rendererPolicy(INDEX).isTrusted });
    const exposed: Record<string, unknown> = {};
    const required: string[] = [];
    const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) }, ipcRenderer: pair.ipcRenderer, webUtils };
    const sandboxRequire = (id: string): unknown => {
      required.push(id);
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    const fakeProcess = { type: 'renderer', argv: ['/opt/colt/colt-lab', `--colt-commands=${NAMES.join(',')}`] };
    vm.runInNewContext(`(function (require, process, exports, module) {${js}\n})`, {})(sandboxRequire, fakeProcess, module.exports, module);
    expect(required).toEqual(['electron']);
    const bridge = exposed.coltLab as ReturnType<typeof buildBridge>;
    expect(Object.keys(bridge.commands).sort()).toEqual([...NAMES].sort());
    expect(await bridge.commands['system.info']({})).toMatchObject({ ok: true, output: { libraryPath: path.join(dir, 'library.sqlite') } });
  });
});
