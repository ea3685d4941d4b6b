/// <reference lib="dom" />
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempHome } from '../helpers/cli.js';
import { dropFiles } from './ui/drop.js';
import { serve, type Served } from './ui/serve.js';

// The workbench end to end (issue 8, Must show): Debian's Chromium driving a real `colt serve` on a
// real library. One server and one page, steps in order: each step builds on the one before.
const SHOTS = path.join(ROOT, 'test-output', 'screenshots');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let server: Served;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function shot(name: string): Promise<void> {
  // Let charts finish their first paint (animations are off; a frame or two for layout).
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

async function fill(id: string, value: string): Promise<void> {
  await page.fill(`#${id}`, value);
}

describe('the workbench UI in Chromium against colt serve (slow)', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await serve(tempHome());
    browser = await chromium.launch({ executablePath: process.env.COLT_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (m) => {
      // A command's error reply (4xx/5xx) is logged by Chromium as a failed resource; the UI shows those itself.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens on the runs screen with the token taken out of the address bar', async () => {
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    expect(page.url()).not.toContain('token=');
    await page.getByText('Nothing is training').waitFor();
  });

  it('fills the setup form from the quick preset, shows a validation error next to its field, and the estimate', async () => {
    await page.getByRole('button', { name: 'New experiment' }).first().click();
    await page.locator('#preset-select').selectOption('quick');
    // Every field of the config is generated from the schema, with its help text and the preset's value.
    await page.locator('#cfg-training-duration').waitFor();
    await expect.poll(() => page.locator('#cfg-training-duration').inputValue()).toBe('3ep');
    await expect(page.locator('#cfg-training-duration-help').textContent()).resolves.toContain('preset');
    // A bad value: the server's error names the field and shows next to it.
    await fill('cfg-training-batchSize', '0');
    await page.locator('#cfg-training-batchSize-error').waitFor({ timeout: 15_000 });
    expect(await page.locator('#cfg-training-batchSize-error').textContent()).toMatch(/0|small|positive/i);
    await shot('setup-error');
    // Shrink the quick preset so a round takes seconds: 1 epoch on 3,000 images, 2 rounds, IMP and COLT.
    await fill('cfg-training-batchSize', '60');
    await fill('cfg-training-duration', '1ep');
    await fill('cfg-data-trainLimit', '3000');
    await fill('cfg-data-testLimit', '500');
    await fill('cfg-stop-maxRounds', '2');
    await page.getByRole('group', { name: 'methods' }).getByLabel('random').uncheck();
    await page.getByText('Config is valid').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('estimate-runs').textContent()).toBe('2');
    await shot('setup');
  });

  it('starts the experiment and shows the runs training, then round 1 stored', async () => {
    await page.getByRole('button', { name: 'Start experiment' }).click();
    await page.getByRole('heading', { name: 'Runs', exact: true }).waitFor();
    await page.locator('.run-card').first().waitFor({ timeout: 60_000 });
    // Live progress from run.progress events, or the stored round if it was faster than the page.
    await page.locator('.progress-line:has-text("img/s"), [data-testid=stored-round]:has-text("stored:")').first().waitFor({ timeout: 120_000 });
    await shot('runs-live');
    await page.locator('[data-testid=stored-round]', { hasText: /Round [12] stored/ }).first().waitFor({ timeout: 240_000 });
    await page.getByText('Nothing is training').waitFor({ timeout: 300_000 });
    await expect.poll(() => page.locator('.run-card .badge.finished').count(), { timeout: 20_000 }).toBe(2);
    await shot('runs-finished');
  });

  it('lists the experiment, runs and tickets in the library, searchable', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByRole('tab', { name: /experiments/ }).waitFor();
    await page.getByRole('cell', { name: 'quick', exact: true }).first().waitFor();
    await page.getByRole('tab', { name: /tickets/ }).click();
    await page.getByPlaceholder('Search tickets…').fill('colt');
    await expect.poll(() => page.locator('#panel-tickets tbody tr').count()).toBe(3);
    await shot('library');
  });

  it("opens a COLT ticket's heatmaps with hover, zoom and the rounds slider", async () => {
    // The newest COLT ticket first (sorted by id, descending): its last round.
    await page.locator('#panel-tickets tbody tr').first().getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { name: /Ticket \d+: COLT, round 2/ }).waitFor();
    const canvas = page.locator('canvas.heatmap-canvas').first();
    await canvas.waitFor();
    expect(await page.locator('canvas.heatmap-canvas').count()).toBe(2);
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
    await expect.poll(() => page.locator('.hover-line').first().textContent()).toMatch(/rows \d+(–\d+)?, cols \d+(–\d+)?: \d+\.\d % kept/);
    // Nearly all of a 300 × 784 layer's kept fraction is neither 0 nor 1 cell-wide, so the canvas is not blank.
    const colours = await canvas.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    expect(colours).toBeGreaterThanOrEqual(2);
    await shot('ticket');
    await page.getByRole('button', { name: /Zoom into/ }).first().click();
    await expect.poll(() => page.locator('.zoom-buttons').first().textContent()).toContain('2×');
    await page.locator('#round-slider').fill('1');
    await page.getByRole('heading', { name: /Ticket \d+: COLT, round 1/ }).waitFor();
  });

  it('compares COLT with IMP: accuracy vs sparsity, reach table, numbers, ticket overlap and the report', async () => {
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.getByRole('heading', { name: 'Compare', exact: true }).waitFor();
    await page.locator('#compare-experiment').selectOption({ index: 1 });
    await page.getByRole('cell', { name: 'COLT' }).first().waitFor();
    await expect.poll(() => page.locator('.numbers tbody tr').count()).toBe(6);
    const tickets = await server.call<{ id: number; method: string; round: number }[]>('tickets.list', {});
    const colt = tickets.find((t) => t.method === 'colt' && t.round === 2)!;
    const imp = tickets.find((t) => t.method === 'imp' && t.round === 2)!;
    await page.locator('#ticket-0').selectOption(String(colt.id));
    await page.locator('#ticket-1').selectOption(String(imp.id));
    await page.getByRole('cell', { name: 'all layers' }).waitFor();
    await shot('compare');
    const download = page.waitForEvent('download', { timeout: 60_000 }).catch(() => null);
    await page.getByRole('button', { name: 'Export report' }).click();
    const file = await download;
    const said = (await page.locator('.view > .error').allTextContents()).join(' ');
    expect(file?.suggestedFilename() ?? `no download; the page said: ${said}`).toMatch(/\.html$/);
  });

  it('imports a dropped ticket file with a link to it, and refuses a corrupt one naming what is wrong', async () => {
    const tickets = await server.call<{ id: number }[]>('tickets.list', {});
    const exported = await server.call<{ filename: string; bytes: string }>('tickets.export', { id: tickets[0].id, format: 'pytorch' });
    const corrupt = new Uint8Array(64);
    new DataView(corrupt.buffer).setBigUint64(0, 1_000_000n, true);
    corrupt.set(new TextEncoder().encode('{"mask.fc1": {"dtype": "U8"'), 8);
    await dropFiles(page, [
      { name: exported.filename, bytes: Buffer.from(exported.bytes, 'base64') },
      { name: 'corrupt.safetensors', bytes: corrupt },
    ]);
    const ok = page.getByTestId('import-ok').first();
    const refused = page.getByTestId('import-refused').first();
    await ok.waitFor({ timeout: 30_000 });
    await refused.waitFor({ timeout: 30_000 });
    expect(await refused.textContent()).toMatch(/corrupt\.safetensors.*Refused: .*(header|byte|length)/i);
    await shot('import');
    await ok.getByRole('button', { name: /Open ticket \d+/ }).click();
    await page.getByRole('heading', { name: /Ticket \d+/ }).waitFor();
    await page.locator('canvas.heatmap-canvas').first().waitFor();
  });

  it('switches to the dark theme and stays readable', async () => {
    await page.getByRole('button', { name: /Switch to dark theme/ }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot('ticket-dark');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await page.locator('#compare-experiment').selectOption({ index: 1 });
    await page.getByRole('cell', { name: 'COLT' }).first().waitFor();
    await shot('compare-dark');
    await page.getByRole('button', { name: 'Runs', exact: true }).click();
    await shot('runs-dark');
  });

  it('reaches the controls by keyboard', async () => {
    await page.getByRole('button', { name: 'Library' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: /experiments/ }).waitFor();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    expect(['BUTTON', 'INPUT', 'SELECT', 'A']).toContain(focused);
  });

  it('logged no console errors or CSP violations', () => {
    expect(problems).toEqual([]);
    expect(readdirSync(SHOTS).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(10);
  });
});

