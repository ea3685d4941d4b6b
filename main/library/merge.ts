import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LabError } from '../contract/errors.js';
import { parseExperimentConfig } from '../contract/experiment-config.js';
import { countOnes, unpackBits } from './bit-pack.js';
import { APPLICATION_ID, isoNow, SCHEMA_VERSION, storageError, writeTransaction, type Db } from './db.js';
import { refreshExperimentStatus } from './experiments.js';
import { processAlive } from './runs.js';
import { deleteOrphanTensors } from './tensors.js';

// Merging a shard library (one Slurm task's runs) into the main library. The shard is opened
// read-only and checked whole before anything is written; then each run is copied in its own
// transaction, comparing what the main library already has so that merging again writes nothing.

/** How to merge a shard. */
export interface MergeOptions {
  /** Merge into this experiment (a sweep's point); default: one with the same config and data, else a new one. */
  readonly experimentId?: number;
  /** The task that wrote the shard has ended: runs it left `running` were killed and become `interrupted`. */
  readonly ended?: boolean;
  /** Whether runs of an experiment of this library are queued or training in this process: merging into it is refused. */
  readonly busy?: (experimentId: number) => boolean;
  readonly now?: () => Date;
}

/** What merging did to a run: created it, added rounds, updated its status or provenance only, or nothing. */
export type MergeAction = 'copied' | 'extended' | 'updated' | 'unchanged';

/** One run of a merge. */
export interface MergedRun {
  readonly shardRunId: number;
  readonly runId: number;
  readonly experimentId: number;
  readonly method: string;
  readonly seed: number;
  readonly action: MergeAction;
  readonly roundsAdded: number;
  /** Rounds the main library holds of the run after the merge. */
  readonly rounds: number;
  readonly status: string;
}

/** What a merge did. */
export interface MergeReport {
  readonly shard: string;
  readonly runs: MergedRun[];
}

type Row = Record<string, unknown>;

/** A refusal: the shard is not merged, and the message says why and that nothing was. */
function refuse(file: string, why: string, code: 'storage' | 'invalid_input' | 'not_found' | 'busy' = 'storage'): LabError {
  return new LabError(code, `shard ${file}: ${why}; nothing was merged`, { shard: file });
}

/**
 * Merges a shard library into `db`: its runs with their rounds, tickets (bit-packed masks and
 * weights), training curves, checkpoints and provenance. Idempotent: a run already merged is
 * left alone, one merged while unfinished gains the rounds added since. Refuses, before writing
 * anything, a file that is no COLT Lab library, one from a newer schema, a damaged one, and runs
 * whose stored rounds differ from the main library's copy of the same run.
 */
