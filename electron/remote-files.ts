// Paths on this computer mean nothing to a lab server on another machine. When the desktop app is
// connected to a remote lab, the commands that name a local file are carried out half here, in
// the main process: a ticket to import (dropped on the window, chosen in a dialog) is read here
// and sent as bytes; an exported ticket and a report come back as bytes and are written here.
// Dataset folders (datasets.add) name the server's disk and pass through unchanged.
import path from 'node:path';
import { parseCommandInput, type CommandOutput } from '../main/contract/api.js';
import { LabError } from '../main/contract/errors.js';
import { writeFileAtomic } from '../main/data/atomic-write.js';
import { readRegularFile } from '../main/data/regular-file.js';
import type { FileAccess } from '../main/service/file-access.js';
import type { LabHost } from './lab-host.js';

/**
 * The largest ticket file sent to a server: its base64 in a JSON body must fit `colt serve`'s
 * default 256 MiB request limit (base64 grows bytes by 4/3).
 */
export const MAX_UPLOAD_BYTES = 180 * 1024 * 1024;

/** What the local half needs. */
export interface LocalFilesOptions {
  /** The folders this app may read and write (the same defaults as the local lab: home, app data, working folder). */
  readonly files: FileAccess;
  /** Prints report HTML to PDF here (Electron's printToPDF): the server's system Chromium is not asked. */
  readonly printPdf?: (html: string) => Promise<Uint8Array>;
  readonly maxUploadBytes?: number;
}

/** A lab whose path-naming commands read and write files on this computer; every other command goes to `lab` unchanged. */
export function withLocalFiles<L extends LabHost>(lab: L, options: LocalFilesOptions): L {
  const call = async (command: string, input: unknown): Promise<unknown> => {
    if (command === 'tickets.import' && hasKey(input, 'path')) return importLocal(lab, input, options);
    if (command === 'tickets.export' && hasKey(input, 'path')) return exportLocal(lab, input, options);
    if (command === 'reports.create' && (hasKey(input, 'path') || hasKey(input, 'folder'))) return reportLocal(lab, input, options);
    return lab.call(command, input);
  };
  return new Proxy(lab, {
    get(target, key, receiver) {
      if (key === 'call') return call;
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function importLocal(lab: LabHost, input: unknown, o: LocalFilesOptions): Promise<unknown> {
  const { path: file } = parseCommandInput('tickets.import', input);
  const source = o.files.readable(file as string, 'path');
  const max = o.maxUploadBytes ?? MAX_UPLOAD_BYTES;
  const bytes = await readRegularFile(source, { maxBytes: max, what: 'ticket sent to a lab server', field: 'path' });
  return lab.call('tickets.import', { name: path.basename(source), bytes: bytes.toString('base64') });
}

async function exportLocal(lab: LabHost, input: unknown, o: LocalFilesOptions): Promise<unknown> {
  const { id, format, final, force, path: file } = parseCommandInput('tickets.export', input);
  const target = o.files.writable(file as string, 'path', { force });
  const out = (await lab.call('tickets.export', { id, format, final })) as CommandOutput<'tickets.export'>;
  if (out.bytes === null) throw new LabError('internal', `tickets.export: the server sent no bytes for ticket t${id}`);
  const bytes = Buffer.from(out.bytes, 'base64');
  await writeFileAtomic(target, [bytes]);
  return { filename: path.basename(target), size: bytes.length, path: target, bytes: null };
}

async function reportLocal(lab: LabHost, input: unknown, o: LocalFilesOptions): Promise<unknown> {
  const r = parseCommandInput('reports.create', input);
  const selection = r.experimentId !== undefined ? { experimentId: r.experimentId } : { runIds: r.runIds };
  const made = (await lab.call('reports.create', { ...selection, ...(r.title !== undefined ? { title: r.title } : {}) })) as CommandOutput<'reports.create'>;
  // As the lab's own writeReport: every target checked (no overwrite without force) before anything is written.
  const field = r.path !== undefined ? 'path' : 'folder';
  const html = r.path !== undefined ? r.path : path.join(o.files.folder(r.folder as string, 'folder'), made.filename);
  const stem = html.replace(/\.html?$/i, '');
  const target = (file: string): string => o.files.writable(file, field, { force: r.force });
  const files: { file: string; bytes: () => Promise<Uint8Array> }[] = [{ file: target(html), bytes: async () => Buffer.from(made.html) }];
  if (r.csv) files.push({ file: target(`${stem}.csv`), bytes: async () => Buffer.from(made.csv) });
  if (r.pdf) {
    const print = o.printPdf;
    if (!print) throw new LabError('internal', 'reports.create: this app cannot print to PDF');
    files.push({ file: target(`${stem}.pdf`), bytes: () => print(made.html) });
  }
  const contents = await Promise.all(files.map(async (f) => ({ file: f.file, data: await f.bytes() })));
  for (const c of contents) await writeFileAtomic(c.file, [c.data]);
  return { title: made.title, filename: made.filename, html: made.html, csv: made.csv, pdf: null, files: contents.map((c) => c.file) };
}

function hasKey(input: unknown, key: string): boolean {
  return typeof input === 'object' && input !== null && (input as Record<string, unknown>)[key] !== undefined;
}
