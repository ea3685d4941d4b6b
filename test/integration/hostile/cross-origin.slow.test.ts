/// <reference lib="dom" />
// Cross-origin attacks from a real browser (issue 14, Must show): Debian's Chromium first opens the
// lab's own page (as a researcher does, with the token in the URL), then visits a page served by
// another local service on another port of 127.0.0.1, which tries what the issue found working: a
// text/plain form POST, no-cors fetches that delete an experiment and export over a file, a CORS
// fetch with the token in a header, and the event WebSocket with the token as its subprotocol. The
// attacking page is even given the token, as if it had leaked. Every attempt must fail, the library
// and the files must be unchanged, and the other service must never see the lab's token.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveChild, type ServeChild } from './serve-child.js';

const CHROMIUM = process.env.COLT_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const TINY = { name: 'target', arch: 'lenet-300-100', dataset: 'fashion-mnist-sample', methods: ['imp'], seeds: [0], data: { trainLimit: 300, testLimit: 100 }, training: { duration: '5it' }, stop: { maxRounds: 1 } };

let base: string;
let files: string;
let lab: ServeChild;
let attacker: http.Server;
let attackerPort: number;
let browser: Browser;
const seenByAttacker: http.IncomingHttpHeaders[] = [];

/** The attacking page: every attempt reports what it saw on window.results. */
function attackPage(labOrigin: string, token: string, victimFile: string): string {
  const delBody = JSON.stringify({ input: { id: 1 } });
  const exportBody = JSON.stringify({ input: { id: 1, path: victimFile, force: true } });
  // A text/plain form sends `name=value`: the name carries the JSON, the value closes it.
  const formName = `{"input":{"id":1},"x":"`;
  return `<!doctype html><html><body>
<iframe name="sink" id="sink"></iframe>
<form id="form" method="POST" enctype="text/plain" target="sink" action="${labOrigin}/api/experiments.delete">
  <input name='${formName}' value='"}'>
</form>
<script>
window.results = {};
const note = (k, v) => { window.results[k] = v; };
(async () => {
  const lab = ${JSON.stringify(labOrigin)};
  const token = ${JSON.stringify(token)};
  document.getElementById('form').submit();
  for (const [name, body] of [['noCorsDelete', ${JSON.stringify(delBody)}], ['noCorsExport', ${JSON.stringify(exportBody)}]]) {
    const command = name === 'noCorsDelete' ? 'experiments.delete' : 'tickets.export';
    try {
      const r = await fetch(lab + '/api/' + command, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer ' + token }, body });
      note(name, 'opaque:' + r.type);
    } catch (e) { note(name, 'error:' + e.message); }
  }
  try {
    const r = await fetch(lab + '/api/experiments.delete', { method: 'POST', mode: 'cors', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: ${JSON.stringify(delBody)} });
    note('corsDelete', 'status:' + r.status);
  } catch (e) { note('corsDelete', 'error:' + e.message); }
  try {
    const r = await fetch(lab + '/api/system.info', { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: '{"input":{}}' });
    note('read', 'status:' + r.status + ':' + (await r.text()).slice(0, 80));
  } catch (e) { note('read', 'error:' + e.message); }
  await new Promise((resolve) => {
    const ws = new WebSocket(lab.replace('http', 'ws') + '/api/events', ['colt-lab', 'colt-token.' + token]);
    ws.onopen = () => { note('socket', 'open'); ws.close(); resolve(); };
    ws.onerror = () => { note('socket', 'refused'); resolve(); };
  });
  note('done', true);
})();
</script></body></html>`;
}

describe('cross-origin attacks from Chromium on a page of another local service (slow)', () => {
  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'colt-cross-origin-'));
    files = path.join(base, 'files');
    mkdirSync(files);
    mkdirSync(path.join(base, 'lib'));
    lab = await serveChild(base, path.join(base, 'lib', 'library.sqlite'), files);
    expect((await lab.post('experiments.create', { config: TINY, start: false })).status).toBe(200);
    const victim = path.join(files, 'notes.txt');
    writeFileSync(victim, 'my notes\n');
    const page = attackPage(lab.origin, lab.token, victim);
    attacker = http.createServer((req, res) => {
      seenByAttacker.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerPort = (attacker.address() as AddressInfo).port;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => attacker?.close(r));
    await lab?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('fails every attempt and changes nothing; the other service never sees the token', async () => {
    const victim = path.join(files, 'notes.txt');
    const before = createHash('sha256').update(readFileSync(victim)).digest('hex');
    const context = await browser.newContext();
    const page = await context.newPage();
    // The researcher's tab: the lab's own page, opened with the URL colt serve printed.
    await page.goto(`${lab.origin}/?token=${lab.token}`);
    const evil = await context.newPage();
    // What the attacking page sent to the lab, and the answers Chromium let through to it.
    const sent: string[] = [];
    const answers: string[] = [];
    evil.on('request', (r) => {
      if (r.url().startsWith(lab.origin)) sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    evil.on('response', (r) => {
      if (r.url().startsWith(lab.origin)) answers.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    const formAnswered = evil.waitForResponse((r) => r.url() === `${lab.origin}/api/experiments.delete` && r.request().isNavigationRequest(), { timeout: 120_000 });
    await evil.goto(`http://127.0.0.1:${attackerPort}/`);
    await evil.waitForFunction(() => (window as unknown as { results: { done?: boolean } }).results?.done === true, undefined, { timeout: 120_000 });
    const form = await formAnswered;
    const results = (await evil.evaluate(() => (window as unknown as { results: Record<string, unknown> }).results)) as Record<string, string>;
    await context.close();

    expect(form.status()).toBe(403);
    // no-cors requests are sent, but the page gets nothing of the answer (Cross-Origin-Resource-Policy
    // makes the fetch fail outright); the server had refused them anyway (the 403s below).
    expect(results.noCorsDelete).toMatch(/^(opaque:opaque|error:)/);
    expect(results.noCorsExport).toMatch(/^(opaque:opaque|error:)/);
    // A CORS request with the token in a header dies at its preflight; a plain read is not readable.
    expect(results.corsDelete).toMatch(/^error:/);
    expect(results.read).toMatch(/^error:/);
    expect(results.socket).toBe('refused');
    // The attacks did reach the lab (the form and the no-cors POSTs), and whatever came back was a refusal.
    expect(sent.filter((r) => r === 'POST /api/experiments.delete').length).toBeGreaterThanOrEqual(2);
    expect(sent).toContain('POST /api/tickets.export');
    for (const a of answers) expect(a).toMatch(/ 40[35]$/);

    const experiments = await lab.post('experiments.list', {});
    expect((experiments.body.output as { name: string }[]).map((e) => e.name)).toEqual(['target']);
    expect(createHash('sha256').update(readFileSync(victim)).digest('hex')).toBe(before);
    expect(existsSync(path.join(files, 'notes.txt.tmp'))).toBe(false);
    expect(seenByAttacker.length).toBeGreaterThan(0);
    for (const h of seenByAttacker) {
      expect(h.cookie ?? '').not.toContain(lab.token);
      expect(JSON.stringify(h)).not.toContain(lab.token);
    }
    expect(lab.child.exitCode).toBeNull();
  }, 180_000);
});