export function mergeShard(db: Db, file: string, options: MergeOptions = {}): MergeReport {
  const shardPath = path.resolve(file);
  if (existsSync(shardPath) && existsSync(db.name) && realpathSync(shardPath) === realpathSync(db.name)) {
    throw refuse(shardPath, 'it is the library being merged into', 'invalid_input');
  }
  const shard = openShard(shardPath);
  try {
    const check = (fn: () => void): void => {
      try {
        fn();
      } catch (e) {
        if (e instanceof LabError) throw e;
        throw refuse(shardPath, `cannot be read (${storageError(e, 'read').message})`);
      }
    };
    check(() => verifyShard(shard, shardPath));
    const experiments = shard.prepare('SELECT * FROM experiments ORDER BY id').all() as Row[];
    const runs = shard.prepare('SELECT * FROM runs ORDER BY id').all() as Row[];
    if (options.experimentId !== undefined && new Set(runs.map((r) => r.experiment_id)).size > 1) {
      throw refuse(shardPath, `it holds runs of ${new Set(runs.map((r) => r.experiment_id)).size} experiments, a sweep task's shard holds one`, 'invalid_input');
    }
    // Where each experiment goes, and whether any run conflicts, all decided before writing.
    const targets = new Map<number, number | null>();
    check(() => {
      for (const e of experiments) {
        const own = runs.filter((r) => r.experiment_id === e.id);
        if (own.length > 0) targets.set(e.id as number, resolveTarget(db, shard, shardPath, e, own, options.experimentId));
      }
      for (const r of runs) {
        const target = targets.get(r.experiment_id as number);
        if (target !== null && target !== undefined) checkRun(db, shard, shardPath, r, target);
      }
    });
    for (const target of targets.values()) {
      // The job writing those runs' rounds and this merge would both extend them.
      if (target !== null && options.busy?.(target) === true) throw refuse(shardPath, `experiment e${target} of this library, which it merges into, has runs queued or training here; pause them or let them finish first`, 'busy');
    }
    const created = new Map<number, number>();
    const merged: MergedRun[] = [];
    for (const r of runs) {
      merged.push(
        writeTransaction(db, `merge run ${String(r.id)} of shard ${shardPath}`, () => {
          const shardExp = experiments.find((e) => e.id === r.experiment_id) as Row;
          // Re-resolved under the write lock: another merge of the same shard may have created it meanwhile.
          let experimentId =
            created.get(shardExp.id as number) ??
            targets.get(shardExp.id as number) ??
            resolveTarget(db, shard, shardPath, shardExp, runs.filter((x) => x.experiment_id === shardExp.id), options.experimentId);
          if (experimentId === null) {
            experimentId = copyExperiment(db, shard, shardExp);
            created.set(shardExp.id as number, experimentId);
          }
          return mergeRun(db, shard, shardPath, r, experimentId, options);
        }),
      );
    }
    return { shard: shardPath, runs: merged };
  } finally {
    shard.close();
  }
}

/** Opens a shard read-only and checks it is a COLT Lab library this version can read, undamaged. */
function openShard(file: string): Database.Database {
  if (!existsSync(file)) throw refuse(file, 'no such file', 'not_found');
  let s: Database.Database;
  try {
    const binding = process.env.COLT_SQLITE_BINDING;
    s = new Database(file, { readonly: true, fileMustExist: true, ...(binding ? { nativeBinding: binding } : {}) });
  } catch (e) {
    throw refuse(file, `cannot be opened (${storageError(e, 'open').message})`);
  }
  try {
    const appId = Number(s.pragma('application_id', { simple: true }));
    const version = Number(s.pragma('user_version', { simple: true }));
    if (appId !== APPLICATION_ID || version < 1) throw refuse(file, 'it is not a COLT Lab library', 'invalid_input');
    if (version > SCHEMA_VERSION) {
      throw refuse(file, `it was written by a newer COLT Lab (schema version ${version}; this version knows up to ${SCHEMA_VERSION}); update COLT Lab to merge it`);
    }
    const integrity = s.pragma('integrity_check') as { integrity_check: string }[];
    if (integrity.length !== 1 || integrity[0].integrity_check !== 'ok') {
      throw refuse(file, `it is damaged (SQLite integrity check: ${integrity.slice(0, 3).map((r) => r.integrity_check).join('; ')})`);
    }
    const orphans = s.pragma('foreign_key_check') as unknown[];
    if (orphans.length > 0) throw refuse(file, `it is damaged (${orphans.length} rows refer to rows that do not exist)`);
    return s;
  } catch (e) {
    s.close();
    if (e instanceof LabError) throw e;
    throw refuse(file, `it is damaged or unreadable (${storageError(e, 'check').message})`);
  }
}

