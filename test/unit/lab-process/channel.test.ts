// The lab process's carriers. Electron's parentPort cannot exist here, so a stand-in with its
// surface (message events carrying `data`, postMessage) carries serveLab — the same code the
// utility process runs — over a real LabService; Node's IPC carrier is driven for real by
// test/integration/lab-process/.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelOfThisProcess, nodeIpcChannel, parentPortChannel } from '../../../main/lab-process/channel.js';
import { parseHostMessage, parseLabMessage, type LabMessage } from '../../../main/lab-process/protocol.js';
import { serveLab } from '../../../main/lab-process/serve-lab.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'colt-channel-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Electron's ParentPort as the utility process sees it: 'message' events whose `data` is the message. */
class FakeParentPort extends EventEmitter {
  readonly posted: LabMessage[] = [];
  postMessage(message: unknown): void {
    this.posted.push(structuredClone(message) as LabMessage);
  }
  fromHost(message: unknown): void {
    this.emit('message', { data: structuredClone(message), ports: [] });
  }
}

async function next(port: FakeParentPort, kind: LabMessage['kind']): Promise<LabMessage> {
  for (let i = 0; i < 600; i++) {
    const m = port.posted.find((x) => x.kind === kind);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${kind} message; got ${JSON.stringify(port.posted.map((m) => m.kind))}`);
}

describe('serveLab over an Electron-style parentPort', () => {
  it('opens the lab, answers calls with the contract shapes, refuses malformed ones, and closes', async () => {
    const port = new FakeParentPort();
    const exit = vi.fn();
    const served = serveLab(parentPortChannel(port, exit), { log: () => undefined });
    port.fromHost({ kind: 'call', id: 1, command: 'system.info', input: {} });
    expect(await next(port, 'reply')).toMatchObject({ id: 1, ok: false, error: { message: 'system.info: the lab process has not been opened' } });
    port.posted.length = 0;
    port.fromHost({ kind: 'open', options: { dataDir: dir, libraryPath: path.join(dir, 'library.sqlite'), backend: 'cpu' } });
    expect(await next(port, 'ready')).toMatchObject({ backend: 'cpu', pid: process.pid, resumable: [] });
    port.fromHost({ kind: 'call', id: 2, command: 'system.info', input: {} });
    expect(await next(port, 'reply')).toMatchObject({ id: 2, ok: true, output: { libraryPath: path.join(dir, 'library.sqlite'), backend: 'cpu' } });
    port.posted.length = 0;
    port.fromHost({ kind: 'call', id: 3, command: 'runs.get', input: { id: -1 } });
    expect(await next(port, 'reply')).toMatchObject({ id: 3, ok: false, error: { code: 'invalid_input', message: expect.stringContaining("'input.id'") } });
    port.posted.length = 0;
    port.fromHost({ kind: 'call', id: 4, command: 7 });
    expect(await next(port, 'reply')).toMatchObject({ id: 4, ok: false, error: { code: 'invalid_input', message: expect.stringContaining("field 'command'") } });
    port.fromHost({ kind: 'close' });
    await served.done;
    expect(port.posted.at(-1)).toEqual({ kind: 'closed' });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
  });

  it('says why it cannot open: options that are not the protocol, naming the field', async () => {
    const port = new FakeParentPort();
    serveLab(parentPortChannel(port, () => undefined), { log: () => undefined });
    port.fromHost({ kind: 'open', options: { dataDir: dir, libraryPath: '', backend: 'cpu' } });
    expect(await next(port, 'failed')).toMatchObject({ error: { code: 'invalid_input', message: expect.stringContaining("'options.libraryPath'") } });
  });
});

describe('the carriers', () => {
  it('finds the channel of this process: parentPort in a utility process, IPC in a forked child, else none', () => {
    const port = new FakeParentPort();
    expect(channelOfThisProcess({ parentPort: port } as unknown as NodeJS.Process)?.carrier).toBe('electron-parent-port');
    const child = Object.assign(new EventEmitter(), { send: () => true, connected: true });
    expect(channelOfThisProcess(child as unknown as NodeJS.Process)?.carrier).toBe('node-ipc');
    expect(channelOfThisProcess(new EventEmitter() as unknown as NodeJS.Process)).toBeNull();
  });

  it('sends over Node IPC while connected, reports the host gone on disconnect, and disconnects at the end', () => {
    const sent: unknown[] = [];
    const proc = Object.assign(new EventEmitter(), { connected: true, send: (m: unknown) => (sent.push(m), true), disconnect: vi.fn() });
    const channel = nodeIpcChannel(proc);
    const gone = vi.fn();
    channel.onHostGone(gone);
    channel.send({ kind: 'closed' });
    expect(sent).toEqual([{ kind: 'closed' }]);
    channel.end();
    expect(proc.disconnect).toHaveBeenCalledTimes(1);
    proc.emit('disconnect');
    expect(gone).toHaveBeenCalledTimes(1);
    proc.connected = false;
    channel.send({ kind: 'closed' });
    channel.end();
    expect(sent).toHaveLength(1);
    expect(proc.disconnect).toHaveBeenCalledTimes(1);
    expect(() => nodeIpcChannel(new EventEmitter() as never)).toThrow(/no IPC channel/);
  });

  it('validates messages in both directions, naming the field', () => {
    expect(parseHostMessage({ kind: 'call', id: 1, command: 'a.b', input: {} }).ok).toBe(true);
    expect(parseHostMessage({ kind: 'pdf.done', id: 1, ok: false, error: { code: 'x', message: 'y' } }).ok).toBe(true);
    expect(parseHostMessage({ kind: 'launch' })).toMatchObject({ ok: false, reason: expect.stringContaining("field 'kind'") });
    expect(parseLabMessage({ kind: 'reply', id: 1, ok: false })).toMatchObject({ ok: false, reason: expect.stringContaining("field 'error'") });
    expect(parseLabMessage({ kind: 'ready', backend: 'cpu', backendReason: '', pid: 1, resumable: [] }).ok).toBe(true);
  });
});
