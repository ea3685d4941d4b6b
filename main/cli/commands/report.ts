import { mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { invalidInput, LabError } from '../../contract/errors.js';
import { withLab } from '../lab-client.js';
import { LIBRARY_HELP, parseId } from '../library-options.js';
import { out } from '../output.js';

/** Help text of `colt report`. */
export const REPORT_HELP = `colt report RUN... | --experiment eN [--out FILE.html] [--pdf] [--csv] [--force]
  A comparison report of the runs (mean ± std over seeds, per method): one self-contained HTML
  file; --csv also writes the numbers, --pdf prints it through Chromium ($COLT_CHROMIUM or chromium).
  --experiment eN     every run of an experiment (instead of run ids)
  --out FILE.html     where to write (default: <experiment name>-report.html in this folder);
                      the CSV and PDF go next to it with the same name
  --force             overwrite existing files
${LIBRARY_HELP}`;

/** `colt report`. */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      experiment: { type: 'string' },
      out: { type: 'string' },
      pdf: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      library: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out(REPORT_HELP);
    return 0;
  }
  if (values.experiment !== undefined && positionals.length > 0) throw invalidInput('give run ids or --experiment, not both');
  if (values.experiment === undefined && positionals.length === 0) {
    out(REPORT_HELP);
    return 2;
  }
  const selection = values.experiment !== undefined ? { experimentId: parseId(values.experiment, 'experiment', 'e') } : { runIds: positionals.map((p) => parseId(p, 'run', 'r')) };
  const target = values.out !== undefined ? path.resolve(values.out) : undefined;
  if (target !== undefined && !/\.html?$/i.test(target)) throw invalidInput(`--out '${values.out}': the report file must end in .html`, { field: 'out' });
  // The CLI makes the folder of --out as it writes (the contract writes only into existing folders); a failed report leaves none behind.
  const made = target !== undefined ? mkdirSync(path.dirname(target), { recursive: true }) : undefined;
  try {
    const report = await withLab({ library: values.library, access: 'read-only' }, (lab) =>
      lab.call('reports.create', { ...selection, ...(target !== undefined ? { path: target } : { folder: process.cwd() }), pdf: values.pdf, csv: values.csv, force: values.force }),
    );
    for (const file of report.files) out(file);
    return 0;
  } catch (e) {
    if (made !== undefined) removeEmptyFolders(path.dirname(target as string), made);
    throw asCliError(e);
  }
}

/** The contract's "exists" refusal in the CLI's words, which name the option that overrides it. */
function asCliError(e: unknown): unknown {
  const file = e instanceof LabError && e.details?.reason === 'exists' ? e.details.file : undefined;
  return typeof file === 'string' ? invalidInput(`${file} already exists; choose another --out or pass --force to overwrite it`, { field: 'out', file }) : e;
}

/** Removes the folders from `dir` up to `top` that are empty (those mkdir made for a report that failed). */
function removeEmptyFolders(dir: string, top: string): void {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
    if (d === top || path.dirname(d) === d) return;
  }
}
