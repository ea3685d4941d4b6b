import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CommandOutput } from '../../contract/api.js';
import { invalidInput, LabError } from '../../contract/errors.js';
import { checkWriteTarget } from '../../data/regular-file.js';
import { withLab } from '../lab-client.js';
import { COMMON_OPTIONS, LIBRARY_HELP, libraryPath, LIST_FILTER_OPTIONS, listFilter, MAX_LIST, optional, parseCount, parseId, subcommandOf } from '../library-options.js';
import { info, out, pct } from '../output.js';

type TicketSummary = CommandOutput<'tickets.list'>[number];

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
      ...COMMON_OPTIONS,
    },
    strict: true,
    allowPositionals: true,
  });
  const parsed = subcommandOf('tickets', positionals, { help: values.help, text: TICKETS_HELP, known: ['list', 'show', 'export', 'import'] });
  if (typeof parsed === 'number') return parsed;
  const { sub, rest } = parsed;
  const library = libraryPath(values.library);
  if (sub === 'import') {
    if (rest.length !== 1) throw invalidInput('colt tickets import: expected FILE');
    if (!existsSync(rest[0])) throw new LabError('not_found', `${rest[0]}: no such file or folder`, { file: rest[0] });
    const input = {
      path: path.resolve(rest[0]),
      ...optional('arch', values.arch),
      ...optional('inputShape', parseInputShape(values['input-shape'])),
      ...optional('classes', parseCount(values.classes, '--classes')),
    };
    // tickets.import reads and validates the file before it opens the library, so a refused file creates no library.
    const result = await withLab({ library: values.library }, (lab) => lab.call('tickets.import', input));
    for (const note of result.notes) info(`note: ${note}`);
    if (values.json) out(JSON.stringify(result));
    else if (result.duplicate) info(`${rest[0]} was imported before, as ticket ${result.ticketId}; nothing written`);
    else info(`imported ${rest[0]} as ticket ${result.ticketId} (${result.format}, ${result.ticket.arch}, sparsity ${pct(result.ticket.sparsity)})`);
    return 0;
  }
  return withLab({ library: values.library, access: 'read-only' }, async (lab) => {
    if (sub === 'list') {
      if (rest.length > 0) throw invalidInput(`colt tickets list: unexpected argument '${rest[0]}'`);
      if (values.imported && values.generated) throw invalidInput('colt tickets list: --imported and --generated exclude each other');
      const tickets = await lab.call('tickets.list', {
        limit: MAX_LIST,
        ...listFilter(values),
        ...optional('runId', values.run !== undefined ? parseId(values.run, 'run', 'r') : undefined),
        ...optional('source', values.imported ? ('file' as const) : values.generated ? ('run' as const) : undefined),
      });
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
      const shown = await lab.call('tickets.get', { id: parseId(rest[0], 'ticket', 't') });
      if (values.json) {
        out(JSON.stringify(shown));
        return 0;
      }
      const t = shown.ticket;
      out(`ticket ${t.id}: ${t.arch} (${t.inputShape.join('x')}, ${t.classes} classes), ${t.prunableLayers} prunable, sparsity ${pct(t.sparsity)} (${pct(t.sparsityAll)} of all weights), ${t.kept}/${t.prunable} weights kept`);
      out(`  ${provenance(t)}`);
      out(`  method ${t.method ?? '—'}, seed ${t.seed ?? '—'}, round ${t.round ?? '—'}, dataset ${t.dataset ?? '—'}; final weights ${t.hasFinal ? 'stored' : 'not stored'}; app ${t.appVersion}; ${t.created}`);
      const width = Math.max(5, ...shown.layers.map((l) => l.name.length));
      out(`  ${'layer'.padEnd(width)}  ${'shape'.padEnd(16)} ${'kept'.padStart(10)} / ${'total'.padEnd(10)} sparsity`);
      for (const l of shown.layers) out(`  ${l.name.padEnd(width)}  ${`[${l.shape.join(',')}]`.padEnd(16)} ${String(l.kept).padStart(10)} / ${String(l.weights).padEnd(10)} ${pct(l.sparsity)}`);
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
      const exported = await lab.call('tickets.export', { id, format, final: !values['no-final'], path: target, force: values.force });
      if (values.json) out(JSON.stringify(exported));
      else info(`ticket ${id} → ${rest[1]} (${format === 'colt' ? 'colt-ticket/1' : 'PyTorch prune style'}, ${exported.size} bytes)`);
      return 0;
    }
    throw invalidInput(`colt tickets: unknown subcommand '${sub}'`);
  });
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

function ticketLine(t: TicketSummary): string {
  const source = t.runId !== null ? `run ${t.runId} (e${t.experimentId})` : `file ${t.sourceFile ?? '?'}`;
  return `${String(t.id).padStart(5)}  ${source.slice(0, 22).padEnd(22)} ${(t.method ?? '—').padEnd(6)} ${String(t.seed ?? '—').padStart(4)} ${String(t.round ?? '—').padStart(5)}  ${t.arch.padEnd(13)} ${(t.dataset ?? '—').slice(0, 20).padEnd(20)} ${pct(t.sparsity).padStart(8)}  ${t.created.slice(0, 16).replace('T', ' ')}`;
}

function provenance(t: TicketSummary & { sourceFormat: string | null; sourceSha256: string | null }): string {
  if (t.runId !== null) return `generated by run ${t.runId} (experiment e${t.experimentId}), round ${t.round}`;
  return `imported from ${t.sourceFile ?? '?'} (${t.sourceFormat ?? '?'}, sha256 ${t.sourceSha256 ?? '?'})`;
}

function parseInputShape(text: string | undefined): [number, number, number] | undefined {
  if (text === undefined) return undefined;
  const m = /^([1-9][0-9]{0,3})x([1-9][0-9]{0,3})x([1-9][0-9]{0,3})$/.exec(text.trim());
  if (!m) throw invalidInput(`--input-shape '${text}': expected HxWxC such as 32x32x3`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
