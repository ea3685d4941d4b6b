import { realpathSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appVersion } from '../../common/app-version.js';
import { invalidInput } from '../../contract/errors.js';
import { checkWriteTarget } from '../../data/regular-file.js';
import { guard, openLibrary } from '../../library/db.js';
import { exportTicketFile, readTicketFile, storeImportedTicket } from '../../library/ticket-file/ticket-io.js';
import { getTicketRow, listTickets, loadTicket, type TicketFilter, type TicketRow } from '../../library/tickets.js';
import { LIBRARY_HELP, libraryPath, LIST_FILTER_OPTIONS, listFilter, optional, parseCount, parseId } from '../library-options.js';
import { info, out, pct } from '../output.js';

/** Help text of `colt tickets`. */
export const TICKETS_HELP = `colt tickets list [filters] [--json]   tickets in the library, newest first
colt tickets show ID [--json]          one ticket: provenance and per-layer sparsity
colt tickets export ID FILE            write a .safetensors ticket file (an existing FILE only with --force)
  --force                              replace FILE if it exists (never the library itself)
  --format colt|pytorch                colt-ticket/1 (default; our layout, metadata layout "hwio")
                                       or torch.nn.utils.prune style <layer>.weight_orig/_mask
                                       (PyTorch layouts and names, see below)
  --no-final                           leave out the trained (final) weights
colt tickets import FILE               validate a ticket file completely, then store it
  --arch A --input-shape HxWxC --classes N
                                       for PyTorch files that do not say (otherwise inferred)
  filters: --method M  --dataset NAME  --arch A  --run R  --experiment eN  --imported | --generated
           --min-sparsity X  --max-sparsity Y (0.9 or 90%)  --since DATE  --limit N
${LIBRARY_HELP}

PyTorch-style files: our parameter names are PyTorch module paths (conv1.weight,
layer2.0.conv1.weight, fc1.weight); batch-norm scale/shift are <bn>.weight/<bn>.bias; the
classifier 'head' is written linear (ResNets), classifier (VGGs) or fc (others) and read from any
of these; ResNet shortcuts are <block>.shortcut.0|1 (downsample.0|1 also read). Conv kernels
are transposed between [kh,kw,in,out] and [out,in,kh,kw], dense kernels between [in,out] and
[out,in], and the first dense layer after a flatten has its inputs reordered (h,w,c) <-> (c,h,w).`;

