import { existsSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../contract/errors.js';

/** Where Chromium is looked for when $COLT_CHROMIUM is not set, best first. */
export const CHROMIUM_CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium executable: $COLT_CHROMIUM, else the first candidate on PATH (then /usr/bin); a LabError when none is installed. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.COLT_CHROMIUM;
  if (override) {
    if (!existsSync(override)) throw new LabError('not_found', `COLT_CHROMIUM is '${override}', which does not exist`, { field: 'COLT_CHROMIUM' });
    return override;
  }
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin'];
  for (const name of CHROMIUM_CANDIDATES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (existsSync(file)) return file;
    }
  }
  throw new LabError('not_found', 'no Chromium found to print the PDF: install chromium (apt install chromium) or set COLT_CHROMIUM to its executable');
}

/** PDF options: A4 by default. */
export interface PdfOptions {
  readonly executablePath?: string;
  readonly format?: 'A4' | 'Letter';
}

/**
 * Prints a report's HTML to PDF with headless Chromium (playwright-core; no network, no GPU). The
 * page is self-contained, so nothing is fetched. Electron's printToPDF can print the same HTML.
 */
export async function htmlToPdf(html: string, options: PdfOptions = {}): Promise<Buffer> {
  const executablePath = options.executablePath ?? findChromium();
  // Imported here so that HTML-only reports never load playwright.
  const { chromium } = await import('playwright-core');
  const browser = await chromium
    .launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    .catch((e: unknown) => {
      throw new LabError('internal', `could not start Chromium at ${executablePath}: ${(e as Error).message.split('\n')[0]}`);
    });
  try {
    const page = await browser.newPage();
    // Belt and braces: the page needs nothing from outside, so refuse any request that is not inline.
    await page.route(/^(?!data:|about:)/, (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: options.format ?? 'A4', printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}
