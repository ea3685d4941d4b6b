import { LabError, wireError } from '../contract/errors.js';
import { selectBackend } from '../lab/backend/index.js';
import { LabService } from '../service/lab-service.js';
import type { LabChannel } from './channel.js';
import { labOpenOptionsSchema, parseHostMessage, type LabMessage } from './protocol.js';

/** What serveLab needs besides its channel (injected by tests). */
export interface ServeLabOptions {
  /** Where notices go (malformed messages that carry no id to answer); default stderr. */
  readonly log?: (line: string) => void;
}

/** A served lab: `done` resolves once it closed (host asked, or the host went away). */
export interface ServedLab {
  readonly done: Promise<void>;
}

/**
 * Runs the lab behind a channel (DESIGN.md, Processes: the desktop app's lab lives out of
 * Electron's main process). The first message opens LabService with its job pool and the library
 * (the one writer); then every `call` goes through `LabService.call`, which validates the input
 * at this process boundary, and run events are posted as they happen. Reports are printed to PDF
 * by the host when it said it can (Electron's printToPDF needs a window, which only the main
 * process has).
 */
export function serveLab(channel: LabChannel, options: ServeLabOptions = {}): ServedLab {
  const log = options.log ?? ((line: string) => void process.stderr.write(`colt lab process: ${line}\n`));
  let service: LabService | undefined;
  let opening: Promise<LabService> | undefined;
  let closing: Promise<void> | undefined;
  let pdfId = 0;
  const pdfs = new Map<number, { resolve: (bytes: Uint8Array) => void; reject: (e: Error) => void }>();
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));

  const send = (message: LabMessage): void => {
    try {
      channel.send(message);
    } catch (e) {
      log(`could not post a ${message.kind} message: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const printPdf = (html: string): Promise<Uint8Array> =>
    new Promise((resolve, reject) => {
      const id = ++pdfId;
      pdfs.set(id, { resolve, reject });
      send({ kind: 'pdf', id, html });
    });

  const open = async (raw: unknown): Promise<LabService> => {
    const parsed = labOpenOptionsSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LabError('invalid_input', `open: field 'options.${issue.path.join('.')}': ${issue.message}`, { field: `options.${issue.path.join('.')}` });
    }
    const o = parsed.data;
    const backend = await selectBackend(o.backend);
    const lab = new LabService({
      dataDir: o.dataDir,
      libraryPath: o.libraryPath,
      backend,
      ...(o.fileRoots ? { fileRoots: o.fileRoots } : {}),
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      ...(o.hostPrintsPdf ? { printPdf } : {}),
      // The desktop app's own window is this lab's only client.
      slurmScriptLines: true,
    });
    try {
      // Opening the library now (not at the first command) marks the runs a killed lab process left
      // `running` as interrupted, so the host can say at once which runs can be resumed.
      const interrupted = (await lab.call('runs.list', { status: 'interrupted', limit: 100_000 })) as { id: number }[];
      lab.onEvent((e) => send({ kind: 'event', event: e.event, payload: e.payload }));
      service = lab;
      send({ kind: 'ready', backend: backend.name, backendReason: backend.reason, pid: process.pid, resumable: interrupted.map((r) => r.id) });
      return lab;
    } catch (e) {
      await lab.close().catch(() => undefined);
      throw e;
    }
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const p of pdfs.values()) p.reject(new LabError('cancelled', 'the lab is closing'));
      pdfs.clear();
      const lab = service ?? (await opening?.catch(() => undefined));
      // Pauses running jobs (their runs resume later) and closes the library.
      await lab?.close().catch((e: unknown) => log(`closing the lab failed: ${e instanceof Error ? e.message : String(e)}`));
      send({ kind: 'closed' });
      channel.end();
      finish();
    })();
    return closing;
  };

  channel.onHostGone(() => void close());
  channel.onMessage((raw) => {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isInteger(id) && id >= 0) send({ kind: 'reply', id, ok: false, error: { code: 'invalid_input', message: `lab process message: ${parsed.reason}` } });
      else log(`ignored a malformed message (${parsed.reason})`);
      return;
    }
    const m = parsed.message;
    if (m.kind === 'open') {
      if (opening) return log('ignored a second open');
      opening = open(m.options);
      opening.catch((e: unknown) => send({ kind: 'failed', error: wireError(e) }));
    } else if (m.kind === 'call') {
      void answer(m.id, m.command, m.input);
    } else if (m.kind === 'pdf.done') {
      const p = pdfs.get(m.id);
      pdfs.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(Buffer.from(m.pdf, 'base64'));
      else p.reject(new LabError(m.error.code === 'cancelled' ? 'cancelled' : 'internal', `printing the report to PDF failed: ${m.error.message}`));
    } else {
      void close();
    }
  });

  async function answer(id: number, command: string, input: unknown): Promise<void> {
    try {
      if (closing) throw new LabError('busy', `${command}: the lab is shutting down`);
      if (!opening) throw new LabError('internal', `${command}: the lab process has not been opened`);
      const lab = await opening;
      send({ kind: 'reply', id, ok: true, output: await lab.call(command, input) });
    } catch (e) {
      send({ kind: 'reply', id, ok: false, error: wireError(e) });
    }
  }

  return { done };
}
