// The hostile-client suite (issue 14, Must show): a real `colt serve` process on a real library,
// spoken to over real sockets the way an attacker would, item by item of the issue. After each
// attack the server is still up, answered 4xx, and changed nothing: the experiment and ticket are
// still there and no file appeared or changed in the folders it may write to.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { exportTicketBytes } from '../../../main/library/ticket-file/ticket-io.js';
import { startServer } from '../../../main/server/http-server.js';
import { colt } from '../../helpers/cli.js';
import { workTimeout } from '../../helpers/work-timeout.js';
import { tempLibrary } from '../../unit/library/helpers.js';
import { makeTicket, storeTicket } from '../../unit/library/ticket-fixtures.js';
import { headerOf, rawRequest, serveChild, type ServeChild } from './serve-child.js';

const TINY = { name: 'hostile', arch: 'lenet-300-100', dataset: 'fashion-mnist-sample', methods: ['imp'], seeds: [0], data: { trainLimit: 300, testLimit: 100 }, training: { duration: '5it' }, stop: { maxRounds: 1 } };

let base: string;
let files: string;
let library: string;
let server: ServeChild;
let ticketBytes: Buffer;

/** Every file under the writable folder with its sha256: what "writes nothing" is checked against. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[path.relative(files, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
      else out[path.relative(files, p)] = e.isFIFO() ? 'fifo' : 'other';
    }
  };
  walk(files);
  return out;
}

/** The server is up and the library holds what it held before the attack. */
async function unharmed(): Promise<void> {
  expect(server.child.exitCode, server.stderr()).toBeNull();
  const experiments = await server.post('experiments.list', {});
  expect(experiments.status).toBe(200);
  expect((experiments.body.output as { name: string }[]).map((e) => e.name)).toEqual(['hostile']);
  const tickets = await server.post('tickets.list', {});
  expect((tickets.body.output as unknown[]).length).toBe(1);
}

function request(method: string, target: string, headers: Record<string, string>, body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body];
  return lines.join('\r\n');
}

