// Reports as PDF in the desktop app (issue 9): the report's self-contained HTML is loaded into a
// hidden, script-less window of its own session and printed with Chromium's printToPDF, the same
// engine `colt report --pdf` drives through the system's Chromium. Electron is injected for tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserWindowConstructorOptions, PrintToPDFOptions } from 'electron';

/** The part of a BrowserWindow printing needs. */
export interface PrintWindow {
  loadFile(file: string): Promise<void>;
  readonly webContents: { printToPDF(options: PrintToPDFOptions): Promise<Buffer> };
  destroy(): void;
}

/** The hidden window's settings: no scripts (the report has none), sandboxed, its own session. */
export const PRINT_WINDOW_OPTIONS: BrowserWindowConstructorOptions = {
  show: false,
  webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false, partition: 'colt-print' },
};

/** A report printer for LabService's `printPdf` option. The HTML goes through a temporary file (data: URLs are size-limited). */
export function createPdfPrinter(makeWindow: (options: BrowserWindowConstructorOptions) => PrintWindow): (html: string) => Promise<Uint8Array> {
  return async (html) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'colt-report-'));
    const file = path.join(dir, 'report.html');
    const win = makeWindow(PRINT_WINDOW_OPTIONS);
    try {
      writeFileSync(file, html);
      await win.loadFile(file);
      return new Uint8Array(await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true }));
    } finally {
      win.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
