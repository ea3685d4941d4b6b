import { parseArgs } from 'node:util';
import { invalidInput } from '../../contract/errors.js';
import { openLibrary } from '../../library/db.js';
import { writeReport } from '../../report/create.js';
import type { ReportSelection } from '../../report/selection.js';
import { LIBRARY_HELP, libraryPath, parseId } from '../library-options.js';
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
  const selection: ReportSelection =
    values.experiment !== undefined ? { experimentId: parseId(values.experiment, 'experiment', 'e') } : { runs: positionals.map((p) => parseId(p, 'run', 'r')) };
  const db = openLibrary(libraryPath(values.library), { readOnly: true });
  try {
    const written = await writeReport(db, selection, {
      ...(values.out !== undefined ? { out: values.out } : {}),
      pdf: values.pdf,
      csv: values.csv,
      force: values.force,
    });
    for (const file of [written.html, written.csv, written.pdf]) if (file) out(file);
    return 0;
  } finally {
    db.close();
  }
}