describe('colt serve against a hostile client', { timeout: workTimeout(2, 10_000) }, () => {
  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'colt-hostile-'));
    files = path.join(base, 'files');
    mkdirSync(files);
    mkdirSync(path.join(base, 'lib'));
    library = path.join(base, 'lib', 'library.sqlite');
    const fixture = tempLibrary();
    try {
      const id = storeTicket(fixture.db, makeTicket('lenet-300-100', [28, 28, 1], 10));
      ticketBytes = Buffer.concat(exportTicketBytes(fixture.db, id, { appVersion: 'test' }));
    } finally {
      fixture.db.close();
      fixture.cleanup();
    }
    // The library's own folder is also a folder clients may name: it is still never written.
    server = await serveChild(base, library, files, ['--files', path.join(base, 'lib'), '--allow-host', 'lab.internal']);
    expect((await server.post('experiments.create', { config: TINY, start: false })).status).toBe(200);
    expect((await server.post('tickets.import', { name: 'fixture.safetensors', bytes: ticketBytes.toString('base64') })).status).toBe(200);
    // Starting colt serve and loading the sample data for the experiment.
  }, workTimeout(2, 10_000));

  afterAll(async () => {
    await server?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('answers malformed request targets with 400 on every kind of request, and stays up', async () => {
    const targets = ['//[', '//:', '//a:99999', 'http://[', '/%ff', '/%c0%ae%c0%ae/etc/passwd', '/%', '/api/%ff', '*', 'http://127.0.0.1/', '/a\x7f'];
    const host = `127.0.0.1:${server.port}`;
    for (const target of targets) {
      for (const raw of [
        request('GET', target, { Host: host }),
        request('POST', target, { Host: host, 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, '{}'),
        request('GET', target, { Host: host, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' }),
      ]) {
        const r = await rawRequest(server.port, raw);
        expect(r.status, `${target}: ${r.head}`).toBeGreaterThanOrEqual(400);
        expect(r.status, target).toBeLessThan(500);
      }
    }
    await unharmed();
  });

  it('refuses a Host that is not loopback, the bound address or an --allow-host name (DNS rebinding)', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1.evil.example', 'localhost.evil.example', '[::2]', '']) {
      const page = await rawRequest(server.port, request('GET', '/', { Host: host }));
      const api = await rawRequest(server.port, request('POST', '/api/experiments.delete', { Host: host, 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, '{"input":{"id":1}}'));
      const socket = await rawRequest(server.port, request('GET', '/api/events', { Host: host, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', Authorization: `Bearer ${server.token}` }));
      for (const r of [page, api, socket]) expect([400, 403], `${host}: ${r.head}`).toContain(r.status);
    }
    for (const host of [`localhost:${server.port}`, `lab.internal:${server.port}`, `LAB.INTERNAL.:${server.port}`, `[::1]:${server.port}`]) {
      const r = await rawRequest(server.port, request('POST', '/api/presets.list', { Host: host, 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, '{}'));
      expect(r.status, host).toBe(200);
    }
    await unharmed();
  });

  it('refuses requests from another origin, even with the token', async () => {
    const host = `127.0.0.1:${server.port}`;
    const attempts: Record<string, string>[] = [
      { Origin: `http://127.0.0.1:${server.port + 1}` },
      { Origin: `http://localhost:${server.port}` },
      { Origin: 'null' },
      { Origin: `https://127.0.0.1:${server.port}.evil.example` },
      { 'Sec-Fetch-Site': 'same-site' },
      { 'Sec-Fetch-Site': 'cross-site' },
    ];
    for (const extra of attempts) {
      const r = await rawRequest(server.port, request('POST', '/api/experiments.delete', { Host: host, 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}`, ...extra }, '{"input":{"id":1}}'));
      expect(r.status, JSON.stringify(extra)).toBe(403);
    }
    const same = await rawRequest(server.port, request('POST', '/api/presets.list', { Host: host, Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, '{}'));
    expect(same.status).toBe(200);
    await unharmed();
  });

  it('takes commands only as application/json with the token in the Authorization header', async () => {
    const host = `127.0.0.1:${server.port}`;
    const body = '{"input":{"id":1}}';
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json-seq', '']) {
      const r = await rawRequest(server.port, request('POST', '/api/experiments.delete', { Host: host, ...(type ? { 'Content-Type': type } : {}), Authorization: `Bearer ${server.token}` }, body));
      expect(r.status, type).toBe(415);
    }
    // The URL's token and a cookie are not credentials for a command.
    const query = await rawRequest(server.port, request('POST', `/api/experiments.delete?token=${server.token}`, { Host: host, 'Content-Type': 'application/json' }, body));
    const cookie = await rawRequest(server.port, request('POST', '/api/experiments.delete', { Host: host, 'Content-Type': 'application/json', Cookie: `colt_token=${server.token}` }, body));
    const wrong = await rawRequest(server.port, request('POST', '/api/experiments.delete', { Host: host, 'Content-Type': 'application/json', Authorization: `Bearer ${server.token.slice(1)}x` }, body));
    for (const r of [query, cookie, wrong]) expect(r.status).toBe(401);
    await unharmed();
  });

  it('sets no cookie, and sends Referrer-Policy: no-referrer and the CSP with the page', async () => {
    const host = `127.0.0.1:${server.port}`;
    const page = await rawRequest(server.port, request('GET', `/?token=${server.token}`, { Host: host }));
    expect([200, 404]).toContain(page.status);
    expect(headerOf(page.head, 'set-cookie')).toBeUndefined();
    expect(headerOf(page.head, 'referrer-policy')).toBe('no-referrer');
    if (page.status === 200) expect(headerOf(page.head, 'content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    for (const raw of [request('POST', '/api/presets.list', { Host: host, 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` }, '{}'), request('GET', '/nope.js', { Host: host }), request('GET', '/', { Host: 'evil.example' })]) {
      const r = await rawRequest(server.port, raw);
      expect(headerOf(r.head, 'referrer-policy'), r.head).toBe('no-referrer');
      expect(headerOf(r.head, 'set-cookie')).toBeUndefined();
    }
  });

  it('answers an oversize body with 413 before reading it, and an unknown method with 405', async () => {
    const host = `127.0.0.1:${server.port}`;
    // 300 MB announced, none sent: the answer comes from the headers alone.
    const big = await rawRequest(server.port, `POST /api/tickets.import HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${server.token}\r\nContent-Length: ${300 * 1024 * 1024}\r\nConnection: close\r\n\r\n{"input":`);
    expect(big.status).toBe(413);
    for (const [method, target] of [['PUT', '/api/presets.list'], ['DELETE', '/api/experiments.delete'], ['GET', '/api/experiments.list'], ['OPTIONS', '/api/experiments.delete'], ['POST', '/'], ['PATCH', '/index.html']]) {
      const r = await rawRequest(server.port, request(method, target, { Host: host, 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}`, 'Access-Control-Request-Method': 'POST' }, method === 'GET' || method === 'OPTIONS' ? '' : '{}'));
      expect(r.status, `${method} ${target}`).toBe(405);
      expect(headerOf(r.head, 'access-control-allow-origin')).toBeUndefined();
    }
    await unharmed();
  });

  it('never overwrites a file without force, and never writes into the library folder, even with force', async () => {
    const [ticket] = (await server.post('tickets.list', {})).body.output as { id: number }[];
    const notes = path.join(files, 'notes.txt');
    writeFileSync(notes, 'my notes\n');
    const refused = await server.post('tickets.export', { id: ticket.id, path: notes });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_input', message: `${notes} exists; pass force: true to overwrite`, details: { field: 'path', reason: 'exists' } });
    expect(readFileSync(notes, 'utf8')).toBe('my notes\n');
    const before = snapshot();
    const libraryBytes = statSync(library).size;
    for (const target of [library, `${library}-wal`, path.join(base, 'lib', 'other.safetensors')]) {
      const r = await server.post('tickets.export', { id: ticket.id, path: target, force: true });
      expect(r.status, target).toBe(400);
      expect(r.body.error?.message).toMatch(/library's folder/);
      expect(r.body.error?.details).toMatchObject({ field: 'path', reason: 'protected' });
    }
    const report = await server.post('reports.create', { experimentId: 1, path: path.join(base, 'lib', 'r.html'), force: true });
    expect(report.body.error?.details).toMatchObject({ reason: 'protected' });
    expect(statSync(library).size).toBe(libraryBytes);
    expect(snapshot()).toEqual(before);
    // With force, a regular file is replaced, as asked.
    const forced = await server.post('tickets.export', { id: ticket.id, path: notes, force: true });
    expect(forced.status).toBe(200);
    expect(readFileSync(notes).subarray(8, 9).toString()).toBe('{');
    rmSync(notes);
    await unharmed();
  });

  it('refuses FIFOs and folders as import and export paths at once, and keeps answering', async () => {
    const fifos = Array.from({ length: 6 }, (_, i) => path.join(files, `pipe-${i}.safetensors`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    mkdirSync(path.join(files, 'folder.safetensors'));
    try {
      // More FIFOs at once than libuv has file threads: a blocking open would stall all file work.
      const imports = await Promise.all(fifos.map((f) => server.post('tickets.import', { path: f })));
      for (const r of imports) {
        expect(r.status).toBe(400);
        expect(r.body.error?.message).toMatch(/FIFO/);
      }
      const exportToFifo = await server.post('tickets.export', { id: 1, path: fifos[0], force: true });
      expect(exportToFifo.body.error?.message).toMatch(/FIFO/);
      const exportToFolder = await server.post('tickets.export', { id: 1, path: path.join(files, 'folder.safetensors'), force: true });
      expect(exportToFolder.body.error?.message).toMatch(/a folder/);
      const dataset = await server.post('datasets.add', { name: 'pipe', path: fifos[1] });
      expect(dataset.status).toBe(400);
      const cli = await colt(['tickets', 'import', fifos[2], '--library', path.join(base, 'cli.sqlite')], { COLT_HOME: base });
      expect(cli.code).toBe(2);
      expect(cli.stderr).toMatch(/FIFO/);
      expect(readdirSync(base)).not.toContain('cli.sqlite');
      await unharmed();
    } finally {
      for (const f of fifos) rmSync(f);
      rmSync(path.join(files, 'folder.safetensors'), { recursive: true });
    }
  });

  it('refuses ticket headers over the limit from their length alone, and tells no client where the library is', async () => {
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(100_000_000n);
    const hugeFile = path.join(files, 'huge-header.safetensors');
    writeFileSync(hugeFile, huge);
    const header = Buffer.from(JSON.stringify({ __metadata__: { format: 'colt-ticket/1', pad: 'x'.repeat(5 * 1024 * 1024) } }));
    const long = Buffer.concat([Buffer.alloc(8), header]);
    long.writeBigUInt64LE(BigInt(header.length));
    try {
      for (const input of [{ path: hugeFile }, { name: 'long.safetensors', bytes: long.toString('base64') }]) {
        const r = await server.post('tickets.import', input);
        expect(r.status).toBe(400);
        expect(r.body.error?.message).toMatch(/header length \d+ \(bytes 0-7\) is over the 4194304-byte limit/);
      }
    } finally {
      rmSync(hugeFile);
    }
    const info = await server.post('system.info', {});
    expect(info.body.output).toMatchObject({ libraryPath: 'library.sqlite' });
    expect(JSON.stringify(info.body.output)).not.toContain(base);
    await unharmed();
  });

  it('authenticates the event socket by subprotocol, refuses it without the token or from another origin, and survives bad frames', async () => {
    const ws = (protocols: string[], headers: Record<string, string> = {}): Promise<string> =>
      new Promise((resolve) => {
        const s = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, protocols, { headers });
        s.on('open', () => {
          resolve(`open:${s.protocol}`);
          s.close();
        });
        s.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        s.on('error', () => resolve('error'));
      });
    expect(await ws(['colt-lab', `colt-token.${server.token}`])).toBe('open:colt-lab');
    expect(await ws(['colt-lab'])).toBe('401');
    expect(await ws(['colt-lab', `colt-token.${server.token}`], { Origin: `http://127.0.0.1:${server.port + 1}` })).toBe('403');
    // A client that sends a frame over the limit loses its own socket; the server goes on.
    const noisy = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, ['colt-lab', `colt-token.${server.token}`]);
    await new Promise((r) => noisy.on('open', r));
    const closed = new Promise<number>((r) => noisy.on('close', (code) => r(code)));
    noisy.on('error', () => undefined);
    noisy.send(Buffer.alloc(1024 * 1024, 1));
    expect(await closed).toBe(1009);
    await unharmed();
  });

  it('serves static files only from inside the UI folder, links resolved', async () => {
    const ui = path.join(base, 'ui');
    mkdirSync(ui);
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>ok</title>');
    writeFileSync(path.join(base, 'secret.txt'), 'TOP-SECRET-CONTENT');
    symlinkSync(path.join(base, 'secret.txt'), path.join(ui, 'link.txt'));
    symlinkSync(base, path.join(ui, 'up'));
    execFileSync('mkfifo', [path.join(ui, 'pipe.js')]);
    const s = await startServer({ handler: { call: async () => null }, port: 0, staticDir: ui });
    try {
      const host = `127.0.0.1:${s.port}`;
      expect((await rawRequest(s.port, request('GET', '/', { Host: host }))).status).toBe(200);
      for (const target of ['/link.txt', '/up/secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/pipe.js', '/nope.html', '/%00']) {
        const r = await rawRequest(s.port, request('GET', target, { Host: host }));
        expect([400, 404], target).toContain(r.status);
        expect(r.body, target).not.toContain('TOP-SECRET-CONTENT');
      }
      // A chunked body over the limit is cut off at the limit with a 413.
      const small = await startServer({ handler: { call: async () => null }, port: 0, token: 't', maxBodyBytes: 1024 });
      try {
        const chunked = `POST /api/presets.list HTTP/1.1\r\nHost: 127.0.0.1:${small.port}\r\nContent-Type: application/json\r\nAuthorization: Bearer t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'x'.repeat(2048)}\r\n0\r\n\r\n`;
        expect((await rawRequest(small.port, chunked)).status).toBe(413);
      } finally {
        await small.close();
      }
    } finally {
      await s.close();
    }
  });
});
