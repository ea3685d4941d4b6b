import { diffGrid, diffMasks, filterMap, inputPixelMap, ticketFlops, valueGrid, weightBlock, type DiffGrid } from '../analysis/index.js';
import { LabError } from '../contract/errors.js';
import type { Mask } from '../lab/masks.js';
import { getModel } from '../lab/models/registry.js';
import type { ModelDef } from '../lab/models/types.js';
import { unpackBits } from '../library/bit-pack.js';
import type { Db } from '../library/db.js';
import { getTensor } from '../library/tensors.js';
import { getTicketRow, type TicketRow } from '../library/tickets.js';

// What the ticket, compare and experiment screens show beyond the lists: one layer's tensors read
// by name (never the whole ticket per request: a ResNet-18 ticket is 45 MB of θ0), and the analyses
// of main/analysis over them.

/** The model a ticket belongs to. */
function modelOf(row: TicketRow): ModelDef {
  return getModel(row.arch).build(row.inputShape, row.classes);
}

/** A ticket's masks (unpacked), without its weights. */
export function loadMasks(db: Db, id: number): Mask {
  getTicketRow(db, id);
  const rows = db.prepare('SELECT layer, total, bits FROM ticket_masks WHERE ticket_id = ? ORDER BY position').all(id) as { layer: string; total: number; bits: Buffer }[];
  return new Map(rows.map((r) => [r.layer, unpackBits(r.bits, r.total, `ticket ${id} mask ${r.layer}`)]));
}

/** One layer's mask, or undefined for a parameter the ticket does not prune. */
function layerMask(db: Db, id: number, layer: string): Uint8Array | undefined {
  const r = db.prepare('SELECT total, bits FROM ticket_masks WHERE ticket_id = ? AND layer = ?').get(id, layer) as { total: number; bits: Buffer } | undefined;
  return r ? unpackBits(r.bits, r.total, `ticket ${id} mask ${layer}`) : undefined;
}

/** One parameter's stored values (θ0 or final), or undefined when the ticket has none. */
function layerValues(db: Db, id: number, layer: string, role: 'init' | 'final'): Float32Array | undefined {
  const r = db.prepare('SELECT shape, tensor_id FROM ticket_weights WHERE ticket_id = ? AND layer = ? AND role = ?').get(id, layer, role) as { shape: string; tensor_id: number } | undefined;
  if (!r) return undefined;
  const shape = JSON.parse(r.shape) as number[];
  return getTensor(db, r.tensor_id, shape.reduce((a, d) => a * d, 1));
}

/** The parameter of that name, or not_found naming the ticket's parameters. */
function paramOf(def: ModelDef, id: number, layer: string): ModelDef['params'][number] {
  const p = def.params.find((x) => x.name === layer);
  if (!p) throw new LabError('not_found', `field 'input.layer': ticket t${id} (${def.arch}) has no parameter '${layer}' (parameters: ${def.params.map((x) => x.name).join(', ')})`, { field: 'layer' });
  return p;
}

/** Every parameter of a ticket's model (prunable or not: the head, biases, batch-norm), and its theoretical FLOPs. */
export function ticketModelFacts(db: Db, id: number) {
  const row = getTicketRow(db, id);
  const def = modelOf(row);
  const mask = loadMasks(db, id);
  const finals = new Set(db.prepare("SELECT layer FROM ticket_weights WHERE ticket_id = ? AND role = 'final'").pluck().all(id) as string[]);
  const parameters = def.params.map((p) => {
    const m = mask.get(p.name);
    let kept = p.shape.reduce((a, d) => a * d, 1);
    const count = kept;
    if (m) {
      kept = 0;
      for (let i = 0; i < m.length; i++) kept += m[i];
    }
    return { name: p.name, kind: p.kind, shape: [...p.shape], count, head: p.head, pruned: m !== undefined, kept, hasFinal: finals.has(p.name) };
  });
  return { parameters, flops: ticketFlops(def, mask) };
}

/** A masked layer as the input-pixel map (a dense layer over the flattened input) and per filter (a conv kernel). */
export function layerViews(db: Db, id: number, layer: string) {
  const row = getTicketRow(db, id);
  const p = paramOf(modelOf(row), id, layer);
  const mask = layerMask(db, id, layer);
  if (!mask) throw new LabError('invalid_input', `field 'input.layer': ticket t${id} does not prune '${layer}'`, { field: 'layer' });
  return { ticketId: id, layer, input: inputPixelMap(layer, p.shape, mask, row.inputShape), filters: filterMap(layer, p.shape, mask) };
}

/** The mask bits, θ0 and final values of a rectangle of one parameter's heatmap. */
export function weightsOf(db: Db, input: { id: number; layer: string; rowFrom: number; rowTo: number; colFrom: number; colTo: number }) {
  const row = getTicketRow(db, input.id);
  const p = paramOf(modelOf(row), input.id, input.layer);
  const init = layerValues(db, input.id, input.layer, 'init');
  if (!init) throw new LabError('not_found', `ticket t${input.id} has no stored θ0 for '${input.layer}'`, { field: 'layer' });
  const block = weightBlock(input.layer, p.shape, init, layerValues(db, input.id, input.layer, 'final'), layerMask(db, input.id, input.layer), input);
  return { ticketId: input.id, layer: input.layer, ...block };
}

/** One parameter's θ0 or final values downsampled to a heatmap grid. */
export function valuesOf(db: Db, input: { id: number; layer: string; which: 'init' | 'final'; maxRows: number; maxCols: number }) {
  const row = getTicketRow(db, input.id);
  const p = paramOf(modelOf(row), input.id, input.layer);
  const values = layerValues(db, input.id, input.layer, input.which);
  if (!values) throw new LabError('not_found', `field 'input.which': ticket t${input.id} has no stored ${input.which === 'init' ? 'θ0' : 'final weights'} for '${input.layer}'`, { field: 'which' });
  return { ticketId: input.id, which: input.which, ...valueGrid(input.layer, p.shape, values, input.maxRows, input.maxCols) };
}

/** Which weights two tickets of one architecture keep in common, per layer, with heatmap grids of the difference. */
export function diffOf(db: Db, input: { a: number; b: number; maxRows: number; maxCols: number; grids: boolean }) {
  const ra = getTicketRow(db, input.a);
  const rb = getTicketRow(db, input.b);
  if (ra.arch !== rb.arch) throw new LabError('invalid_input', `field 'input.b': tickets t${input.a} (${ra.arch}) and t${input.b} (${rb.arch}) are of different architectures`, { field: 'b' });
  const ma = loadMasks(db, input.a);
  const mb = loadMasks(db, input.b);
  if ([...ma.keys()].join('\n') !== [...mb.keys()].join('\n')) {
    throw new LabError('invalid_input', `field 'input.b': t${input.a} prunes ${[...ma.keys()].join(', ')} but t${input.b} prunes ${[...mb.keys()].join(', ')}`, { field: 'b' });
  }
  const def = modelOf(ra);
  const grids: DiffGrid[] = input.grids ? [...ma].map(([layer, m]) => diffGrid(layer, paramOf(def, input.a, layer).shape, m, mb.get(layer) as Uint8Array, input.maxRows, input.maxCols)) : [];
  return { ...diffMasks(ma, mb), grids };
}
