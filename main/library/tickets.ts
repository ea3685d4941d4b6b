import { createHash } from 'node:crypto';
import { LabError } from '../contract/errors.js';
import type { ExperimentConfig } from '../contract/experiment-config.js';
import { countViolations, sparsity, type Mask } from '../lab/masks.js';
import { countWeights } from '../lab/models/registry.js';
import type { ModelDef } from '../lab/models/types.js';
import { prunableSizes } from '../lab/pruning.js';
import type { WeightMap } from '../lab/weights.js';
import { countOnes, packBits, unpackBits } from './bit-pack.js';
import { guard, isoNow, type Db } from './db.js';
import { deleteOrphanTensors, getTensor, putTensor } from './tensors.js';

/** Which weights a ticket's mask covers (the config's `pruning.layers`). */
export type PrunableSet = ExperimentConfig['pruning']['layers'];

/** Where a ticket comes from: a run's round, or an imported file (name and sha256). */
export type TicketProvenance =
  | { readonly kind: 'run'; readonly runId: number; readonly round: number }
  | { readonly kind: 'file'; readonly file: string; readonly sha256: string; readonly format: string; readonly round: number | null };

/** Everything stored about a ticket besides its tensors. */
export interface TicketRow {
  readonly id: number;
  readonly runId: number | null;
  readonly experimentId: number | null;
  readonly round: number | null;
  readonly sourceFile: string | null;
  readonly sourceSha256: string | null;
  readonly sourceFormat: string | null;
  readonly arch: string;
  readonly inputShape: readonly [number, number, number];
  readonly classes: number;
  readonly method: string | null;
  readonly dataset: string | null;
  readonly datasetChecksum: string | null;
  readonly seed: number | null;
  readonly prunable: PrunableSet;
  /** Pruned / prunable weights, and pruned / all weights of the model. */
  readonly sparsity: number;
  readonly sparsityAll: number;
  readonly kept: number;
  readonly prunableCount: number;
  readonly layerSparsity: Record<string, number>;
  readonly hasFinal: boolean;
  /** The mask check of the final weights: how many are not zero where the mask is 0 (null without final weights, or stored before the check). */
  readonly maskViolations: number | null;
  readonly appVersion: string;
  readonly created: string;
}

/** A ticket with its tensors, layers in model order; shapes per parameter name. */
export interface StoredTicket {
  readonly row: TicketRow;
  readonly mask: Mask;
  readonly init: WeightMap;
  readonly final?: WeightMap;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
}

/** What inserting a ticket needs; tensors are keyed by parameter name and already validated. */
export interface NewTicket {
  readonly provenance: TicketProvenance;
  readonly def: ModelDef;
  readonly method: string | null;
  readonly dataset: string | null;
  readonly datasetChecksum: string | null;
  readonly seed: number | null;
  readonly mask: Mask;
  readonly init: WeightMap;
  readonly final?: WeightMap;
  readonly appVersion: string;
}

interface RawTicket {
  id: number;
  run_id: number | null;
  experiment_id: number | null;
  round: number | null;
  source_file: string | null;
  source_sha256: string | null;
  source_format: string | null;
  arch: string;
  input_shape: string;
  classes: number;
  method: string | null;
  dataset: string | null;
  dataset_checksum: string | null;
  seed: number | null;
  prunable: PrunableSet;
  sparsity: number;
  sparsity_all: number;
  kept: number;
  prunable_count: number;
  layer_sparsity: string;
  has_final: number;
  mask_violations: number | null;
  app_version: string;
  created: string;
}

const SELECT_TICKET = `SELECT t.*, r.experiment_id AS experiment_id FROM tickets t LEFT JOIN runs r ON r.id = t.run_id`;

/** The prunable set whose layers the mask covers exactly, or undefined when it matches none. */
export function prunableSetOf(def: ModelDef, layers: Iterable<string>): PrunableSet | undefined {
  const names = [...layers].sort().join('\n');
  if (names === '') return undefined;
  for (const set of ['conv', 'conv+dense', 'all'] as const) {
    if ([...prunableSizes(def, set).keys()].sort().join('\n') === names) return set;
  }
  return undefined;
}

