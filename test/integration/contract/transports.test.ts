// The contract suite (issue 7, issue 17): every command of main/contract/api.ts runs through all
// three transports — `colt serve`'s HTTP + WebSocket, the desktop app's IPC to its lab process, and
// the CLI's in-process client — against real services over real copies of one library; each
// answer must parse with the command's output schema, strictly (no key the schema does not name,
// at any depth), and all three must answer the same. The IPC side is the desktop app's stack with
// two boundaries stood in for, as in test/integration/lab-process/: Electron's utilityProcess is a
// plain Node child running the compiled lab-process entry (test/helpers/node-lab-link.ts), and
// ipcMain/ipcRenderer are the in-process pair of test/helpers/ipc-pair.ts; registerIpc, the
// preload's buildBridge, LabSupervisor and, in the child, LabService run unchanged.
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildBridge } from '../../../electron/preload/preload.js';
import { registerIpc } from '../../../electron/ipc.js';
import { COMMANDS, type CommandName } from '../../../main/contract/api.js';
import { wireError } from '../../../main/contract/errors.js';
import type { WireEvent } from '../../../main/contract/api.js';
import { LabSupervisor } from '../../../electron/lab-supervisor.js';
import { openLab, type CliLab } from '../../../main/cli/lab-client.js';
import { selectBackend } from '../../../main/lab/backend/index.js';
import { startServer, type RunningServer } from '../../../main/server/http-server.js';
import { LabService } from '../../../main/service/lab-service.js';
import { tempHome } from '../../helpers/cli.js';
import { createIpcPair } from '../../helpers/ipc-pair.js';
import { nodeLabSpawner } from '../../helpers/node-lab-link.js';

type Reply = { ok: true; output: unknown } | { ok: false; error: { code: string; message: string; details?: Readonly<Record<string, unknown>> } };
type Call = (command: string, input: unknown) => Promise<Reply>;

const ORIGIN = 'file:///app/renderer/dist/index.html';
/** A tiny experiment: a few seconds of training per run on the bundled sample. */
const TINY = {
  name: 'contract',
  arch: 'lenet-300-100',
  dataset: 'fashion-mnist-sample',
  methods: ['imp', 'colt'],
  seeds: [0],
  data: { trainLimit: 600, testLimit: 200 },
  training: { duration: '20it' },
  stop: { maxRounds: 1 },
};

let home: string;
let http: { service: LabService; server: RunningServer; call: Call; events: WireEvent[]; socket: WebSocket };
let ipc: { lab: LabSupervisor; call: Call; events: WireEvent[] };
let cli: { lab: CliLab; call: Call; events: WireEvent[] };

/** Times, durations and ECharts' per-process chart counter (in SVG ids) differ between two runs of the same thing; nothing else may. */
function normalise(x: unknown): unknown {
  if (typeof x === 'string') {
    return x
      .replace(/\/(http|ipc|cli)(?=[/,)]|$)/g, '/<side>')
      .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.]+Z?/g, '<time>')
      .replace(/zr\d+-[a-z]*-?\d+/g, 'zr-id');
  }
  if (Array.isArray(x)) return x.map(normalise);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.entries(x).map(([k, v]) => {
        if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) return [k, '<time>'];
        if (['seconds', 'imagesPerSecond', 'etaSeconds', 'loss', 'seq', 'job', 'iteration', 'basis'].includes(k)) return [k, '<varies>'];
        if (k === 'libraryPath' || k === 'dataDir') return [k, '<side>'];
        return [k, normalise(v)];
      }),
    );
  }
  return x;
}

/**
 * The answer parsed with the command's output schema. The schemas are `z.object`s, which drop keys
 * they do not name rather than refuse them; strict here means the parsed answer must equal the
 * answer received, so an unnamed key at any depth (or a value the schema reshapes) fails.
 */
function parsedStrictly(command: CommandName, reply: Reply, side: string): void {
  if (!reply.ok) return;
  const parsed = COMMANDS[command].output.safeParse(reply.output);
  expect(parsed.success ? null : parsed.error.issues[0], `${command} over ${side}: the output schema refuses the answer`).toBeNull();
  expect(parsed.data, `${command} over ${side}: the answer has keys its output schema does not name`).toEqual(reply.output);
}

