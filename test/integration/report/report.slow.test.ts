import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLibrary, type Db } from '../../../main/library/db.js';
import { listRounds, type RoundRow } from '../../../main/library/rounds.js';
import { runsOfExperiment } from '../../../main/library/runs.js';
import { createReport } from '../../../main/report/create.js';
import { pct } from '../../../main/report/format.js';
import { findChromium } from '../../../main/report/pdf.js';
import { colt, tempHome } from '../../helpers/cli.js';

// A real library: the quick preset shrunk to two seeds, 2 pruning rounds of 40 iterations on a small subset.
const NAME = 'lenet <i>&</i> "tiny"';
const RUN = [
  ...['run', '--preset', 'quick', '--json', '--seeds', '0,1'],
  ...['--set', 'training.duration=40it', '--set', 'stop.maxRounds=2', '--set', 'data.trainLimit=1200', '--set', 'data.testLimit=300'],
  ...['--set', `name=${NAME}`],
];

let home: string;
let library: string;
let db: Db;
let rounds: Map<string, RoundRow[][]>;

/** Mean and sample std of values, computed here independently of main/analysis. */
function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** Fails on anything a browser would fetch: http(s) or protocol-relative URLs in src/href/url(), scripts, stylesheets, fonts. */
function externalReferences(html: string): string[] {
  const patterns = [
    /\b(?:src|href|xlink:href|action|poster|data)\s*=\s*["']?\s*(?:https?:|\/\/|ftp:)[^"'\s>]*/gi,
    /url\(\s*["']?\s*(?:https?:|\/\/)[^)]*\)/gi,
    /<script\b[^>]*\bsrc\b/gi,
    /<link\b[^>]*>/gi,
    /@import\b/gi,
    /@font-face\b/gi,
    /<iframe\b/gi,
  ];
  return patterns.flatMap((p) => html.match(p) ?? []);
}

beforeAll(async () => {
  home = tempHome();
  library = path.join(home, 'library.sqlite');
  const r = await colt([...RUN, '--library', library], { COLT_HOME: home });
  expect(r.code, r.stderr).toBe(0);
  db = openLibrary(library, { mustExist: true });
  rounds = new Map();
  for (const run of runsOfExperiment(db, 1)) {
    const list = rounds.get(run.method) ?? [];
    list.push(listRounds(db, run.id));
    rounds.set(run.method, list);
  }
}, 300_000);

afterAll(() => db?.close());

describe('comparison report from a real library (slow)', () => {
  it('is self-contained: no external scripts, styles, fonts or URLs', () => {
    const { html } = createReport(db, { experimentId: 1 });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(externalReferences(html)).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    // Charts are inline SVG and heatmaps data URIs.
    expect((html.match(/<svg\b/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/src="data:image\/png;base64,/);
  });

  it('escapes strings from the library', () => {
    const { html } = createReport(db, { experimentId: 1 });
    expect(html).toContain('lenet &lt;i&gt;&amp;&lt;/i&gt; &quot;tiny&quot;');
    expect(html).not.toContain('<i>&</i>');
  });

  it("shows each method's final sparsity and accuracy as the library has them, with the dense baseline", () => {
    const { html, model } = createReport(db, { experimentId: 1 });
    expect(model.methods).toEqual(['imp', 'colt', 'random']);
    for (const [method, runs] of rounds) {
      expect(runs).toHaveLength(2);
      const finals = runs.map((r) => r.at(-1)!);
      const sparsity = meanStd(finals.map((r) => r.sparsity));
      const accuracy = meanStd(finals.map((r) => r.testAccuracy!));
      const text = (s: { mean: number; std: number }): string => `${(s.mean * 100).toFixed(1)} ± ${(s.std * 100).toFixed(1)} %`;
      expect(html, `${method} final sparsity`).toContain(`<td>${text(sparsity)}</td>`);
      expect(html, `${method} final accuracy`).toContain(`<td>${text(accuracy)}</td>`);
      const point = model.series.find((s) => s.method === method)!.points.at(-1)!;
      expect(point.testAccuracy!.mean).toBeCloseTo(accuracy.mean, 12);
      expect(point.testAccuracy!.std).toBeCloseTo(accuracy.std, 12);
    }
    const dense = meanStd(rounds.get('imp')!.map((r) => r[0].testAccuracy!));
    expect(html).toContain(`dense network (round 0, nothing pruned) reached ${(dense.mean * 100).toFixed(1)} ± ${(dense.std * 100).toFixed(1)} %`);
    // The selected tickets' per-layer sparsities come from their masks and match the round's record.
    for (const t of model.tickets) {
      const round = rounds.get(t.method)!.find((r) => r[0].runId === t.runId)!.at(-1)!;
      for (const l of t.layers) expect(l.sparsity).toBeCloseTo(round.layerSparsity[l.layer], 9);
      expect(html).toContain(pct(t.sparsity));
    }
  });

  it('writes CSV rows that match the library', () => {
    const { csv } = createReport(db, { experimentId: 1 });
    const [header, ...lines] = csv.trim().split('\n');
    expect(header).toBe('table,method,round,target,metric,mean,std,n');
    const rows = lines.map((l) => l.split(','));
    const find = (method: string, round: number, metric: string): string[] | undefined =>
      rows.find((r) => r[0] === 'series' && r[1] === method && r[2] === String(round) && r[4] === metric);
    let checked = 0;
    for (const [method, runs] of rounds) {
      for (let round = 0; round < runs[0].length; round++) {
        for (const metric of ['sparsity', 'testAccuracy'] as const) {
          const expected = meanStd(runs.map((r) => r[round][metric]!));
          const row = find(method, round, metric);
          expect(row, `${method} round ${round} ${metric}`).toBeDefined();
          expect(Number(row![5])).toBeCloseTo(expected.mean, 12);
          expect(Number(row![6])).toBeCloseTo(expected.std, 12);
          expect(row![7]).toBe('2');
          checked++;
        }
        const samples = meanStd(runs.map((r) => r.slice(0, round + 1).reduce((a, x) => a + x.samples, 0)));
        expect(Number(find(method, round, 'samples')![5])).toBeCloseTo(samples.mean, 6);
      }
    }
    expect(checked).toBe(3 * 3 * 2);
    // Every method × target has a reach row counting the seeds that got there.
    expect(rows.filter((r) => r[0] === 'reach' && r[4] === 'seedsReached')).toHaveLength(3 * 6);
  });

  it('colt report writes HTML and CSV where asked, and refuses to overwrite without --force', async () => {
    const out = path.join(home, 'out', 'study.html');
    const first = await colt(['report', '--experiment', 'e1', '--library', library, '--out', out, '--csv']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual([out, out.replace(/html$/, 'csv')]);
    expect(readFileSync(out, 'utf8')).toContain('<h2>Summary</h2>');
    const again = await colt(['report', '1', '2', '3', '--library', library, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/study\.html already exists; .*--force/);
    const forced = await colt(['report', '1', '2', '3', '--library', library, '--out', out, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    // Without --csv, the HTML only.
    expect(forced.stdout.trim().split('\n')).toEqual([out]);
    expect(readFileSync(out, 'utf8')).toContain('<h1>lenet &lt;i&gt;');
  });

  it('refuses two runs of the same method and seed, which would be averaged as two seeds', async () => {
    const copy = await colt([...RUN, '--seeds', '0', '--set', 'methods=["imp"]', '--set', 'stop.maxRounds=0', '--library', library], { COLT_HOME: home });
    expect(copy.code, copy.stderr).toBe(0);
    const r = await colt(['report', '1', '7', '--library', library, '--out', path.join(home, 'dup.html')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runs 1 and 7 are both imp with seed 0/);
  });

  it('says how to get Chromium when none is found', async () => {
    const r = await colt(['report', '--experiment', 'e1', '--library', library, '--out', path.join(home, 'none', 'none.html'), '--pdf'], {
      COLT_CHROMIUM: path.join(home, 'no-such-chromium'),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/COLT_CHROMIUM is '.*no-such-chromium', which does not exist/);
    // Nothing written, not even the folder --out named.
    expect(existsSync(path.join(home, 'none'))).toBe(false);
  });

  const chromium = (() => {
    try {
      return findChromium();
    } catch {
      return undefined;
    }
  })();
  const pdftoppm = spawnSync('pdftoppm', ['-v']).error === undefined;
  const skipPdf = !chromium ? 'Chromium is not installed (apt install chromium, or set COLT_CHROMIUM)' : !pdftoppm ? 'pdftoppm is not installed (apt install poppler-utils)' : '';

  it.skipIf(skipPdf !== '')(`prints a PDF that pdftoppm turns into page images${skipPdf ? ` — skipped: ${skipPdf}` : ''}`, async () => {
    const out = path.join(home, 'pdf', 'study.html');
    const r = await colt(['report', '--experiment', 'e1', '--library', library, '--out', out, '--pdf']);
    expect(r.code, r.stderr).toBe(0);
    const pdf = out.replace(/html$/, 'pdf');
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    const pages = spawnSync('pdftoppm', ['-png', '-r', '60', pdf, path.join(home, 'pdf', 'page')], { encoding: 'utf8' });
    expect(pages.status, pages.stderr).toBe(0);
    const images = readdirSync(path.join(home, 'pdf')).filter((f) => /^page-\d+\.png$/.test(f));
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) {
      const file = path.join(home, 'pdf', image);
      expect(readFileSync(file).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // A blank A4 page at 60 dpi compresses to well under 2 KB; a page with text and charts does not.
      expect(statSync(file).size, image).toBeGreaterThan(4000);
    }
  });
});