/** Checks what integrity_check cannot see: every config validates, every tensor matches its sha256, every mask its counts. */
function verifyShard(s: Database.Database, file: string): void {
  for (const e of s.prepare('SELECT id, config FROM experiments').all() as { id: number; config: string }[]) {
    try {
      parseExperimentConfig(JSON.parse(e.config));
    } catch (err) {
      throw refuse(file, `experiment e${e.id}'s config does not validate (${(err as Error).message})`);
    }
  }
  for (const t of s.prepare('SELECT id, sha256, length, data FROM tensors').iterate() as Iterable<{ id: number; sha256: Buffer; length: number; data: Buffer }>) {
    if (t.data.length !== 4 * t.length || !createHash('sha256').update(t.data).digest().equals(t.sha256)) {
      throw refuse(file, `it is damaged (tensor ${t.id}: its bytes do not match their sha256)`);
    }
  }
  for (const m of s.prepare('SELECT ticket_id, layer, kept, total, bits FROM ticket_masks').iterate() as Iterable<{ ticket_id: number; layer: string; kept: number; total: number; bits: Buffer }>) {
    let ones: number;
    try {
      ones = countOnes(unpackBits(m.bits, m.total, `ticket ${m.ticket_id} mask ${m.layer}`));
    } catch (err) {
      throw refuse(file, `it is damaged (${(err as Error).message})`);
    }
    if (ones !== m.kept) throw refuse(file, `it is damaged (ticket ${m.ticket_id} mask ${m.layer}: ${ones} weights kept, the row says ${m.kept})`);
  }
}

/** JSON with object keys sorted, so equal configs compare equal whatever order their keys were written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Row)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The first field where two configs differ (`pruning.rate`), for messages. */
function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (canonicalJson(a) === canonicalJson(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference((a as Row)[k], (b as Row)[k], at ? `${at}.${k}` : k);
      if (d !== undefined) return d;
    }
  }
  return at || '(config)';
}

function configOf(json: unknown): unknown {
  return parseExperimentConfig(JSON.parse(String(json)));
}

function datasetOf(db: Db | Database.Database, id: unknown): { name: string; checksum: string } {
  return db.prepare('SELECT name, checksum FROM datasets WHERE id = ?').get(id) as { name: string; checksum: string };
}

/**
 * The main library's experiment a shard experiment merges into: the given one (its config and
 * data must match), else the oldest one with the same config and data whose copies of these
 * runs agree with the shard's, else null (a new experiment).
 */
function resolveTarget(db: Db, shard: Database.Database, file: string, e: Row, runs: Row[], given: number | undefined): number | null {
  const config = configOf(e.config);
  const data = datasetOf(shard, e.dataset_id);
  const evalData = datasetOf(shard, e.eval_dataset_id);
  if (given !== undefined) {
    const target = db.prepare('SELECT id, config, dataset_id, eval_dataset_id FROM experiments WHERE id = ?').get(given) as Row | undefined;
    if (!target) throw new LabError('not_found', `no experiment e${given} in this library`, { experiment: given });
    const diff = firstDifference(configOf(target.config), config);
    if (diff !== undefined) throw refuse(file, `its experiment's config differs from experiment e${given}'s in '${diff}'`, 'invalid_input');
    const targetData = datasetOf(db, target.dataset_id);
    if (targetData.checksum !== data.checksum || datasetOf(db, target.eval_dataset_id).checksum !== evalData.checksum) {
      throw refuse(file, `it was computed on other data than experiment e${given} (dataset '${data.name}' sha256 ${data.checksum.slice(0, 12)}…, not ${targetData.checksum.slice(0, 12)}…)`, 'invalid_input');
    }
    return given;
  }
  const key = canonicalJson(config);
  const candidates = db
    .prepare(
      `SELECT e.id, e.config FROM experiments e JOIN datasets d ON d.id = e.dataset_id JOIN datasets v ON v.id = e.eval_dataset_id
       WHERE e.arch = ? AND d.name = ? AND d.checksum = ? AND v.name = ? AND v.checksum = ? ORDER BY e.id`,
    )
    .all(e.arch, data.name, data.checksum, evalData.name, evalData.checksum) as { id: number; config: string }[];
  for (const c of candidates) {
    if (canonicalJson(configOf(c.config)) !== key) continue;
    if (runs.every((r) => conflict(db, shard, r, c.id) === undefined)) return c.id;
  }
  return null;
}

/** The main library's run of an experiment with the shard run's method and seed. */
function mainRunOf(db: Db, experimentId: number, r: Row): Row | undefined {
  return db.prepare('SELECT * FROM runs WHERE experiment_id = ? AND method = ? AND seed = ?').get(experimentId, r.method, r.seed) as Row | undefined;
}

