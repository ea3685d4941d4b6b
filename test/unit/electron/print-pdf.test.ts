// Electron cannot start here: the BrowserWindow is a stand-in that records what it was asked to do
// (the one mock, at the Electron boundary). What is checked: the window's settings, that the exact
// HTML is loaded from a file, that printToPDF's bytes come back, and that nothing is left behind.
import { existsSync, readFileSync } from 'node:fs';
import type { BrowserWindowConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { createPdfPrinter, PRINT_WINDOW_OPTIONS } from '../../../electron/print-pdf.js';

describe('createPdfPrinter', () => {
  it('prints the report HTML in a hidden script-less window and cleans up', async () => {
    const seen: { options?: BrowserWindowConstructorOptions; file?: string; html?: string; destroyed: boolean } = { destroyed: false };
    const print = createPdfPrinter((options) => {
      seen.options = options;
      return {
        loadFile: async (file) => {
          seen.file = file;
          seen.html = readFileSync(file, 'utf8');
        },
        webContents: { printToPDF: async () => Buffer.from('%PDF-1.7 test') },
        destroy: () => void (seen.destroyed = true),
      };
    });
    const pdf = await print('<html><body>COLT vs IMP</body></html>');
    expect(Buffer.from(pdf).toString()).toBe('%PDF-1.7 test');
    expect(seen.html).toBe('<html><body>COLT vs IMP</body></html>');
    expect(seen.options).toBe(PRINT_WINDOW_OPTIONS);
    expect(PRINT_WINDOW_OPTIONS).toMatchObject({ show: false, webPreferences: { javascript: false, sandbox: true, nodeIntegration: false } });
    expect(seen.destroyed).toBe(true);
    expect(existsSync(seen.file as string)).toBe(false);
  });

  it('destroys the window when printing fails', async () => {
    let destroyed = false;
    const print = createPdfPrinter(() => ({
      loadFile: async () => undefined,
      webContents: { printToPDF: async () => Promise.reject(new Error('printing failed')) },
      destroy: () => void (destroyed = true),
    }));
    await expect(print('<p>x</p>')).rejects.toThrow('printing failed');
    expect(destroyed).toBe(true);
  });
});