/** `colt tickets list|show|export|import`. */
export async function ticketsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...LIST_FILTER_OPTIONS,
      run: { type: 'string' },
      imported: { type: 'boolean', default: false },
      generated: { type: 'boolean', default: false },
      format: { type: 'string' },
      'no-final': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'input-shape': { type: 'string' },
      classes: { type: 'string' },
      json: { type: 'boolean', default: false },
      library: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined) {
    out(TICKETS_HELP);
    return values.help ? 0 : 2;
  }
  if (!['list', 'show', 'export', 'import'].includes(sub)) throw invalidInput(`colt tickets: unknown subcommand '${sub}' (list, show, export, import)`);
  const library = libraryPath(values.library);
  if (sub === 'import') {
    if (rest.length !== 1) throw invalidInput('colt tickets import: expected FILE');
    const options = {
      appVersion: appVersion(),
      ...optional('arch', values.arch),
      ...optional('inputShape', parseInputShape(values['input-shape'])),
      ...optional('classes', parseCount(values.classes, '--classes')),
    };
    // The file is read and validated before the library is opened, so a refused file creates no library.
    const prepared = await readTicketFile(rest[0], options);
    const db = openLibrary(library);
    try {
      const result = storeImportedTicket(db, prepared, options);
      for (const note of result.notes) info(`note: ${note}`);
      if (values.json) out(JSON.stringify({ type: 'import', ...result }));
      else if (result.duplicate) info(`${rest[0]} was imported before, as ticket ${result.ticketId}; nothing written`);
      else info(`imported ${rest[0]} as ticket ${result.ticketId} (${result.format}, ${result.arch}, sparsity ${pct(result.sparsity)})`);
      return 0;
    } finally {
      db.close();
    }
  }
  const db = openLibrary(library, { readOnly: true });
  try {
    if (sub === 'list') {
      if (rest.length > 0) throw invalidInput(`colt tickets list: unexpected argument '${rest[0]}'`);
      if (values.imported && values.generated) throw invalidInput('colt tickets list: --imported and --generated exclude each other');
      const filter: TicketFilter = {
        ...listFilter(values),
        ...optional('runId', values.run !== undefined ? parseId(values.run, 'run', 'r') : undefined),
        ...optional('origin', values.imported ? ('file' as const) : values.generated ? ('run' as const) : undefined),
      };
      const tickets = guard('list tickets', () => listTickets(db, filter));
      if (values.json) for (const t of tickets) out(JSON.stringify(t));
      else if (tickets.length === 0) out('no tickets match');
      else {
        out(`${'id'.padStart(5)}  ${'source'.padEnd(22)} ${'method'.padEnd(6)} ${'seed'.padStart(4)} ${'round'.padStart(5)}  ${'arch'.padEnd(13)} ${'dataset'.padEnd(20)} sparsity  created`);
        for (const t of tickets) out(ticketLine(t));
      }
      return 0;
    }
    if (sub === 'show') {
      if (rest.length !== 1) throw invalidInput('colt tickets show: expected one ticket id');
      const id = parseId(rest[0], 'ticket', 't');
      const row = getTicketRow(db, id);
      const ticket = loadTicket(db, id, { final: false });
      const layers = [...ticket.mask].map(([name, m]) => {
        let kept = 0;
        for (let i = 0; i < m.length; i++) kept += m[i];
        return { layer: name, shape: ticket.shapes.get(name) ?? [], kept, total: m.length, sparsity: row.layerSparsity[name] ?? 1 - kept / m.length };
      });
      if (values.json) {
        out(JSON.stringify({ ...row, layers }));
        return 0;
      }
      out(`ticket ${row.id}: ${row.arch} (${row.inputShape.join('x')}, ${row.classes} classes), ${row.prunable} prunable, sparsity ${pct(row.sparsity)} (${pct(row.sparsityAll)} of all weights), ${row.kept}/${row.prunableCount} weights kept`);
      out(`  ${provenance(row)}`);
      out(`  method ${row.method ?? '—'}, seed ${row.seed ?? '—'}, round ${row.round ?? '—'}, dataset ${row.dataset ?? '—'}; final weights ${row.hasFinal ? 'stored' : 'not stored'}; app ${row.appVersion}; ${row.created}`);
      const width = Math.max(5, ...layers.map((l) => l.layer.length));
      out(`  ${'layer'.padEnd(width)}  ${'shape'.padEnd(16)} ${'kept'.padStart(10)} / ${'total'.padEnd(10)} sparsity`);
      for (const l of layers) out(`  ${l.layer.padEnd(width)}  ${`[${l.shape.join(',')}]`.padEnd(16)} ${String(l.kept).padStart(10)} / ${String(l.total).padEnd(10)} ${pct(l.sparsity)}`);
      return 0;
    }
    if (sub === 'export') {
      if (rest.length !== 2) throw invalidInput('colt tickets export: expected ID FILE');
      const format = values.format ?? 'colt';
      if (format !== 'colt' && format !== 'pytorch') throw invalidInput(`--format '${format}': expected colt or pytorch`);
      const id = parseId(rest[0], 'ticket', 't');
      const target = path.resolve(rest[1]);
      if (isLibraryFile(target, library)) throw invalidInput(`${rest[1]} is the library (or its WAL); a ticket is never written over it`, { field: 'FILE', reason: 'protected' });
      if (checkWriteTarget(target) === 'file' && !values.force) throw invalidInput(`${rest[1]} exists; pass --force to overwrite it`, { field: 'FILE', reason: 'exists' });
      const bytes = await exportTicketFile(db, id, target, { format, final: !values['no-final'], appVersion: appVersion() });
      if (values.json) out(JSON.stringify({ type: 'export', ticketId: id, file: rest[1], format, bytes }));
      else info(`ticket ${id} → ${rest[1]} (${format === 'colt' ? 'colt-ticket/1' : 'PyTorch prune style'}, ${bytes} bytes)`);
      return 0;
    }
    throw invalidInput(`colt tickets: unknown subcommand '${sub}'`);
  } finally {
    db.close();
  }
}

/** True when `target` is the library file or one of SQLite's files beside it, links resolved. */
function isLibraryFile(target: string, library: string): boolean {
  const real = (p: string): string => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const t = real(target);
  return [library, `${library}-wal`, `${library}-shm`, `${library}-journal`].some((f) => real(f) === t);
}

function ticketLine(t: TicketRow): string {
  const source = t.runId !== null ? `run ${t.runId} (e${t.experimentId})` : `file ${t.sourceFile ?? '?'}`;
  return `${String(t.id).padStart(5)}  ${source.slice(0, 22).padEnd(22)} ${(t.method ?? '—').padEnd(6)} ${String(t.seed ?? '—').padStart(4)} ${String(t.round ?? '—').padStart(5)}  ${t.arch.padEnd(13)} ${(t.dataset ?? '—').slice(0, 20).padEnd(20)} ${pct(t.sparsity).padStart(8)}  ${t.created.slice(0, 16).replace('T', ' ')}`;
}

function provenance(t: TicketRow): string {
  if (t.runId !== null) return `generated by run ${t.runId} (experiment e${t.experimentId}), round ${t.round}`;
  return `imported from ${t.sourceFile ?? '?'} (${t.sourceFormat ?? '?'}, sha256 ${t.sourceSha256 ?? '?'})`;
}

function parseInputShape(text: string | undefined): [number, number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^([1-9][0-9]{0,3})x([1-9][0-9]{0,3})x([1-9][0-9]{0,3})$/.exec(text.trim());
  if (!m) throw invalidInput(`--input-shape '${text}': expected HxWxC such as 32x32x3`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