/** Per stored round of a run: a digest of its ticket's masks and its sparsity. */
function roundDigests(db: Db | Database.Database, runId: unknown): Map<number, string> {
  const out = new Map<number, string>();
  const rounds = db.prepare('SELECT round, sparsity FROM rounds WHERE run_id = ? ORDER BY round').all(runId) as { round: number; sparsity: number }[];
  const masks = db
    .prepare('SELECT t.round, m.layer, m.bits FROM tickets t JOIN ticket_masks m ON m.ticket_id = t.id WHERE t.run_id = ? ORDER BY t.round, m.position')
    .all(runId) as { round: number; layer: string; bits: Buffer }[];
  const hashes = new Map<number, ReturnType<typeof createHash>>();
  for (const m of masks) {
    let h = hashes.get(m.round);
    if (!h) hashes.set(m.round, (h = createHash('sha256')));
    h.update(m.layer).update('\0').update(m.bits);
  }
  for (const r of rounds) out.set(r.round, `${r.sparsity}/${hashes.get(r.round)?.digest('hex') ?? '-'}`);
  return out;
}

/** Why a shard run cannot merge into the main library's run of the same experiment, method and seed, if it cannot. */
function conflict(db: Db, shard: Database.Database, r: Row, experimentId: number): string | undefined {
  const main = mainRunOf(db, experimentId, r);
  if (!main) return undefined;
  const ours = roundDigests(db, main.id);
  const theirs = roundDigests(shard, r.id);
  for (const [round, digest] of theirs) {
    const have = ours.get(round);
    if (have !== undefined && have !== digest) return `round ${round} of run ${String(main.id)} (${String(r.method)}, seed ${String(r.seed)}) has other masks in this library than in the shard`;
  }
  return undefined;
}

/** Refuses a run that conflicts with the main library's copy, or that this machine is training right now. */
function checkRun(db: Db, shard: Database.Database, file: string, r: Row, experimentId: number): void {
  const why = conflict(db, shard, r, experimentId);
  if (why !== undefined) throw refuse(file, `${why} (computed on another backend, or by another experiment of the same config)`, 'invalid_input');
  const main = mainRunOf(db, experimentId, r);
  if (main && main.status === 'running' && main.host === os.hostname() && typeof main.pid === 'number' && main.pid !== process.pid && processAlive(main.pid)) {
    throw new LabError('busy', `run ${String(main.id)} is training in process ${main.pid} on this machine; merge shard ${file} after it stops`, { run: main.id });
  }
}

const columnCache = new WeakMap<Db, Map<string, string[]>>();

/** Whether a library has a table (older schemas lack the later ones). */
function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** The main library's columns of a table (a shard from an older schema may lack some; they take their defaults). */
function columnsOf(db: Db, table: string): string[] {
  let cache = columnCache.get(db);
  if (!cache) columnCache.set(db, (cache = new Map()));
  let cols = cache.get(table);
  if (!cols) cache.set(table, (cols = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)));
  return cols;
}

