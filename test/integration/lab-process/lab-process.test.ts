// The desktop app's lab out of Electron's main process (issue 17, Must show). Electron cannot start
// on the build machines, so two boundaries are stood in for, and only those: the utilityProcess is a
// plain Node child process running the same compiled entry (dist/main/lab-process/main.js) over
// Node's IPC channel (test/helpers/node-lab-link.ts), and ipcMain/ipcRenderer are the in-process
// pair (test/helpers/ipc-pair.ts). Everything between them is the real code: the preload bridge,
// the contract's IPC relay, the connection channel, LabRouter, LabSupervisor, and in the child
// LabService with its worker-thread job pool writing a real SQLite library.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ColtLabBridge, LabConnection } from '../../../electron/bridge-types.js';
import { registerConnectionIpc } from '../../../electron/connection-ipc.js';
import { registerIpc } from '../../../electron/ipc.js';
import { LabRouter } from '../../../electron/lab-router.js';
import { LabSupervisor } from '../../../electron/lab-supervisor.js';
import { buildBridge } from '../../../electron/preload/preload.js';
import { withLocalFiles } from '../../../electron/remote-files.js';
import { rendererPolicy } from '../../../electron/security.js';
import { COMMANDS, type WireEvent } from '../../../main/contract/api.js';
import { LabError } from '../../../main/contract/errors.js';
import { FileAccess } from '../../../main/service/file-access.js';
import { ROOT, tempHome } from '../../helpers/cli.js';
import { createIpcPair } from '../../helpers/ipc-pair.js';
import { LAB_PROCESS_ENTRY, nodeLabSpawner } from '../../helpers/node-lab-link.js';

const INDEX = path.join(ROOT, 'renderer', 'dist', 'index.html');
const policy = rendererPolicy(INDEX);
// The Node build of better-sqlite3, handed over as the desktop app hands over its Electron-ABI build.
const NODE_BINDING = path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
/** Four rounds (dense + 3 pruning rounds) of a few seconds each on the bundled sample. */
const CONFIG = {
  name: 'lab-process',
  arch: 'lenet-300-100',
  dataset: 'fashion-mnist-sample',
  methods: ['imp'],
  seeds: [0],
  data: { trainLimit: 600, testLimit: 200, validationFraction: 0.1 },
  training: { duration: '60it', batchSize: 30 },
  stop: { maxRounds: 3 },
};
// Electron's printToPDF runs in a window of the main process, which cannot open here: this stand-in
// answers with fixed bytes so the test can see them come back through the lab process.
const FAKE_PDF = Buffer.from('%PDF-1.7 printed by the host\n');

let home: string;
let spawn: ReturnType<typeof nodeLabSpawner>;
let lab: LabSupervisor;
let router: LabRouter;
let bridge: ColtLabBridge;
const events: WireEvent[] = [];
const statuses: LabConnection[] = [];
const printed: string[] = [];