/**
 * Inserts a ticket: its row, its bit-packed masks and its weights (through the content-addressed
 * tensor store). Shapes come from the model definition. Call inside a transaction.
 */
export function insertTicket(db: Db, t: NewTicket, now?: () => Date): number {
  const prunable = prunableSetOf(t.def, t.mask.keys());
  if (!prunable) throw new LabError('internal', `ticket mask layers (${[...t.mask.keys()].join(', ')}) are no prunable set of ${t.def.arch}`);
  const s = sparsity(t.mask, countWeights(t.def));
  const p = t.provenance;
  // The mask check (checked, not assumed): final weights must be exactly 0 wherever the mask is 0.
  let violations: number | null = null;
  if (t.final) {
    violations = 0;
    for (const [layer, m] of t.mask) {
      const w = t.final.get(layer);
      if (w) violations += countViolations(w, m);
    }
  }
  const id = Number(
    db
      .prepare(
        `INSERT INTO tickets (run_id, round, source_file, source_sha256, source_format, arch, input_shape, classes, method, dataset,
           dataset_checksum, seed, prunable, sparsity, sparsity_all, kept, prunable_count, layer_sparsity, has_final, mask_violations, app_version, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.kind === 'run' ? p.runId : null,
        p.round,
        p.kind === 'file' ? p.file : null,
        p.kind === 'file' ? p.sha256 : null,
        p.kind === 'file' ? p.format : null,
        t.def.arch,
        JSON.stringify(t.def.inputShape),
        t.def.classes,
        t.method,
        t.dataset,
        t.datasetChecksum,
        t.seed,
        prunable,
        s.overall,
        s.overAll,
        s.kept,
        s.prunable,
        JSON.stringify(s.perLayer),
        t.final ? 1 : 0,
        violations,
        t.appVersion,
        isoNow(now),
      ).lastInsertRowid,
  );
  const shapes = new Map(t.def.params.map((q, i) => [q.name, { shape: q.shape, position: i }]));
  const insMask = db.prepare('INSERT INTO ticket_masks (ticket_id, layer, position, shape, kept, total, bits, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  for (const [layer, m] of t.mask) {
    const spec = shapes.get(layer);
    if (!spec) throw new LabError('internal', `ticket mask names unknown layer ${layer}`);
    const bits = packBits(m);
    insMask.run(id, layer, spec.position, JSON.stringify(spec.shape), countOnes(m), m.length, bits, createHash('sha256').update(bits).digest());
  }
  const insWeight = db.prepare('INSERT INTO ticket_weights (ticket_id, role, layer, position, shape, tensor_id) VALUES (?, ?, ?, ?, ?, ?)');
  const roles: ['init' | 'final', WeightMap | undefined][] = [
    ['init', t.init],
    ['final', t.final],
  ];
  for (const [role, weights] of roles) {
    for (const [layer, values] of weights ?? []) {
      const spec = shapes.get(layer);
      if (!spec) throw new LabError('internal', `ticket ${role} weights name unknown layer ${layer}`);
      insWeight.run(id, role, layer, spec.position, JSON.stringify(spec.shape), putTensor(db, values));
    }
  }
  return id;
}

/** One ticket's row, or a not_found LabError. */
export function getTicketRow(db: Db, id: number): TicketRow {
  const r = db.prepare(`${SELECT_TICKET} WHERE t.id = ?`).get(id) as RawTicket | undefined;
  if (!r) throw new LabError('not_found', `no ticket ${id} in this library`, { ticket: id });
  return toRow(r);
}

/** The ticket a run's round produced, if stored. */
export function ticketOfRound(db: Db, runId: number, round: number): number | undefined {
  return db.prepare('SELECT id FROM tickets WHERE run_id = ? AND round = ?').pluck().get(runId, round) as number | undefined;
}

/** The ticket imported from a file with this sha256, if any. */
export function ticketOfSource(db: Db, sha256: string): number | undefined {
  return db.prepare('SELECT id FROM tickets WHERE source_sha256 = ?').pluck().get(sha256) as number | undefined;
}

interface MaskRow {
  layer: string;
  total: number;
  kept: number;
  bits: Buffer;
  sha256: Buffer | null;
}

/** A stored mask, unpacked after its bytes are checked against their sha256 and its ones against the count stored with it. */
function readMask(m: MaskRow, what: string): Uint8Array {
  const damaged = (why: string): LabError => new LabError('storage', `the library is damaged: ${what} ${why}`, { table: 'ticket_masks', layer: m.layer });
  if (m.sha256 !== null && !createHash('sha256').update(m.bits).digest().equals(m.sha256)) throw damaged('does not match its stored sha256');
  let mask: Uint8Array;
  try {
    mask = unpackBits(m.bits, m.total, what);
  } catch (e) {
    throw damaged(`is unreadable (${(e as Error).message})`);
  }
  if (countOnes(mask) !== m.kept) throw damaged(`keeps ${countOnes(mask)} weights where the library recorded ${m.kept}`);
  return mask;
}

/**
 * A ticket with its masks (unpacked) and weights, in model order. Every mask and tensor is checked
 * against its sha256; a damaged library is a storage error naming the ticket, layer and tensor.
 */
export function loadTicket(db: Db, id: number, options: { final?: boolean } = {}): StoredTicket {
  return guard(`read ticket t${id}`, () => {
    const row = getTicketRow(db, id);
    const shapes = new Map<string, readonly number[]>();
    const mask: Mask = new Map();
    const masks = db.prepare('SELECT layer, shape, total, kept, bits, sha256 FROM ticket_masks WHERE ticket_id = ? ORDER BY position').all(id) as (MaskRow & { shape: string })[];
    for (const m of masks) {
      mask.set(m.layer, readMask(m, `ticket t${id} mask ${m.layer}`));
      shapes.set(m.layer, parseShape(m.shape, `ticket t${id} mask ${m.layer}`));
    }
    const init: WeightMap = new Map();
    const final: WeightMap = new Map();
    const weights = db
      .prepare(`SELECT role, layer, shape, tensor_id FROM ticket_weights WHERE ticket_id = ? ${options.final === false ? "AND role = 'init'" : ''} ORDER BY role DESC, position`)
      .all(id) as { role: 'init' | 'final'; layer: string; shape: string; tensor_id: number }[];
    for (const w of weights) {
      const shape = parseShape(w.shape, `ticket t${id} ${w.role} ${w.layer}`);
      shapes.set(w.layer, shape);
      (w.role === 'init' ? init : final).set(w.layer, getTensor(db, w.tensor_id, shape.reduce((a, b) => a * b, 1), `ticket t${id} ${w.role} ${w.layer}`));
    }
    return { row, mask, init, ...(final.size > 0 ? { final } : {}), shapes };
  });
}

/** The masks of a run's tickets, indexed by round (what the reinit control needs of IMP after a resume), checked as loadTicket checks them. */
export function loadRunMasks(db: Db, runId: number): Mask[] {
  return guard(`read the masks of run ${runId}`, () => {
    const rows = db
      .prepare('SELECT t.id, t.round, m.layer, m.total, m.kept, m.bits, m.sha256 FROM tickets t JOIN ticket_masks m ON m.ticket_id = t.id WHERE t.run_id = ? ORDER BY t.round, m.position')
      .all(runId) as (MaskRow & { id: number; round: number })[];
    const masks: Mask[] = [];
    for (const r of rows) {
      masks[r.round] ??= new Map();
      masks[r.round].set(r.layer, readMask(r, `ticket t${r.id} (run ${runId} round ${r.round}) mask ${r.layer}`));
    }
    return masks;
  });
}

/** A shape column: a JSON list of positive integers, or a storage error naming what it belongs to. */
function parseShape(text: string, what: string): number[] {
  let shape: unknown;
  try {
    shape = JSON.parse(text);
  } catch {
    shape = undefined;
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new LabError('storage', `the library is damaged: the shape of ${what} is unreadable`, { table: 'ticket_weights' });
  }
  return shape as number[];
}

/** Filters of `colt tickets list` (all optional). */
export interface TicketFilter {
  readonly method?: string;
  readonly dataset?: string;
  readonly arch?: string;
  readonly runId?: number;
  readonly experimentId?: number;
  /** Only generated (run) or only imported (file) tickets. */
  readonly origin?: 'run' | 'file';
  /** ISO-8601 time: tickets created at or after it. */
  readonly since?: string;
  readonly minSparsity?: number;
  readonly maxSparsity?: number;
  readonly limit?: number;
}

/** Ticket rows matching a filter, newest first. */
export function listTickets(db: Db, f: TicketFilter = {}): TicketRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (clause: string, value?: unknown): void => {
    where.push(clause);
    if (value !== undefined) args.push(value);
  };
  if (f.method !== undefined) add('t.method = ?', f.method);
  if (f.dataset !== undefined) add('t.dataset = ?', f.dataset);
  if (f.arch !== undefined) add('t.arch = ?', f.arch);
  if (f.runId !== undefined) add('t.run_id = ?', f.runId);
  if (f.experimentId !== undefined) add('r.experiment_id = ?', f.experimentId);
  if (f.origin === 'run') add('t.run_id IS NOT NULL');
  if (f.origin === 'file') add('t.run_id IS NULL');
  if (f.since !== undefined) add('t.created >= ?', f.since);
  if (f.minSparsity !== undefined) add('t.sparsity >= ?', f.minSparsity);
  if (f.maxSparsity !== undefined) add('t.sparsity <= ?', f.maxSparsity);
  const sql = `${SELECT_TICKET}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY t.id DESC${f.limit !== undefined ? ' LIMIT ?' : ''}`;
  if (f.limit !== undefined) args.push(f.limit);
  return (db.prepare(sql).all(...args) as RawTicket[]).map(toRow);
}

function toRow(r: RawTicket): TicketRow {
  return {
    id: r.id,
    runId: r.run_id,
    experimentId: r.experiment_id,
    round: r.round,
    sourceFile: r.source_file,
    sourceSha256: r.source_sha256,
    sourceFormat: r.source_format,
    arch: r.arch,
    inputShape: JSON.parse(r.input_shape) as [number, number, number],
    classes: r.classes,
    method: r.method,
    dataset: r.dataset,
    datasetChecksum: r.dataset_checksum,
    seed: r.seed,
    prunable: r.prunable,
    sparsity: r.sparsity,
    sparsityAll: r.sparsity_all,
    kept: r.kept,
    prunableCount: r.prunable_count,
    layerSparsity: JSON.parse(r.layer_sparsity) as Record<string, number>,
    hasFinal: r.has_final === 1,
    maskViolations: r.mask_violations,
    appVersion: r.app_version,
    created: r.created,
  };
}

/** Deletes an imported ticket and the tensors only it used. Tickets made by runs go with their experiment. Call inside a transaction. */
export function deleteImportedTicket(db: Db, id: number): void {
  const row = getTicketRow(db, id);
  if (row.runId !== null) {
    throw new LabError('invalid_input', `ticket t${id} was made by run ${row.runId} (round ${row.round}); delete experiment e${row.experimentId} to remove it`, { field: 'id' });
  }
  const tensors = db.prepare('SELECT tensor_id FROM ticket_weights WHERE ticket_id = ?').pluck().all(id) as number[];
  db.prepare('DELETE FROM tickets WHERE id = ?').run(id);
  deleteOrphanTensors(db, tensors);
}