/** Inserts a copy of a shard row, with some columns replaced and others left to their defaults; returns the rowid. */
function insertCopy(db: Db, table: string, row: Row, set: Row, omit: readonly string[] = [], verb = 'INSERT'): number {
  const cols = columnsOf(db, table).filter((c) => !omit.includes(c) && (c in set || c in row));
  const values = cols.map((c) => (c in set ? set[c] : row[c]));
  return Number(db.prepare(`${verb} INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values).lastInsertRowid);
}

/** The main library's dataset row of a shard dataset (same name and checksum), created if missing. */
function datasetInMain(db: Db, shard: Database.Database, id: unknown): number {
  const row = shard.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as Row;
  const found = db.prepare('SELECT id FROM datasets WHERE name = ? AND checksum = ?').pluck().get(row.name, row.checksum) as number | undefined;
  return found ?? insertCopy(db, 'datasets', row, {}, ['id']);
}

/** Copies a shard experiment (without runs) into the main library. */
function copyExperiment(db: Db, shard: Database.Database, e: Row): number {
  return insertCopy(db, 'experiments', e, { dataset_id: datasetInMain(db, shard, e.dataset_id), eval_dataset_id: datasetInMain(db, shard, e.eval_dataset_id) }, ['id']);
}

/** The main library's tensor with a shard tensor's content, stored if missing. */
function tensorInMain(db: Db, shard: Database.Database, id: unknown, cache: Map<unknown, number>): number {
  const known = cache.get(id);
  if (known !== undefined) return known;
  const t = shard.prepare('SELECT sha256, length, data FROM tensors WHERE id = ?').get(id) as { sha256: Buffer; length: number; data: Buffer };
  const found = db.prepare('SELECT id FROM tensors WHERE sha256 = ?').pluck().get(t.sha256) as number | undefined;
  const mainId = found ?? Number(db.prepare('INSERT INTO tensors (sha256, length, data) VALUES (?, ?, ?)').run(t.sha256, t.length, t.data).lastInsertRowid);
  cache.set(id, mainId);
  return mainId;
}

function tableExists(db: Db | Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** Columns of a run that follow the most advanced copy of it. */
const RUN_STATE_COLUMNS = [
  'status',
  'error',
  'pid',
  'host',
  'backend',
  'backend_package',
  'backend_reason',
  'backend_adapter',
  'app_version',
  'dataset_checksum',
  'rounds_done',
  'last_round',
  'sparsity',
  'test_accuracy',
  'started',
  'updated',
  'finished',
];

/** Merges one shard run into an experiment of the main library. Call inside the run's transaction. */
function mergeRun(db: Db, shard: Database.Database, file: string, r: Row, experimentId: number, options: MergeOptions): MergedRun {
  checkRun(db, shard, file, r, experimentId);
  const killed = options.ended === true && r.status === 'running';
  const state: Row = killed ? { ...r, status: 'interrupted', pid: null } : r;
  let main = mainRunOf(db, experimentId, r);
  const isNew = main === undefined;
  if (!main) {
    const id = insertCopy(db, 'runs', state, { experiment_id: experimentId }, ['id']);
    main = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row;
  }
  const runId = main.id as number;
  let wrote = isNew;

  // Rounds the main library lacks, with their tickets and curves.
  const have = new Set(db.prepare('SELECT round FROM rounds WHERE run_id = ?').pluck().all(runId) as number[]);
  const rounds = (shard.prepare('SELECT * FROM rounds WHERE run_id = ? ORDER BY round').all(r.id) as Row[]).filter((x) => !have.has(x.round as number));
  const tensors = new Map<unknown, number>();
  for (const round of rounds) {
    insertCopy(db, 'rounds', round, { run_id: runId }, ['id']);
    for (const t of shard.prepare('SELECT * FROM tickets WHERE run_id = ? AND round = ?').all(r.id, round.round) as Row[]) {
      const ticketId = insertCopy(db, 'tickets', t, { run_id: runId }, ['id']);
      for (const m of shard.prepare('SELECT * FROM ticket_masks WHERE ticket_id = ?').all(t.id) as Row[]) insertCopy(db, 'ticket_masks', m, { ticket_id: ticketId });
      for (const w of shard.prepare('SELECT * FROM ticket_weights WHERE ticket_id = ?').all(t.id) as Row[]) {
        insertCopy(db, 'ticket_weights', w, { ticket_id: ticketId, tensor_id: tensorInMain(db, shard, w.tensor_id, tensors) });
      }
    }
    for (const m of shard.prepare('SELECT * FROM metrics WHERE run_id = ? AND round = ?').all(r.id, round.round) as Row[]) {
      insertCopy(db, 'metrics', m, { run_id: runId }, [], 'INSERT OR IGNORE');
    }
    // Per-point curves (a shard from before they were stored has none).
    if (hasTable(shard, 'evaluations')) {
      for (const e of shard.prepare('SELECT * FROM evaluations WHERE run_id = ? AND round = ?').all(r.id, round.round) as Row[]) {
        insertCopy(db, 'evaluations', e, { run_id: runId });
      }
    }
  }
  if (rounds.length > 0) wrote = true;

  // The state to continue from: the shard's when it is further along.
  const theirs = shard.prepare('SELECT * FROM checkpoints WHERE run_id = ?').get(r.id) as Row | undefined;
  const ours = db.prepare('SELECT round FROM checkpoints WHERE run_id = ?').get(runId) as { round: number } | undefined;
  if (theirs && (!ours || (theirs.round as number) > ours.round)) {
    const ticketId = db.prepare('SELECT id FROM tickets WHERE run_id = ? AND round = ?').pluck().get(runId, theirs.round) as number | undefined;
    if (ticketId === undefined) throw refuse(file, `run ${String(r.id)}'s checkpoint names round ${String(theirs.round)}, which has no ticket`);
    const old = db.prepare('SELECT tensor_id FROM checkpoint_tensors WHERE run_id = ?').pluck().all(runId) as number[];
    db.prepare('DELETE FROM checkpoint_tensors WHERE run_id = ?').run(runId);
    db.prepare('DELETE FROM checkpoints WHERE run_id = ?').run(runId);
    insertCopy(db, 'checkpoints', theirs, { run_id: runId, ticket_id: ticketId });
    for (const c of shard.prepare('SELECT * FROM checkpoint_tensors WHERE run_id = ?').all(r.id) as Row[]) {
      insertCopy(db, 'checkpoint_tensors', c, { run_id: runId, tensor_id: tensorInMain(db, shard, c.tensor_id, tensors) });
    }
    deleteOrphanTensors(db, old);
    wrote = true;
  }

  // Status, summary and provenance follow the copy that is further along (a finished run is never set back).
  const theirLast = (r.last_round as number | null) ?? -1;
  const ourLast = isNew ? -1 : ((main.last_round as number | null) ?? -1);
  if (!isNew) {
    if (theirLast > ourLast || (theirLast === ourLast && main.status !== 'finished')) {
      const changed = RUN_STATE_COLUMNS.filter((c) => c in state && state[c] !== main[c]);
      if (changed.length > 0) {
        db.prepare(`UPDATE runs SET ${changed.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...changed.map((c) => state[c]), runId);
        wrote = true;
      }
    }
  }

  // Provenance: the shard's record of its attempts, and which shard the run came from.
  if (theirLast >= ourLast && tableExists(db, 'run_provenance')) {
    const source = tableExists(shard, 'run_provenance') ? ((shard.prepare('SELECT * FROM run_provenance WHERE run_id = ?').get(r.id) as Row | undefined) ?? {}) : {};
    const wanted: Row = {
      host: source.host ?? r.host ?? null,
      slurm_job_id: source.slurm_job_id ?? null,
      slurm_array_job_id: source.slurm_array_job_id ?? null,
      slurm_array_task_id: source.slurm_array_task_id ?? null,
      attempts: source.attempts ?? '[]',
      backend: source.backend ?? r.backend ?? null,
      app_version: source.app_version ?? r.app_version ?? null,
      dataset_checksum: source.dataset_checksum ?? r.dataset_checksum ?? null,
      shard: file,
      shard_run_id: r.id,
    };
    const current = db.prepare('SELECT * FROM run_provenance WHERE run_id = ?').get(runId) as Row | undefined;
    if (!current || Object.keys(wanted).some((k) => current[k] !== wanted[k])) {
      db.prepare('DELETE FROM run_provenance WHERE run_id = ?').run(runId);
      insertCopy(db, 'run_provenance', {}, { ...wanted, run_id: runId, merged: isoNow(options.now) });
      wrote = true;
    }
  }

  if (wrote) refreshExperimentStatus(db, experimentId, options.now);
  const after = db.prepare('SELECT status, (SELECT count(*) FROM rounds WHERE run_id = runs.id) AS rounds FROM runs WHERE id = ?').get(runId) as { status: string; rounds: number };
  return {
    shardRunId: r.id as number,
    runId,
    experimentId,
    method: String(r.method),
    seed: r.seed as number,
    action: isNew ? 'copied' : rounds.length > 0 ? 'extended' : wrote ? 'updated' : 'unchanged',
    roundsAdded: rounds.length,
    rounds: after.rounds,
    status: after.status,
  };
}
