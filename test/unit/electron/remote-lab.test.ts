// The desktop app's remote lab from the main process's side: RemoteLab (Node fetch + the ws
// package, token in the Authorization header) against a real `colt serve` transport
// (startServer over a real LabService and library, on a port the OS picked, with its own token),
// and withLocalFiles reading and writing this computer's files for it. No Electron is involved.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withLocalFiles } from '../../../electron/remote-files.js';
import { connectRemoteLab, parseRemoteTarget, remoteLabel, type RemoteLab, type RemoteStatus } from '../../../electron/remote-lab.js';
import type { WireEvent } from '../../../main/contract/api.js';
import { openLibrary } from '../../../main/library/db.js';
import { exportTicketFile } from '../../../main/library/ticket-file/ticket-io.js';
import { startServer, type RunningServer } from '../../../main/server/http-server.js';
import { FileAccess } from '../../../main/service/file-access.js';
import { LabService } from '../../../main/service/lab-service.js';
import { makeTicket, storeTicket } from '../library/ticket-fixtures.js';

let root: string;
let serverDir: string;
let localDir: string;
let service: LabService;
let server: RunningServer;
let ticketFile: string;

async function until<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'colt-remote-'));
  serverDir = path.join(root, 'server');
  localDir = path.join(root, 'laptop');
  mkdirSync(serverDir);
  mkdirSync(localDir);
  // The "server" may only touch its own folder: a path on the laptop means nothing to it.
  service = new LabService({ dataDir: serverDir, libraryPath: path.join(serverDir, 'library.sqlite'), fileRoots: [serverDir] });
  server = await startServer({ handler: service, port: 0, token: 'server-token-1' });
  service.onEvent((e) => server.broadcast(e));
  // A ticket file on the laptop, made in a library of its own.
  const db = openLibrary(path.join(localDir, 'laptop.sqlite'));
  const id = storeTicket(db, makeTicket('lenet-300-100', [28, 28, 1], 10, { keep: 0.4 }), 'laptop');
  ticketFile = path.join(localDir, 'mine.safetensors');
  await exportTicketFile(db, id, ticketFile, { format: 'colt', final: false, appVersion: 'test' });
  db.close();
}, 60_000);

