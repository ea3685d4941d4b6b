import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { methodSummaries } from '../analysis/stats.js';
import { compareMasks, comparisonSeries, denseBaseline, layerGrid, roundsToReach, type RunRounds } from '../analysis/index.js';
import { appVersion } from '../common/app-version.js';
import { appDataDir, cacheDir } from '../common/paths.js';
import { COMMANDS, parseCommandInput, parseCommandOutput, type CommandName, type CommandOutput, type ParsedInput } from '../contract/api.js';
import { LabError } from '../contract/errors.js';
import type { RunEventMessage } from '../contract/run-events.js';
import { experimentConfigSchema, parseExperimentConfig, type Method } from '../contract/experiment-config.js';
import { addDataset, listDatasets, loadDataset } from '../data/registry.js';
import type { Dataset } from '../data/types.js';
import type { BackendChoice } from '../lab/backend/index.js';
import { getPreset, listPresets } from '../presets/presets.js';
import { openLibrary, writeTransaction, type Db } from '../library/db.js';
import { deleteExperiment, getExperiment, listExperiments, type RunStatus } from '../library/experiments.js';
import { mergeShard } from '../library/merge.js';
import { recordAttempt } from '../library/provenance.js';
import { listCurve, listRounds } from '../library/rounds.js';
import { getRun, listRuns, reconcileStaleRuns, runsOfExperiment } from '../library/runs.js';
import { exportTicketBytes, exportTicketFile, prepareTicketBytes, readTicketFile, storeImportedTicket } from '../library/ticket-file/ticket-io.js';
import { ticketMaskShapes } from '../library/ticket-layers.js';
import { deleteImportedTicket, getTicketRow, listTickets, loadTicket, runTicketRounds, ticketIdsByRound } from '../library/tickets.js';
import { estimateCost } from './estimate.js';
import { roundCosts } from '../lab/cost.js';
import { roundPayload } from '../jobs/event-payloads.js';
import { createReport, defaultName, htmlToPdf, writeReport } from '../report/index.js';
import { selectRuns } from '../report/selection.js';
import { FileAccess } from './file-access.js';
import { experimentJaccard, presetConfigOf } from './experiment-views.js';
import { finiteOrNull } from '../common/finite.js';
import { runSummaryOf, ticketSummariesOf, ticketSummaryOf } from './library-views.js';
import { startEvaluation } from './ticket-evaluation.js';
import { diffOf, layerViews, ticketModelFacts, valuesOf, weightsOf } from './ticket-views.js';
import { getTicketOrigin, listEvaluations, reconcileStaleEvaluations } from '../library/ticket-records.js';
import { RunManager } from './run-manager.js';
import { loadExperimentData } from '../lab/experiment-data.js';
import { recordExperiment } from '../library/record-experiment.js';
import { estimateSweep, SweepCommands } from './sweep-commands.js';

/** What the service needs from its host: folders, the backend chosen at start, and which folders clients may name. */
export interface LabServiceOptions {
  readonly dataDir: string;
  readonly libraryPath: string;
  readonly backend?: BackendChoice;
  /** Folders whose files clients may import, export to or register (default: home, app data, working folder). */
  readonly fileRoots?: readonly string[];
  /** Jobs at once (default: one per core on CPU backends). */
  readonly concurrency?: number;
  /** Prints a report's HTML to PDF (the desktop app: Electron's printToPDF); default: the system's Chromium. */
  readonly printPdf?: (html: string) => Promise<Uint8Array>;
  /** Whether system.info names the library's and data folder's full paths (default true: the desktop app's own window); `colt serve` gives only their names. */
  readonly revealPaths?: boolean;
  /**
   * How the library is opened: created when missing (default); `existing`: refused when missing or
   * empty, never created (the CLI's browsing commands); `read-only`: that, on a read-only connection,
   * without marking runs a dead process left running.
   */
  readonly libraryAccess?: 'create' | 'existing' | 'read-only';
  /** Folders clients never write into (default: the library's folder); the CLI, whose user names any file, guards the library's own files instead. */
  readonly protectedFolders?: readonly string[];
  /**
   * Whether sweeps.create may carry lines for the Slurm job script (slurm.prelude, slurm.extra),
   * which run on the cluster as this lab's user: the CLI's user and the desktop app's own window
   * may; `colt serve`'s clients may not (default false).
   */
  readonly slurmScriptLines?: boolean;
}