function open(env: Record<string, string>): { lab: LabSupervisor; spawn: ReturnType<typeof nodeLabSpawner> } {
  const s = nodeLabSpawner({ COLT_HOME: home, ...env });
  const l = new LabSupervisor({
    spawn: s,
    open: { dataDir: home, libraryPath: path.join(home, 'library.sqlite'), fileRoots: [home] },
    printPdf: async (html) => (printed.push(html), FAKE_PDF),
    restartDelayMs: 100,
  });
  return { lab: l, spawn: s };
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 240_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nlab process stderr:\n${spawn.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function call<T>(command: string, input: unknown): Promise<T> {
  const reply = await (bridge.commands as unknown as Record<string, (i: unknown) => Promise<{ ok: boolean; output?: T; error?: { code: string; message: string } }>>)[command](input);
  if (!reply.ok) throw new LabError('internal', `${command}: ${reply.error?.code}: ${reply.error?.message}`);
  return reply.output as T;
}

// Each step starts lab processes and trains; on a loaded 2-core machine that takes minutes, not seconds.
describe('the lab in its own process, relayed to the window', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    expect(existsSync(LAB_PROCESS_ENTRY), 'npm run build makes dist/main/lab-process/main.js').toBe(true);
    home = tempHome();
    ({ lab, spawn } = open({ COLT_SQLITE_BINDING: NODE_BINDING }));
    await lab.start();
    router = new LabRouter(lab);
    const pair = createIpcPair(policy.startUrl);
    registerIpc(pair.ipcMain, router, { isTrustedSender: policy.isTrusted, eventTargets: () => [pair.webContents] });
    registerConnectionIpc(pair.ipcMain, router, {
      isTrustedSender: policy.isTrusted,
      openRemote: () => Promise.reject(new LabError('invalid_input', 'no remote lab in this test')),
      eventTargets: () => [pair.webContents],
    });
    bridge = buildBridge(pair.ipcRenderer, { getPathForFile: () => '' }, Object.keys(COMMANDS));
    bridge.onEvent((e) => events.push(e));
    bridge.lab.onStatus((c) => statuses.push(c));
  }, 120_000);

  afterAll(async () => {
    await router?.close();
    for (const child of spawn?.children ?? []) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('answers the contract from a child process that loaded better-sqlite3 through COLT_SQLITE_BINDING', async () => {
    const info = await call<{ libraryPath: string; backend: string; user: string; hostname: string }>('system.info', {});
    expect(info.libraryPath).toBe(path.join(home, 'library.sqlite'));
    expect(info.backend).toBe(lab.status().backend);
    const child = spawn.children[0];
    expect(lab.status()).toMatchObject({ state: 'ready', pid: child.pid, crash: null });
    expect(child.pid).not.toBe(process.pid);
    expect(await bridge.lab.status()).toMatchObject({ kind: 'local', label: 'local', state: 'ready', url: null });
    // Bad input is refused by the lab's own boundary, naming the field, as over HTTP.
    const bad = await (bridge.commands['runs.get'] as (i: unknown) => Promise<unknown>)({ id: 'one' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining("'input.id'") } });
  });

  it('reports a SIGKILL of the lab process in the window, restarts it, and a resume finishes the run', async () => {
    const created = await call<{ experiment: { id: number }; runs: { id: number }[] }>('experiments.create', { config: CONFIG });
    const runId = created.runs[0].id;
    await until('the first stored round', () => events.some((e) => e.event === 'run.roundDone' && (e.payload as { runId: number }).runId === runId));
    const first = spawn.children[0];
    first.kill('SIGKILL');

    // The window hears of it on the connection channel, with the reason.
    const restarting = await until('the restarting status', () => statuses.find((s) => s.state === 'restarting'));
    expect(restarting.crash).toMatchObject({ reason: 'signal SIGKILL', restarts: 1 });
    expect(restarting.message).toContain('SIGKILL');
    // A call made meanwhile waits for the new lab process and is answered by it.
    const during = await call<{ run: { status: string; roundsDone: number } }>('runs.get', { id: runId });
    expect(spawn.children).toHaveLength(2);
    expect(lab.status()).toMatchObject({ state: 'ready', pid: spawn.children[1].pid });
    // The new lab process found the run its predecessor left `running` and marked it interrupted.
    expect(during.run.status).toBe('interrupted');
    expect(during.run.roundsDone).toBeGreaterThanOrEqual(1);
    expect(during.run.roundsDone).toBeLessThan(4);
    const ready = await until('the ready status after the restart', () => statuses.find((s) => s.state === 'ready' && s.crash !== null));
    expect(ready.resumable).toContain(runId);

    await call('runs.resume', { runId });
    await until('run.finished', () => events.some((e) => e.event === 'run.finished' && (e.payload as { runId: number }).runId === runId));
    const done = await call<{ run: { status: string }; rounds: { round: number; ticketId: number | null }[] }>('runs.get', { id: runId });
    expect(done.run.status).toBe('finished');
    // Every round once, in order, each with its ticket: nothing lost, nothing repeated.
    expect(done.rounds.map((r) => r.round)).toEqual([0, 1, 2, 3]);
    expect(done.rounds.every((r) => r.ticketId !== null)).toBe(true);
  });

  it('prints a report to PDF through the host, as the desktop app does with printToPDF', async () => {
    const experiments = await call<{ id: number }[]>('experiments.list', {});
    const report = await call<{ title: string; pdf: string | null }>('reports.create', { experimentId: experiments[0].id, pdf: true });
    expect(Buffer.from(report.pdf ?? '', 'base64')).toEqual(FAKE_PDF);
    expect(printed.at(-1)).toContain(report.title);
  });

  it('writes a report on this computer when the lab is remote: made by the lab, files and PDF written here', async () => {
    // withLocalFiles is what main.ts wraps a remote lab in; wrapped around this lab it shows the same half-here work.
    const laptop = path.join(home, 'laptop');
    mkdirSync(laptop);
    const remote = withLocalFiles(lab, { files: new FileAccess([laptop]), printPdf: async () => FAKE_PDF });
    const experiments = await call<{ id: number }[]>('experiments.list', {});
    const file = path.join(laptop, 'paper.html');
    const out = (await remote.call('reports.create', { experimentId: experiments[0].id, path: file, pdf: true })) as { files: string[]; html: string };
    expect(out.files).toEqual([file, path.join(laptop, 'paper.csv'), path.join(laptop, 'paper.pdf')]);
    expect(readFileSync(file, 'utf8')).toBe(out.html);
    expect(readFileSync(path.join(laptop, 'paper.pdf')).equals(FAKE_PDF)).toBe(true);
    await expect(remote.call('reports.create', { experimentId: experiments[0].id, path: file })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('exists; pass force'), details: { reason: 'exists' } });
    // csv: false writes the HTML alone, here as in the lab.
    const htmlOnly = path.join(laptop, 'html-only.html');
    const alone = (await remote.call('reports.create', { experimentId: experiments[0].id, path: htmlOnly, csv: false })) as { files: string[] };
    expect(alone.files).toEqual([htmlOnly]);
    expect(existsSync(path.join(laptop, 'html-only.csv'))).toBe(false);
  });

  it('fails the calls in flight when the lab process dies, naming the command and the stop', async () => {
    const child = spawn.children.at(-1)!;
    // tickets.masks of every ticket in turn keeps the lab busy long enough for the kill to land mid-call.
    const tickets = await call<{ id: number }[]>('tickets.list', {});
    const inFlight = Promise.all(tickets.map((t) => lab.call('tickets.masks', { id: t.id }).then(() => 'answered', (e: Error) => e.message)));
    await new Promise((r) => setImmediate(r)); // the calls are on their way
    child.kill('SIGKILL');
    const outcomes = await inFlight;
    const failed = outcomes.filter((o) => o !== 'answered');
    expect(failed.length).toBeGreaterThan(0);
    for (const message of failed) expect(message).toMatch(/tickets\.masks: the lab process stopped \(signal SIGKILL\) before answering/);
    await until('the second restart', () => lab.status().state === 'ready' && lab.status().crash?.restarts === 2 && true);
    expect(spawn.children).toHaveLength(3);
  });

  it('closes cleanly: running jobs pause (interrupted, resumable) and the lab process exits 0', async () => {
    const created = await call<{ runs: { id: number }[] }>('experiments.create', { config: { ...CONFIG, name: 'closed mid-run' } });
    const runId = created.runs[0].id;
    await until('progress of the new run', () => events.some((e) => e.event === 'run.progress' && (e.payload as { runId: number }).runId === runId));
    const child = spawn.children.at(-1)!;
    await lab.close();
    expect(child.exitCode).toBe(0);
    expect(lab.status().state).toBe('closed');
    await expect(lab.call('system.info', {})).rejects.toMatchObject({ code: 'busy' });

    // The next start finds the paused run resumable.
    const next = open({ COLT_SQLITE_BINDING: NODE_BINDING });
    await next.lab.start();
    expect(next.lab.status().resumable).toContain(runId);
    expect(((await next.lab.call('runs.get', { id: runId })) as { run: { status: string } }).run.status).toBe('interrupted');
    await next.lab.close();
  });

  it('does not restart a lab process that cannot open its library (a missing COLT_SQLITE_BINDING file)', async () => {
    const broken = open({ COLT_SQLITE_BINDING: path.join(home, 'no-such-binding.node') });
    const error = await broken.lab.start().then(
      () => null,
      (e: LabError) => e,
    );
    // The library's open fails on loading the binding the lab process was told to use.
    expect(error?.message).toMatch(/open library .*library\.sqlite: Cannot find module '.*no-such-binding\.node'/);
    expect(broken.lab.status()).toMatchObject({ state: 'failed', crash: null });
    expect(broken.spawn.children).toHaveLength(1);
    await broken.lab.close();
  });
});