afterAll(async () => {
  await server?.close();
  await service?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('parseRemoteTarget', () => {
  it('takes the URL and token, or the whole URL colt serve printed', () => {
    expect(parseRemoteTarget('http://localhost:8765', ' abc ')).toEqual({ origin: 'http://localhost:8765', token: 'abc' });
    expect(parseRemoteTarget('http://127.0.0.1:8765/?token=xyz', '')).toEqual({ origin: 'http://127.0.0.1:8765', token: 'xyz' });
    expect(parseRemoteTarget('https://lab.example.org/', 't')).toEqual({ origin: 'https://lab.example.org', token: 't' });
  });

  it('refuses what cannot be a lab server, naming the field', () => {
    const cases: Array<[unknown, unknown, string]> = [
      ['', 't', "field 'url'"],
      ['localhost:8765', 't', "field 'url'"],
      ['ftp://host/', 't', "field 'url': ftp: is not http: or https:"],
      ['http://me:pw@host/', 't', "field 'url'"],
      ['http://host:1/', '', "field 'token'"],
      ['http://host:1/', 'has space', "field 'token'"],
      ['http://host:1/', 42, "field 'token'"],
    ];
    for (const [url, token, message] of cases) expect(() => parseRemoteTarget(url, token), String(url)).toThrow(message);
  });

  it('labels a server user@hostname:port', () => {
    expect(remoteLabel({ user: 'ada', hostname: 'gpu1' }, 'http://localhost:8765')).toBe('ada@gpu1:8765');
    expect(remoteLabel({ user: 'ada', hostname: 'gpu1' }, 'https://lab.example.org')).toBe('ada@gpu1:443');
  });
});

describe('RemoteLab against colt serve', () => {
  let lab: RemoteLab;
  const events: WireEvent[] = [];
  const statuses: RemoteStatus[] = [];

  it('refuses a wrong token and an address where nothing answers, naming the field', async () => {
    await expect(connectRemoteLab({ origin: server.url, token: 'wrong' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining("field 'token'") });
    const closed = await startServer({ handler: service, port: 0 });
    const gone = closed.url;
    await closed.close();
    await expect(connectRemoteLab({ origin: gone, token: 'x' }, { connectTimeoutMs: 5_000 })).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/did not answer \(ECONNREFUSED\).*ssh tunnel/) });
  });

  it('connects with the token, answers calls as the server does, and says who and where it is', async () => {
    lab = await connectRemoteLab({ origin: server.url, token: 'server-token-1' }, { reconnectMs: 50 });
    const info = (await service.call('system.info', {})) as { user: string; hostname: string; libraryPath: string };
    expect(lab.label).toBe(`${info.user}@${info.hostname}:${server.port}`);
    expect(await lab.call('system.info', {})).toEqual(info);
    expect(await lab.call('presets.list', {})).toEqual(await service.call('presets.list', {}));
    await expect(lab.call('runs.get', { id: 0 })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining("'input.id'") });
    await expect(lab.call('no.such', {})).rejects.toMatchObject({ code: 'not_found' });
  });

  it('streams the server events over a WebSocket that sends the token as a header', async () => {
    lab.onStatus((s) => statuses.push(s));
    lab.onEvent((e) => events.push(e));
    // The socket is open once the server's broadcast reaches it.
    await until('an event', () => {
      server.broadcast({ event: 'run.finished', payload: { runId: 9 } });
      return events.length > 0;
    });
    expect(events[0]).toEqual({ event: 'run.finished', payload: { runId: 9 } });
  });

  it('reads a dropped local file and uploads its bytes; the server never sees the laptop path', async () => {
    const files = new FileAccess([localDir]);
    const remote = withLocalFiles(lab, { files });
    // Asked directly, the server refuses the path: it is outside its folders (and on another disk).
    await expect(lab.call('tickets.import', { path: ticketFile })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('outside the folders') });
    const imported = (await remote.call('tickets.import', { path: ticketFile })) as { ticketId: number; duplicate: boolean; ticket: { arch: string } };
    expect(imported).toMatchObject({ duplicate: false, ticket: { arch: 'lenet-300-100' } });
    expect(((await service.call('tickets.list', {})) as { id: number }[]).map((t) => t.id)).toContain(imported.ticketId);
    // Exported to a laptop path: the server's bytes, written here.
    const out = path.join(localDir, 'back.safetensors');
    const written = (await remote.call('tickets.export', { id: imported.ticketId, path: out })) as { path: string; size: number; bytes: null };
    const direct = (await service.call('tickets.export', { id: imported.ticketId })) as { bytes: string };
    expect(written).toMatchObject({ path: out, bytes: null });
    // Buffer.equals: vitest's deep equality walks a megabyte byte by byte.
    expect(readFileSync(out).equals(Buffer.from(direct.bytes, 'base64'))).toBe(true);
    // The remote carries the label and status of the lab it wraps.
    expect(remote.label).toBe(lab.label);
    expect(remote.status().state).toBe('ready');
  });

  it('refuses local files outside the allowed folders, folders and files over the upload limit', async () => {
    const remote = withLocalFiles(lab, { files: new FileAccess([localDir]), maxUploadBytes: 1000 });
    await expect(remote.call('tickets.import', { path: '/etc/hostname' })).rejects.toMatchObject({ message: expect.stringMatching(/field 'path': .*outside the folders|no such file/) });
    await expect(remote.call('tickets.import', { path: localDir })).rejects.toMatchObject({ message: expect.stringContaining('is a folder; only regular files are read') });
    await expect(remote.call('tickets.import', { path: ticketFile })).rejects.toMatchObject({ message: expect.stringContaining('over the 1000-byte limit for a ticket sent to a lab server') });
    await expect(remote.call('tickets.import', { path: 'relative.safetensors' })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining("'input.path'") });
    await expect(remote.call('tickets.export', { id: 1, path: path.join(root, 'elsewhere.safetensors') })).rejects.toMatchObject({ message: expect.stringContaining('outside the folders') });
    expect(existsSync(path.join(root, 'elsewhere.safetensors'))).toBe(false);
  });

  it('reports the event stream lost when the server goes, and back when it returns on the same port', async () => {
    const port = server.port;
    await server.close();
    await until('disconnected', () => statuses.some((s) => s.state === 'disconnected'));
    expect(lab.status().message).toMatch(/reconnecting to http:\/\/127\.0\.0\.1:\d+/);
    server = await startServer({ handler: service, port, token: 'server-token-1' });
    await until('ready again', () => lab.status().state === 'ready');
    await lab.close();
    expect(lab.status().state).toBe('closed');
    await expect(lab.call('system.info', {})).rejects.toMatchObject({ message: expect.stringContaining('the connection was closed') });
  });
});