/** A listener of the service's run events. */
export type EventListener = (e: RunEventMessage) => void;

type Handlers = { [C in CommandName]: (input: ParsedInput<C>) => Promise<CommandOutput<C>> };

/**
 * Implements the contract (main/contract/api.ts) over the lab, library and jobs. Every transport
 * calls `call`, which validates the input once and answers the contract's output shape; run
 * events go to every `onEvent` listener. One service owns the library (the one writer) and one job pool.
 */
export class LabService {
  private readonly handlers: Handlers;
  private readonly listeners = new Set<EventListener>();
  private readonly files: FileAccess;
  private dbHandle: Db | undefined;
  private runsHandle: RunManager | undefined;
  private readonly sweeps: SweepCommands;
  private closed = false;

  constructor(private readonly options: LabServiceOptions) {
    // Clients never write into the library's folder: not over the library, its WAL, or the caches beside it.
    this.files = new FileAccess(options.fileRoots ?? [os.homedir(), appDataDir(), process.cwd()], { protectedFolders: options.protectedFolders ?? [path.dirname(path.resolve(options.libraryPath))] });
    this.sweeps = new SweepCommands({
      db: () => this.db,
      libraryPath: options.libraryPath,
      dataDir: options.dataDir,
      files: this.files,
      resume: (experimentId, runs) => this.runs.resume(experimentId, runs),
      isActive: (experimentId) => this.runsHandle?.isActive(experimentId) ?? false,
      slurmScriptLines: options.slurmScriptLines ?? false,
    });
    this.handlers = this.buildHandlers();
  }

  /** Runs one command: validates its input against the contract, then answers. */
  async call(command: string, input: unknown): Promise<unknown> {
    if (this.closed) throw new LabError('busy', 'the lab service is shutting down');
    if (!Object.prototype.hasOwnProperty.call(COMMANDS, command)) {
      throw new LabError('not_found', `unknown command '${command}'`);
    }
    const name = command as CommandName;
    const parsed = parseCommandInput(name, input);
    const handler = this.handlers[name] as (i: unknown) => Promise<unknown>;
    return parseCommandOutput(name, await handler(parsed));
  }

