import { existsSync } from 'node:fs';
import path from 'node:path';
import { appVersion } from '../common/app-version.js';
import { invalidInput } from '../contract/errors.js';
import { writeFileAtomic } from '../data/atomic-write.js';
import type { Db } from '../library/db.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { buildReportModel, type ReportModel, type ReportModelOptions } from './model.js';
import { htmlToPdf, type PdfOptions } from './pdf.js';
import type { ReportSelection } from './selection.js';

/** A report in memory: the page, its numbers as CSV, and the model both came from. */
export interface Report {
  readonly html: string;
  readonly csv: string;
  readonly model: ReportModel;
}

/** Builds a comparison report of the selected runs (what `colt report` and the API's reports.create share). */
export function createReport(db: Db, selection: ReportSelection, options: ReportModelOptions = {}): Report {
  const model = buildReportModel(db, selection, { appVersion: appVersion(), ...options });
  return { html: renderHtml(model), csv: renderCsv(model), model };
}

/** Where and what writeReport writes. */
export interface WriteReportOptions extends ReportModelOptions {
  /** The HTML file; default `<slug of the experiment>-report.html` in `dir`. */
  readonly out?: string;
  /** Folder for the default name and for resolving a relative `out` (default: the current directory). */
  readonly dir?: string;
  /** Also write the PDF / the CSV next to the HTML (same name, other extension). */
  readonly pdf?: boolean | PdfOptions;
  /** Prints the HTML to PDF instead of the system's Chromium (the desktop app: Electron's printToPDF). */
  readonly renderPdf?: (html: string) => Promise<Uint8Array>;
  readonly csv?: boolean;
  /** Overwrite existing files (otherwise an existing file is an error and nothing is written). */
  readonly force?: boolean;
}

/** The files a report was written to. */
export interface WrittenReport {
  readonly html: string;
  readonly csv?: string;
  readonly pdf?: string;
  readonly model: ReportModel;
}

/**
 * Builds the report and writes its files: HTML, optionally CSV and PDF. Everything is rendered
 * before anything is written, and an existing file is refused without `force`, so a failed call
 * leaves no partial set behind.
 */
export async function writeReport(db: Db, selection: ReportSelection, options: WriteReportOptions = {}): Promise<WrittenReport> {
  const report = createReport(db, selection, options);
  const dir = path.resolve(options.dir ?? process.cwd());
  const html = path.resolve(dir, options.out ?? `${defaultName(report.model)}.html`);
  if (!/\.html?$/i.test(html)) throw invalidInput(`--out '${options.out}': the report file must end in .html`, { field: 'out' });
  const stem = html.replace(/\.html?$/i, '');
  const files: { file: string; bytes: () => Promise<Uint8Array> }[] = [{ file: html, bytes: async () => Buffer.from(report.html) }];
  if (options.csv) files.push({ file: `${stem}.csv`, bytes: async () => Buffer.from(report.csv) });
  if (options.pdf) files.push({ file: `${stem}.pdf`, bytes: () => (options.renderPdf ? options.renderPdf(report.html) : htmlToPdf(report.html, typeof options.pdf === 'object' ? options.pdf : {})) });
  if (!options.force) {
    const existing = files.find((f) => existsSync(f.file));
    if (existing) throw invalidInput(`${existing.file} already exists; choose another --out or pass --force to overwrite it`, { field: 'out', file: existing.file });
  }
  const contents = await Promise.all(files.map(async (f) => ({ file: f.file, data: await f.bytes() })));
  for (const c of contents) await writeFileAtomic(c.file, [c.data]);
  return {
    html,
    ...(options.csv ? { csv: `${stem}.csv` } : {}),
    ...(options.pdf ? { pdf: `${stem}.pdf` } : {}),
    model: report.model,
  };
}

/** `<experiment name>-report` as a file-name-safe slug, or `runs-1-2-3-report` across experiments. */
export function defaultName(model: ReportModel): string {
  const base = model.experiments.length === 1 ? model.experiments[0].name : `runs-${model.runs.map((r) => r.id).join('-')}`;
  const slug = base
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return `${slug || 'colt'}-report`;
}