/** A reply as compared across transports: errors by code, message and public details. */
function comparable(r: Reply): unknown {
  return normalise(r.ok ? r : { ok: false, error: { code: r.error.code, message: r.error.message, details: r.error.details ?? {} } });
}

async function both(command: CommandName, input: unknown): Promise<{ http: Reply; ipc: Reply }> {
  const [a, b] = await Promise.all([http.call(command, input), ipc.call(command, input)]);
  parsedStrictly(command, a, 'HTTP');
  parsedStrictly(command, b, 'IPC');
  return { http: a, ipc: b };
}

/** The command on all three transports: each answer parsed strictly, all three the same. */
async function same(command: CommandName, input: unknown): Promise<unknown> {
  const [r, c] = await Promise.all([both(command, input), cli.call(command, input)]);
  parsedStrictly(command, c, 'the CLI client');
  expect(comparable(r.ipc), `${command}: IPC`).toEqual(comparable(r.http));
  expect(comparable(c), `${command}: the CLI client`).toEqual(comparable(r.http));
  if (!r.http.ok) throw new Error(`${command} failed: ${r.http.error.code}: ${r.http.error.message}`);
  return r.http.output;
}

async function idle(call: Call): Promise<void> {
  for (;;) {
    const r = await call('runs.active', {});
    if (r.ok && (r.output as unknown[]).length === 0) return;
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** A safetensors ticket file with its first θ0 value changed (a different, still valid ticket). */
function withInitChanged(file: Buffer): Buffer {
  const copy = Buffer.from(file);
  const headerLength = Number(copy.readBigUInt64LE(0));
  const header = JSON.parse(copy.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { data_offsets?: [number, number] }>;
  const init = Object.entries(header).find(([name]) => name.startsWith('init.'))![1];
  const at = 8 + headerLength + init.data_offsets![0];
  copy.writeFloatLE(copy.readFloatLE(at) + 0.5, at);
  return copy;
}

describe('the contract through HTTP, IPC to the lab process, and the CLI client', () => {
  beforeAll(async () => {
    home = tempHome();
    process.env.COLT_HOME = home;
    const backend = await selectBackend('auto');
    // One library with a finished experiment, then two identical copies: one per transport.
    // In its own folder, which clients may not write into (the Slurm sweep's folder is beside it).
    mkdirSync(path.join(home, 'seed'));
    const seedLibrary = path.join(home, 'seed', 'seed.sqlite');
    const seed = new LabService({ dataDir: home, libraryPath: seedLibrary, backend, fileRoots: [home] });
    const created = (await seed.call('experiments.create', { config: TINY })) as { experiment: { id: number } };
    await new Promise<void>((resolve) => {
      const check = async (): Promise<void> => ((await seed.call('runs.active', {})) as unknown[]).length === 0 ? resolve() : void setTimeout(check, 200);
      void check();
    });
    expect(((await seed.call('experiments.get', { id: created.experiment.id })) as { experiment: { status: string } }).experiment.status).toBe('finished');
    // A sweep recorded (not run) for the sweeps.* commands: two points, one task each.
    await seed.call('sweeps.create', { config: { ...TINY, name: 'grid', methods: ['imp'] }, axes: [{ path: 'pruning.rate', values: [0.2, 0.3] }], start: false });
    // A Slurm sweep recorded but never submitted: sweeps.get and sweeps.cancel answer it without asking Slurm (no task has a job yet).
    await seed.call('sweeps.create', { config: { ...TINY, name: 'remote', methods: ['imp'], sweep: { grid: { 'pruning.rate': [0.4] } } }, executor: 'slurm', dir: path.join(home, 'remote'), start: false });
    await seed.close();

    const side = (name: 'http' | 'ipc' | 'cli'): { dataDir: string; libraryPath: string; fileRoots: string[] } => {
      const dir = path.join(home, name);
      // The library sits in its own folder: clients never write into the library's folder.
      mkdirSync(path.join(dir, 'lib'), { recursive: true });
      copyFileSync(seedLibrary, path.join(dir, 'lib', 'library.sqlite'));
      return { dataDir: dir, libraryPath: path.join(dir, 'lib', 'library.sqlite'), fileRoots: [dir, path.join(home, 'shared')] };
    };
    mkdirSync(path.join(home, 'shared'));
    // A colleague's library for library.merge: an experiment of another config, recorded with its runs pending.
    const shardLab = new LabService({ dataDir: home, libraryPath: path.join(home, 'shared', 'colleague.sqlite'), backend, fileRoots: [home] });
    await shardLab.call('experiments.create', { config: { ...TINY, name: 'colleague', seeds: [3] }, start: false });
    await shardLab.close();

    const httpService = new LabService({ ...side('http'), backend });
    const server = await startServer({ handler: httpService, port: 0 });
    httpService.onEvent((e) => server.broadcast(e));
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/events?token=${server.token}`);
    await new Promise((r) => socket.on('open', r));
    const httpEvents: WireEvent[] = [];
    socket.on('message', (d) => httpEvents.push(JSON.parse(String(d)) as WireEvent));
    http = {
      service: httpService,
      server,
      socket,
      events: httpEvents,
      call: async (command, input) => {
        const res = await fetch(`${server.url}/api/${command}`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ input }) });
        return (await res.json()) as Reply;
      },
    };

    // The desktop app's lab: a lab process (here a Node child) behind LabSupervisor, relayed over IPC.
    const lab = new LabSupervisor({ spawn: nodeLabSpawner({ COLT_HOME: home }), open: side('ipc') });
    await lab.start();
    const pair = createIpcPair(ORIGIN);
    registerIpc(pair.ipcMain, lab, { isTrustedSender: (url) => url === ORIGIN, eventTargets: () => [pair.webContents] });
    const bridge = buildBridge(pair.ipcRenderer, { getPathForFile: () => '' }, Object.keys(COMMANDS));
    const ipcEvents: WireEvent[] = [];
    bridge.onEvent((e) => ipcEvents.push(e));
    ipc = {
      lab,
      events: ipcEvents,
      call: (command, input) => (bridge.commands as unknown as Record<string, (i: unknown) => Promise<Reply>>)[command](input),
    };

    // The CLI's client, as `colt tickets …` opens it (its user may name any file: every folder is allowed).
    const cliSide = side('cli');
    const cliLab = openLab({ library: cliSide.libraryPath, dataDir: cliSide.dataDir, backend });
    const cliEvents: WireEvent[] = [];
    cliLab.onEvent((e) => cliEvents.push(e));
    cli = {
      lab: cliLab,
      events: cliEvents,
      call: async (command, input) => {
        try {
          return { ok: true, output: await cliLab.call(command as CommandName, input as never) };
        } catch (e) {
          return { ok: false, error: wireError(e) };
        }
      },
    };
  }, 300_000);

  afterAll(async () => {
    http?.socket.close();
    await http?.server.close();
    await http?.service.close();
    await ipc?.lab.close();
    await cli?.lab.close();
  });

  // Every command of the contract has a case below; a new command without one fails this test.
  const covered = new Set<string>();
  const track = (command: CommandName): CommandName => (covered.add(command), command);

  it('answers the read commands the same', async () => {
    await same(track('system.info'), {});
    await same(track('presets.list'), {});
    await same(track('experiments.schema'), {});
    await same(track('datasets.list'), {});
    expect(await same(track('datasets.get'), { name: 'fashion-mnist-sample' })).toMatchObject({ name: 'fashion-mnist-sample', train: 12000, test: 2000, classes: 10, inputShape: [28, 28, 1] });
    await same(track('experiments.list'), {});
    await same(track('experiments.get'), { id: 1 });
    const runs = (await same(track('runs.list'), { experimentId: 1 })) as { id: number; method: string }[];
    expect(runs.map((r) => r.method).sort()).toEqual(['colt', 'imp']);
    const run = (await same(track('runs.get'), { id: runs[0].id })) as { rounds: unknown[]; curve: unknown[] };
    expect(run.rounds).toHaveLength(2);
    expect(run.curve.length).toBeGreaterThan(0);
    await same(track('runs.active'), {});
    const tickets = (await same(track('tickets.list'), { experimentId: 1 })) as { id: number; method: string; round: number }[];
    expect(tickets).toHaveLength(4);
    await same(track('tickets.get'), { id: tickets[0].id });
    const masks = (await same(track('tickets.masks'), { id: tickets[0].id, maxRows: 8, maxCols: 8 })) as { grids: { rowsShown: number; density: number[] }[] };
    expect(masks.grids.every((g) => g.rowsShown <= 8 && g.density.length <= 64)).toBe(true);
    const colt = tickets.find((t) => t.method === 'colt' && t.round === 1);
    const imp = tickets.find((t) => t.method === 'imp' && t.round === 1);
    await same(track('tickets.compare'), { a: colt?.id, b: imp?.id });
    const diff = (await same(track('tickets.diff'), { a: colt?.id, b: imp?.id, maxRows: 8, maxCols: 8 })) as { layers: { both: number; onlyA: number; onlyB: number; neither: number; weights: number }[] };
    expect(diff.layers.every((l) => l.both + l.onlyA + l.onlyB + l.neither === l.weights)).toBe(true);
    const views = (await same(track('tickets.layerViews'), { id: colt?.id, layer: 'fc1.weight' })) as { input: { rows: number; cols: number } | null };
    expect(views.input).toMatchObject({ rows: 28, cols: 28 });
    await same(track('tickets.weights'), { id: colt?.id, layer: 'fc1.weight', rowFrom: 0, rowTo: 1, colFrom: 0, colTo: 3 });
    await same(track('tickets.values'), { id: colt?.id, layer: 'head.bias', maxRows: 4, maxCols: 4 });
    const matrix = (await same(track('experiments.jaccard'), { id: 1 })) as { n: number; jaccard: number[] };
    expect(matrix.jaccard).toHaveLength(matrix.n * matrix.n);
    const cmp = (await same(track('comparisons.get'), { experimentId: 1, targets: [0.2] })) as { series: { method: string }[]; dense: unknown };
    expect(cmp.series.map((s) => s.method).sort()).toEqual(['colt', 'imp']);
    await same(track('experiments.validate'), { config: TINY });
    await same(track('experiments.validate'), { config: { ...TINY, training: { batchSize: 0 } } });
    const sweepCheck = (await same('experiments.validate', { config: { ...TINY, sweep: { grid: { 'pruning.rate': [0.2, 0.3] } } } })) as { ok: boolean; sweep: { points: number; runs: number } };
    expect(sweepCheck).toMatchObject({ ok: true, sweep: { points: 2, runs: 4 } });
    // The same settings again, not started: taken up again, nothing new recorded.
    const again = (await same(track('sweeps.create'), { config: { ...TINY, name: 'grid', methods: ['imp'], sweep: { grid: { 'pruning.rate': [0.2, 0.3] } } }, start: false })) as { sweep: { id: number }; resubmitted: boolean; points: { point: string; experimentId: number }[]; submission: unknown };
    expect(again).toMatchObject({ sweep: { id: 1 }, resubmitted: true, points: [{ point: 'pruning.rate=0.2' }, { point: 'pruning.rate=0.3' }], submission: null });
    // A point that cannot run is named, and nothing is recorded.
    const bad = await both('sweeps.create', { config: { ...TINY, name: 'bad' }, axes: [{ path: 'training.batchSize', values: [10, 0] }], start: false });
    expect(bad.http).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/point 2 .*batchSize/) } });
    expect(comparable(bad.ipc)).toEqual(comparable(bad.http));
    expect(await same(track('sweeps.list'), {})).toHaveLength(2);
    const sweep = (await same(track('sweeps.get'), { id: 1 })) as { tasks: { state: string }[]; runs: unknown[] };
    expect(sweep.tasks.map((t) => t.state)).toEqual(['pending', 'pending']);
    expect(sweep.runs).toHaveLength(2);
    // Asked to refresh now, a local sweep has no Slurm to ask: the same answer.
    expect(normalise(await same('sweeps.get', { id: 1, refresh: 'now' }))).toEqual(normalise(sweep));
    expect(await same(track('sweeps.merge'), { id: 1 })).toEqual({ sweepId: 1, shards: [], runs: [], running: [] });
    // A local sweep is stopped in its own `colt run`: refused alike.
    const cancel = await both(track('sweeps.cancel'), { id: 1, waitSeconds: 0 });
    expect(cancel.http).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('runs locally') } });
    expect(comparable(cancel.ipc)).toEqual(comparable(cancel.http));
    // The Slurm sweep: asked about now (nothing submitted, so nothing to ask Slurm), then cancelled, with no shard to merge.
    const remote = (await same('sweeps.get', { id: 2, refresh: 'now' })) as { sweep: { executor: string }; tasks: { state: string; jobId: string | null }[]; notes: string[] };
    expect(remote).toMatchObject({ sweep: { executor: 'slurm' }, tasks: [{ state: 'pending', jobId: null }], notes: [] });
    expect(await same('sweeps.cancel', { id: 2, waitSeconds: 0 })).toEqual({ sweepId: 2, cancelled: [0], shards: [], runs: [] });
    expect(((await same('sweeps.get', { id: 2 })) as { sweep: { status: string } }).sweep.status).toBe('cancelled');
  });

  it('writes the same: export, import, delete, datasets', async () => {
    const exported = (await same(track('tickets.export'), { id: 1 })) as { bytes: string; size: number };
    expect(Buffer.from(exported.bytes, 'base64').length).toBe(exported.size);
    const toFile = await both('tickets.export', { id: 1, path: path.join(home, 'shared', 'x.safetensors') });
    expect(toFile.http.ok && toFile.ipc.ok).toBe(true);
    // An exported ticket imported back is the ticket it came from (same masks and θ0).
    const back = (await same(track('tickets.import'), { name: 'x.safetensors', bytes: exported.bytes })) as { ticketId: number; duplicate: boolean };
    expect(back).toMatchObject({ ticketId: 1, duplicate: true });
    await same('tickets.import', { path: path.join(home, 'shared', 'x.safetensors') });
    // One θ0 value changed: another ticket, imported as new.
    const imported = (await same('tickets.import', { name: 'y.safetensors', bytes: withInitChanged(Buffer.from(exported.bytes, 'base64')).toString('base64') })) as { ticketId: number; duplicate: boolean };
    expect(imported.duplicate).toBe(false);
    // The file carried its accuracy and provenance (ticket 1: round 0 of run 1 of experiment 1).
    const origin = (await same('tickets.get', { id: imported.ticketId })) as { origin: { testAccuracy: number; provenance: Record<string, string> } };
    const run1 = (await same('runs.get', { id: 1 })) as { rounds: { round: number; testAccuracy: number }[] };
    expect(origin.origin.testAccuracy).toBe(run1.rounds[0].testAccuracy);
    expect(origin.origin.provenance).toMatchObject({ origin: 'run', run: '1', experiment: '1', experiment_name: 'contract' });
    // Trained on a dataset as a job, on each side, with the same result.
    await same(track('tickets.evaluate'), { id: imported.ticketId, dataset: 'fashion-mnist-sample', data: { trainLimit: 600, testLimit: 200 }, training: { duration: '10it' } });
    const evaluated = async (call: Call): Promise<unknown> => {
      for (;;) {
        const r = await call('tickets.get', { id: imported.ticketId });
        const e = r.ok ? (r.output as { evaluations: { status: string }[] }).evaluations[0] : undefined;
        if (e && e.status !== 'queued' && e.status !== 'running') return e;
        await new Promise((res) => setTimeout(res, 200));
      }
    };
    const [evalHttp, evalIpc, evalCli] = await Promise.all([evaluated(http.call), evaluated(ipc.call), evaluated(cli.call)]);
    expect(evalHttp).toMatchObject({ status: 'finished', dataset: 'fashion-mnist-sample', testAccuracy: expect.any(Number) });
    expect(normalise(evalIpc)).toEqual(normalise(evalHttp));
    expect(normalise(evalCli)).toEqual(normalise(evalHttp));
    await same(track('tickets.delete'), { id: imported.ticketId });
    const idx = path.join(home, 'shared', 'idx');
    mkdirSync(idx);
    const sample = path.resolve('resources', 'data', 'fashion-mnist-sample');
    for (const f of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']) {
      copyFileSync(path.join(sample, f), path.join(idx, f));
    }
    const added = await same(track('datasets.add'), { name: 'copy', path: idx });
    expect(added).toMatchObject({ name: 'copy', format: 'idx', present: true });
    // A colleague's library merged into each side's: its pending runs copied into a new experiment, then nothing to do.
    const shard = path.join(home, 'shared', 'colleague.sqlite');
    const merged = (await same(track('library.merge'), { shard })) as { shard: string; runs: { action: string; method: string; seed: number; experimentId: number }[] };
    expect(merged.shard).toBe(shard);
    expect(merged.runs.map((r) => `${r.method} ${r.seed} ${r.action}`).sort()).toEqual(['colt 3 copied', 'imp 3 copied']);
    const again = (await same('library.merge', { shard })) as { runs: { action: string; experimentId: number }[] };
    expect(again.runs.map((r) => [r.experimentId, r.action])).toEqual(merged.runs.map((r) => [r.experimentId, 'unchanged']));
    const notLibrary = await both('library.merge', { shard: path.join(idx, 'train-labels-idx1-ubyte.gz') });
    expect(notLibrary.http).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^shard .*train-labels-idx1-ubyte\.gz: .*; nothing was merged$/) } });
    expect(comparable(notLibrary.ipc)).toEqual(comparable(notLibrary.http));
  });

  it('runs the same: create, start, pause, resume, cancel, with events on every stream', async () => {
    const created = (await same(track('experiments.create'), { config: { ...TINY, name: 'second' }, start: false })) as { experiment: { id: number } };
    const id = created.experiment.id;
    await same(track('runs.start'), { experimentId: id });
    await same(track('runs.pause'), { experimentId: id });
    await Promise.all([idle(http.call), idle(ipc.call), idle(cli.call)]);
    const paused = (await same('runs.list', { experimentId: id })) as { status: string }[];
    expect(paused.every((r) => r.status === 'interrupted')).toBe(true);
    await same(track('runs.resume'), { experimentId: id });
    await Promise.all([idle(http.call), idle(ipc.call), idle(cli.call)]);
    const done = (await same('runs.list', { experimentId: id })) as { status: string; roundsDone: number }[];
    expect(done.every((r) => r.status === 'finished' && r.roundsDone === 2)).toBe(true);
    // Nothing left to cancel: an empty answer on both.
    expect(await same(track('runs.cancel'), { experimentId: id })).toEqual({ runIds: [] });
    const kinds = (events: WireEvent[]): string[] => [...new Set(events.map((e) => e.event))].sort();
    expect(kinds(ipc.events)).toEqual(kinds(http.events));
    expect(kinds(cli.events)).toEqual(kinds(http.events));
    expect(kinds(http.events)).toEqual(expect.arrayContaining(['run.finished', 'run.progress', 'run.roundDone']));
    // Each side paused at its own moment, so events interleave differently; but every round is stored
    // (and announced) exactly once per side, with the same record. The socket may still be delivering.
    const stored = (events: WireEvent[]): string[] =>
      events
        .filter((e) => e.event === 'run.roundDone')
        .map((e) => JSON.stringify(normalise(e.payload)))
        .sort();
    for (let i = 0; i < 50 && stored(http.events).length < stored(ipc.events).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(stored(ipc.events)).toEqual(stored(http.events));
    expect(stored(cli.events)).toEqual(stored(http.events));
    expect(stored(http.events)).toHaveLength(4);
    await same(track('experiments.delete'), { id });
  }, 300_000);

  it('refuses bad input with the same error naming the field', async () => {
    const cases: [CommandName, unknown, string][] = [
      ['runs.get', { id: 'x' }, 'input.id'],
      ['tickets.masks', { id: 1, maxRows: 0 }, 'input.maxRows'],
      ['tickets.import', { path: '../../etc/passwd' }, 'input.path'],
      ['tickets.import', { path: '/tmp/../etc/passwd' }, 'input.path'],
      ['tickets.export', { id: 1, path: 'relative.safetensors' }, 'input.path'],
      ['experiments.get', { id: 1, extra: true }, 'input'],
      ['comparisons.get', { experimentId: 1, runIds: [1] }, 'input.experimentId'],
      ['runs.pause', {}, 'input.runId'],
      ['tickets.weights', { id: 1, layer: 'fc1.weight', rowFrom: 0, rowTo: 100_000, colFrom: 0, colTo: 0 }, 'input.rowTo'],
      ['tickets.evaluate', { id: 1, dataset: 'fashion-mnist-sample', training: { batchSize: 0 } }, 'training.batchSize'],
      ['experiments.create', { config: TINY, start: false, runs: [{ method: 'random', seed: 0 }] }, 'runs'],
      ['experiments.create', { config: TINY, start: false, datasetChecksums: { dataset: '0'.repeat(64), evaluationDataset: '0'.repeat(64) } }, 'datasetChecksums.dataset'],
      ['sweeps.create', { config: TINY, axes: [{ path: 'pruning.rate', values: [0.2] }], dir: '/tmp' }, 'dir'],
      ['sweeps.create', { config: TINY, executor: 'slurm', slurm: { time: 'soon' } }, 'input.slurm.time'],
    ];
    for (const [command, input, field] of cases) {
      const r = await both(command, input);
      expect(r.http, command).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
      expect(comparable(r.ipc)).toEqual(comparable(r.http));
      // The CLI's client checks input at the same boundary, with the same message.
      expect(comparable(await cli.call(command, input))).toEqual(comparable(r.http));
      if (!r.http.ok) expect(r.http.error.message).toContain(`'${field}'`);
    }
    // Lines for a Slurm job script run on the cluster as the lab's user: `colt serve` takes them from no client (the CLI and the desktop app's own lab do).
    const sweepsBefore = await http.call('sweeps.list', {});
    const script = await http.call('sweeps.create', { config: TINY, executor: 'slurm', slurm: { prelude: ['module load nodejs/20'] }, start: false });
    expect(script).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining("'slurm.prelude'"), details: { field: 'slurm.prelude' } } });
    expect(await http.call('sweeps.list', {})).toEqual(sweepsBefore);
    // Absolute paths outside the allowed folders (and through a link out of them) are refused too.
    symlinkSync('/etc/passwd', path.join(home, 'shared', 'link.safetensors'));
    for (const p of ['/etc/passwd', path.join(home, 'seed', 'seed.sqlite'), path.join(home, 'shared', 'link.safetensors')]) {
      const r = await both('tickets.import', { path: p });
      expect(r.http).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('outside the folders') } });
      expect(comparable(r.ipc)).toEqual(comparable(r.http));
    }
    const missing = await both('tickets.get', { id: 999 });
    expect(missing.http).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(comparable(missing.ipc)).toEqual(comparable(missing.http));
    expect(comparable(await cli.call('tickets.get', { id: 999 }))).toEqual(comparable(missing.http));
    const unknownHttp = await http.call('no.such', {});
    expect(unknownHttp).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('makes the same report, in memory and into a folder', async () => {
    const report = (await same(track('reports.create'), { experimentId: 1 })) as { html: string; csv: string; filename: string; files: string[] };
    expect(report.filename).toBe('contract-report.html');
    expect(report.html).toContain('<svg');
    expect(report.files).toEqual([]);
    // Each side writes into its own folder (the other's is outside what it may use).
    const [a, b] = await Promise.all([
      http.call('reports.create', { experimentId: 1, folder: path.join(home, 'http'), pdf: true }),
      ipc.call('reports.create', { experimentId: 1, folder: path.join(home, 'ipc'), pdf: true }),
    ]);
    expect(normalise(b)).toEqual(normalise(a));
    expect(a).toMatchObject({ ok: true, output: { files: [path.join(home, 'http', 'contract-report.html'), path.join(home, 'http', 'contract-report.csv'), path.join(home, 'http', 'contract-report.pdf')] } });
    expect(readFileSync(path.join(home, 'ipc', 'contract-report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const again = await http.call('reports.create', { experimentId: 1, folder: path.join(home, 'http') });
    expect(again).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('exists; pass force: true'), details: { field: 'folder', reason: 'exists' } } });
    const named = await http.call('reports.create', { experimentId: 1, path: path.join(home, 'http', 'named.html') });
    expect(named).toMatchObject({ ok: true, output: { files: [path.join(home, 'http', 'named.html'), path.join(home, 'http', 'named.csv')] } });
    // Without its CSV (as `colt report` without --csv): the HTML only.
    const htmlOnly = await both('reports.create', { experimentId: 1, path: path.join(home, 'shared', 'html-only.html'), csv: false, force: true });
    expect(htmlOnly.http).toMatchObject({ ok: true, output: { files: [path.join(home, 'shared', 'html-only.html')] } });
    expect(normalise(htmlOnly.ipc)).toEqual(normalise(htmlOnly.http));
    expect(existsSync(path.join(home, 'shared', 'html-only.csv'))).toBe(false);
    const outside = await both('reports.create', { experimentId: 1, folder: '/etc' });
    expect(outside.http).toMatchObject({ ok: false, error: { message: expect.stringContaining('outside the folders') } });
  });

  it('left no command of the contract untested', () => {
    const untested = Object.keys(COMMANDS).filter((c) => !covered.has(c));
    expect(untested).toEqual([]);
    expect(readFileSync(path.join(home, 'http', 'lib', 'library.sqlite')).length).toBeGreaterThan(0);
  });
});