  /** Subscribes to run events (run.progress, run.roundDone, run.finished, run.failed); returns the unsubscribe. */
  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pauses running jobs (they resume next start), stops the pool and closes the library. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runsHandle?.close();
    this.dbHandle?.close();
    this.dbHandle = undefined;
  }

  /** The library, opened on first use; runs left `running` by a dead process are marked interrupted. */
  private get db(): Db {
    if (!this.dbHandle) {
      const access = this.options.libraryAccess ?? 'create';
      const db = openLibrary(this.options.libraryPath, { mustExist: access !== 'create', readOnly: access === 'read-only' });
      if (access !== 'read-only') {
        writeTransaction(db, 'check for interrupted runs', () => {
          reconcileStaleRuns(db);
          reconcileStaleEvaluations(db);
        });
      }
      this.dbHandle = db;
    }
    return this.dbHandle;
  }

  private get runs(): RunManager {
    if (!this.options.backend) throw new LabError('internal', 'this service was started without a backend; it cannot train');
    this.runsHandle ??= new RunManager({
      db: this.db,
      dataDir: this.options.dataDir,
      backend: this.options.backend,
      emit: (e) => this.emit(e),
      ...(this.options.concurrency !== undefined ? { concurrency: this.options.concurrency } : {}),
    });
    return this.runsHandle;
  }

  private printPdf(html: string): Promise<Uint8Array> {
    return this.options.printPdf ? this.options.printPdf(html) : htmlToPdf(html);
  }

  private emit(e: RunEventMessage): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A failing listener (a closed socket) must not stop the others or the run.
      }
    }
  }

  private experimentSummary(id: number): CommandOutput<'experiments.list'>[number] {
    const [e] = listExperiments(this.db, { id });
    if (!e) throw new LabError('not_found', `no experiment e${id} in this library`, { field: 'id' });
    return e;
  }

  /** The runs of a selection (an experiment, or run ids; one run per method and seed, as reports take them), with their rounds. */
  private selectRuns(sel: { experimentId?: number; runIds?: number[] }): { runs: ReturnType<typeof getRun>[]; rounds: RunRounds[] } {
    const runs = selectRuns(this.db, sel.experimentId !== undefined ? { experimentId: sel.experimentId } : { runs: sel.runIds ?? [] });
    const rounds = runs.map((r) => ({ runId: r.id, method: r.method, seed: r.seed, rounds: listRounds(this.db, r.id) }));
    return { runs, rounds };
  }

  private runTargets(t: { runId?: number; experimentId?: number }): ReturnType<typeof getRun>[] {
    if (t.runId !== undefined) return [getRun(this.db, t.runId)];
    getExperiment(this.db, t.experimentId as number);
    return runsOfExperiment(this.db, t.experimentId as number);
  }

  private buildHandlers(): Handlers {
    return {
      'system.info': async () => ({
        appVersion: appVersion(),
        backend: this.options.backend?.name ?? null,
        backendReason: this.options.backend?.reason ?? null,
        adapter: this.options.backend?.adapter ?? null,
        libraryPath: this.options.revealPaths === false ? path.basename(this.options.libraryPath) : this.options.libraryPath,
        dataDir: this.options.revealPaths === false ? path.basename(this.options.dataDir) : this.options.dataDir,
        cores: os.availableParallelism(),
        platform: `${process.platform}-${process.arch}`,
        user: userName(),
        hostname: os.hostname(),
        versions: {
          node: process.versions.node,
          ...(process.versions.electron ? { electron: process.versions.electron } : {}),
          ...(this.options.backend?.package ? { backendPackage: this.options.backend.package } : {}),
        },
      }),
      'presets.list': async () => listPresets().map((p) => ({ name: p.name, description: p.description, config: p.raw })),
      'experiments.schema': async () => ({ schema: z.toJSONSchema(experimentConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> }),
      'experiments.validate': async ({ config }) => {
        if (config !== null && typeof config === 'object' && !Array.isArray(config) && 'sweep' in config) {
          try {
            const { estimate, sweep } = await estimateSweep(this.db, config as Record<string, unknown>, this.options.dataDir, this.options.backend, this.options.concurrency);
            return { ok: true, config: config as Record<string, unknown>, estimate, sweep };
          } catch (e) {
            if (e instanceof LabError && (e.code === 'invalid_input' || e.code === 'not_found')) return { ok: false, error: { field: String(e.details?.field ?? 'sweep'), message: e.message } };
            throw e;
          }
        }
        let parsed;
        try {
          parsed = parseExperimentConfig(config);
        } catch (e) {
          if (e instanceof LabError && e.code === 'invalid_input') {
            return { ok: false, error: { field: String(e.details?.field ?? ''), message: e.message } };
          }
          throw e;
        }
        let estimate;
        try {
          estimate = await estimateCost(this.db, parsed, this.options.dataDir, this.options.backend, this.options.concurrency);
        } catch (e) {
          // The config is valid but cannot run here (unknown dataset, unreachable target): name the field.
          if (e instanceof LabError && (e.code === 'invalid_input' || e.code === 'not_found')) {
            return { ok: false, config: parsed as unknown as Record<string, unknown>, error: { field: String(e.details?.field ?? 'dataset'), message: e.message } };
          }
          throw e;
        }
        return { ok: true, config: parsed as unknown as Record<string, unknown>, estimate };
      },
      'experiments.create': async ({ config, preset, start, runs, datasetChecksums }) => {
        if (preset !== undefined) getPreset(preset);
        const parsed = parseExperimentConfig(config);
        const outside = runs?.find((r) => !parsed.methods.includes(r.method) || !parsed.seeds.includes(r.seed));
        if (outside) throw new LabError('invalid_input', `field 'runs': ${outside.method} seed ${outside.seed} is not one of the config's runs (methods ${parsed.methods.join(', ')} × seeds ${parsed.seeds.join(', ')})`, { field: 'runs' });
        const data = await loadExperimentData(parsed, this.options.dataDir, this.options.backend);
        if (datasetChecksums) sameData(data, datasetChecksums);
        const { experimentId } = recordExperiment(this.db, { config: parsed, ...(preset !== undefined ? { preset } : {}), ...(runs ? { runs } : {}), ...data });
        if (start) this.runs.startNew(experimentId, parsed, data);
        return {
          experiment: this.experimentSummary(experimentId),
          runs: runsOfExperiment(this.db, experimentId).map(runSummaryOf),
          dataset: datasetFactsOf(data.dataset),
          evaluationDataset: data.evalDataset === data.dataset ? null : datasetFactsOf(data.evalDataset),
        };
      },
      'experiments.list': async ({ search, limit }) => listExperiments(this.db, { ...(search !== undefined ? { search } : {}), limit: limit ?? 1000 }),
      'experiments.get': async ({ id }) => {
        const e = getExperiment(this.db, id);
        const summary = this.experimentSummary(id);
        const runs = runsOfExperiment(this.db, id);
        return {
          experiment: summary,
          config: e.config as unknown as Record<string, unknown>,
          runs: runs.map(runSummaryOf),
          methods: methodSummaries(runs.map((r) => ({ method: r.method, rounds: listRounds(this.db, r.id) }))),
          presetConfig: presetConfigOf(summary.preset),
        };
      },
      'experiments.delete': async ({ id }) => {
        if (this.runsHandle?.isActive(id) || runsOfExperiment(this.db, id).some((r) => r.status === 'running')) {
          throw new LabError('busy', `experiment e${id} has runs training; pause or cancel them first`, { field: 'id' });
        }
        const { runs, tickets } = writeTransaction(this.db, `delete experiment e${id}`, () => deleteExperiment(this.db, id));
        return { experimentId: id, runs, tickets };
      },
      'runs.list': async (f) => listRuns(this.db, { ...f, limit: f.limit ?? 1000 }).map(runSummaryOf),
      'runs.get': async ({ id }) => {
        const run = getRun(this.db, id);
        const tickets = ticketIdsByRound(this.db, id);
        const stored = listRounds(this.db, id);
        const costs = new Map(roundCosts(stored).map((c) => [c.round, c]));
        return {
          run: {
            ...runSummaryOf(run),
            error: run.error,
            backendReason: run.backendReason,
            backendAdapter: run.backendAdapter,
            lastRound: run.lastRound,
            started: run.started,
            datasetChecksum: run.datasetChecksum,
            backendPackage: run.backendPackage,
            appVersion: run.appVersion,
          },
          rounds: stored.map(({ runId: _r, final, created, ...r }) => ({
            ...roundPayload(r),
            final,
            created,
            ticketId: tickets.get(r.round) ?? null,
            cost: costs.get(r.round)!,
          })),
          curve: listCurve(this.db, id).map((p) => ({ ...p, loss: finiteOrNull(p.loss) })),
          live: this.runsHandle?.liveRun(id) ?? null,
        };
      },
      'runs.active': async () => this.runsHandle?.active() ?? [],
      'runs.start': async ({ experimentId }) => {
        getExperiment(this.db, experimentId);
        const pending = runsOfExperiment(this.db, experimentId).filter((r) => r.status === 'pending');
        if (pending.length === 0) throw new LabError('invalid_input', `experiment e${experimentId} has no pending runs (runs.resume continues interrupted ones)`, { field: 'experimentId' });
        const { runIds } = await this.runs.resume(experimentId, pending);
        return { runIds };
      },
      'runs.pause': async (t) => ({ runIds: this.runsHandle?.stop(this.runTargets(t).map((r) => r.id), 'pause') ?? [] }),
      'runs.cancel': async (t) => ({ runIds: this.runsHandle?.stop(this.runTargets(t).map((r) => r.id), 'cancel') ?? [] }),
      'runs.resume': async ({ force, attempt, ...t }) => {
        const targets = this.runTargets(t);
        if (targets.length > 0 && this.runsHandle?.isActive(targets[0].experimentId)) {
          throw new LabError('busy', `experiment e${targets[0].experimentId} has runs queued or training; pause or wait for them first`, { field: t.runId !== undefined ? 'runId' : 'experimentId' });
        }
        // A run still marked running here belongs to no job of this process: it was left by a crash.
        const runs = targets.filter((r) => r.status === 'interrupted' || r.status === 'pending' || r.status === 'running');
        if (runs.length === 0) {
          const what = t.runId !== undefined ? `run ${t.runId}` : `experiment e${t.experimentId}`;
          throw new LabError('invalid_input', `${what} has nothing to resume (only interrupted or pending runs continue)`, { field: t.runId !== undefined ? 'runId' : 'experimentId' });
        }
        const experiments = new Set(runs.map((r) => r.experimentId));
        const [experimentId] = [...experiments];
        const resumed = await this.runs.resume(experimentId, runs, { force });
        if (attempt) {
          const backend = this.options.backend?.name ?? 'none';
          writeTransaction(this.db, 'record the attempt', () => {
            for (const r of runs.filter((x) => resumed.runIds.includes(x.id))) {
              recordAttempt(this.db, r.id, { host: os.hostname(), ...attempt, fromRound: r.lastRound }, { backend, appVersion: appVersion(), datasetChecksum: r.datasetChecksum });
            }
          });
        }
        return resumed;
      },
      'sweeps.list': async ({ limit }) => this.sweeps.list(limit ?? 1000),
      'sweeps.create': async (input) => this.sweeps.create(input),
      'sweeps.get': async ({ id, refresh }) => this.sweeps.get(id, refresh),
      'sweeps.cancel': async ({ id, waitSeconds }) => this.sweeps.cancel(id, waitSeconds),
      'sweeps.merge': async ({ id }) => this.sweeps.merge(id),
      'library.merge': async ({ shard }) => {
        // A missing file is left to mergeShard, whose refusal says nothing was merged; an existing one must be inside the allowed folders.
        const file = existsSync(shard) ? this.files.readable(shard, 'shard') : shard;
        const report = mergeShard(this.db, file, { busy: (experimentId) => this.runsHandle?.isActive(experimentId) ?? false });
        return { shard: report.shard, runs: report.runs.map((r) => ({ ...r, method: r.method as Method, status: r.status as RunStatus })) };
      },
      'tickets.list': async ({ source, ...f }) => ticketSummariesOf(this.db, listTickets(this.db, { ...f, ...(source !== undefined ? { origin: source } : {}), limit: f.limit ?? 1000 })),
      'tickets.get': async ({ id }) => {
        const row = getTicketRow(this.db, id);
        const shapes = ticketMaskShapes(this.db, id);
        const rounds = row.runId === null ? [] : runTicketRounds(this.db, row.runId).map((r) => ({ ...r, testAccuracy: finiteOrNull(r.testAccuracy) }));
        return {
          ticket: {
            ...ticketSummaryOf(this.db, row),
            inputShape: [...row.inputShape],
            classes: row.classes,
            datasetChecksum: row.datasetChecksum,
            sourceSha256: row.sourceSha256,
            sourceFormat: row.sourceFormat,
            appVersion: row.appVersion,
            prunableLayers: row.prunable,
          },
          layers: shapes.map((s) => ({ name: s.layer, shape: s.shape, weights: s.total, kept: s.kept, sparsity: s.total === 0 ? 0 : 1 - s.kept / s.total })),
          rounds,
          ...ticketModelFacts(this.db, id),
          origin: getTicketOrigin(this.db, id),
          evaluations: listEvaluations(this.db, id),
        };
      },
      'tickets.masks': async ({ id, layers, maxRows, maxCols }) => {
        const ticket = loadTicket(this.db, id, { final: false });
        const names = layers ?? [...ticket.mask.keys()];
        const grids = names.map((name) => {
          const mask = ticket.mask.get(name);
          const shape = ticket.shapes.get(name);
          if (!mask || !shape) throw new LabError('not_found', `field 'input.layers': ticket t${id} has no prunable layer '${name}' (layers: ${[...ticket.mask.keys()].join(', ')})`, { field: 'layers' });
          return layerGrid(name, shape, mask, maxRows, maxCols);
        });
        return { ticketId: id, grids };
      },
      'tickets.compare': async ({ a, b }) => {
        const ta = loadTicket(this.db, a, { final: false });
        const tb = loadTicket(this.db, b, { final: false });
        if (ta.row.arch !== tb.row.arch) throw new LabError('invalid_input', `tickets t${a} (${ta.row.arch}) and t${b} (${tb.row.arch}) are of different architectures`, { field: 'b' });
        const { layers, overall } = compareMasks(ta.mask, tb.mask);
        return { a: ticketSummaryOf(this.db, ta.row), b: ticketSummaryOf(this.db, tb.row), layers, overall };
      },
      'tickets.import': async ({ arch, inputShape, classes, ...input }) => {
        const options = { appVersion: appVersion(), ...(arch !== undefined ? { arch } : {}), ...(inputShape !== undefined ? { inputShape } : {}), ...(classes !== undefined ? { classes } : {}) };
        // The file is read and validated before the library is opened: a refused file creates no library.
        const prepared =
          input.path !== undefined
            ? await readTicketFile(this.files.readable(input.path, 'path'), options)
            : prepareTicketBytes(Buffer.from(input.bytes as string, 'base64'), path.basename(input.name as string), options);
        const result = storeImportedTicket(this.db, prepared, options);
        return { ticketId: result.ticketId, duplicate: result.duplicate, format: result.format, notes: [...result.notes], ticket: ticketSummaryOf(this.db, getTicketRow(this.db, result.ticketId)) };
      },
      'tickets.export': async ({ id, format, final, path: file, force }) => {
        const row = getTicketRow(this.db, id);
        const filename = `ticket-t${id}-${row.arch}${row.method ? `-${row.method}` : ''}${row.round !== null ? `-r${row.round}` : ''}${format === 'pytorch' ? '-pytorch' : ''}.safetensors`;
        const options = { format, final, appVersion: appVersion() };
        if (file !== undefined) {
          const target = this.files.writable(file, 'path', { force });
          const size = await exportTicketFile(this.db, id, target, options);
          return { filename: path.basename(target), size, path: target, bytes: null };
        }
        const bytes = Buffer.concat(exportTicketBytes(this.db, id, options));
        return { filename, size: bytes.length, path: null, bytes: bytes.toString('base64') };
      },
      'tickets.delete': async ({ id }) => {
        writeTransaction(this.db, `delete ticket t${id}`, () => deleteImportedTicket(this.db, id));
        return { ticketId: id };
      },
      'datasets.list': async () => (await listDatasets(this.options.dataDir)).map((d) => ({ name: d.name, format: d.format, path: d.path, builtIn: d.builtIn, present: d.present })),
      'datasets.add': async ({ name, path: dir, format }) => {
        const d = await addDataset(this.options.dataDir, name, this.files.readable(dir, 'path', { folders: true }), format);
        return { name: d.name, format: d.format, path: d.path, builtIn: d.builtIn, present: d.present };
      },
      'datasets.get': async ({ name }) => {
        const d = await loadDataset(name, { dataDir: this.options.dataDir, cacheDir: cacheDir() });
        return { ...datasetFactsOf(d), classNames: [...d.classNames], source: d.source };
      },
      'comparisons.get': async ({ targets, ...sel }) => {
        const { runs, rounds } = this.selectRuns(sel);
        return {
          runs: runs.map(runSummaryOf),
          series: comparisonSeries(rounds),
          dense: denseBaseline(rounds),
          reach: roundsToReach(rounds, targets ?? [0.5, 0.8, 0.9, 0.95, 0.98]),
        };
      },
      'reports.create': async ({ experimentId, runIds, title, folder, path: file, pdf, csv, force }) => {
        // Every file the report writes (HTML, CSV, PDF) is checked like an export: inside the allowed
        // folders, never in the library's, replaced only with force. A named file is checked before any work.
        const targetsOf = (html: string, field: string): string[] => {
          const stem = html.replace(/\.html?$/i, '');
          return [html, ...(csv ? [`${stem}.csv`] : []), ...(pdf ? [`${stem}.pdf`] : [])].map((f) => this.files.writable(f, field, { force }));
        };
        const early = file !== undefined ? targetsOf(file, 'path') : undefined;
        const selection = experimentId !== undefined ? { experimentId } : { runs: runIds ?? [] };
        const options = { appVersion: appVersion(), ...(title !== undefined ? { title } : {}) };
        const report = createReport(this.db, selection, options);
        const filename = `${defaultName(report.model)}.html`;
        let files: string[] = [];
        let pdfBytes: string | null = null;
        if (folder !== undefined || file !== undefined) {
          const targets = early ?? targetsOf(path.join(this.files.folder(folder as string, 'folder'), filename), 'folder');
          const written = await writeReport(this.db, selection, { ...options, out: targets[0], csv, pdf, renderPdf: (html) => this.printPdf(html), force });
          files = [written.html, written.csv, written.pdf].filter((f): f is string => f !== undefined);
        } else if (pdf) {
          pdfBytes = Buffer.from(await this.printPdf(report.html)).toString('base64');
        }
        return { title: report.model.title, filename, html: report.html, csv: report.csv, pdf: pdfBytes, files };
      },
      'tickets.layerViews': async ({ id, layer }) => layerViews(this.db, id, layer),
      'tickets.weights': async (input) => weightsOf(this.db, input),
      'tickets.values': async (input) => valuesOf(this.db, input),
      'tickets.diff': async (input) => diffOf(this.db, input),
      'experiments.jaccard': async (input) => experimentJaccard(this.db, input),
      'tickets.evaluate': async (input) => {
        if (!this.options.backend) throw new LabError('internal', 'this service was started without a backend; it cannot train');
        return startEvaluation({ db: this.db, runs: this.runs, dataDir: this.options.dataDir, backend: this.options.backend }, input);
      },
    };
  }
}

/** What experiments.create says of the data it loaded. */
/** Refuses data whose sha256 is not the one expected: the error names the dataset, this host and both checksums. */
function sameData(data: { dataset: Dataset; evalDataset: Dataset }, expected: { dataset: string; evaluationDataset: string }): void {
  for (const [d, want, field] of [
    [data.dataset, expected.dataset, 'datasetChecksums.dataset'],
    [data.evalDataset, expected.evaluationDataset, 'datasetChecksums.evaluationDataset'],
  ] as const) {
    if (d.checksum !== want) {
      throw new LabError('invalid_input', `field '${field}': dataset '${d.name}' on ${os.hostname()} (sha256 ${d.checksum.slice(0, 12)}…) is not the one expected (${want.slice(0, 12)}…); the nodes must see the same data`, { field });
    }
  }
}

function datasetFactsOf(d: Dataset): CommandOutput<'experiments.create'>['dataset'] {
  return { name: d.name, checksum: d.checksum, train: d.train.count, test: d.test.count, classes: d.classes, inputShape: [...d.shape] };
}

/** The account the lab runs as; os.userInfo throws where the user has no passwd entry (some containers). */
function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
