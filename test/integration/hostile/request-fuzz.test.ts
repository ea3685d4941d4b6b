// Fuzzing `colt serve` (issue 14, Must show): 1,500 malformed requests, each built from a well-formed
// request of one of the server's routes (the UI, a command, the event socket) and one to three faults
// that alone make it unacceptable: a malformed target, Host, Origin, method, header, length, token.
// Sent as raw bytes over real sockets to a real `colt serve`: every one must be answered with a 4xx,
// and the process must stay up, answer a good request afterwards and leave its library as it was.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../main/common/random.js';
import { rawRequest, serveChild, type ServeChild } from './serve-child.js';
import { workTimeout } from '../../helpers/work-timeout.js';

const CASES = 1500;

type Route = 'static' | 'api' | 'socket';

/** A request under construction: its parts, so faults can replace any of them. */
interface Draft {
  method: string;
  target: string;
  headers: [string, string][];
  body: string;
}

let base: string;
let server: ServeChild;

const pick = <T,>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function junk(rng: Rng, length: number, alphabet = 'abcAZ09-._~!$&\'()*+,;=:@/?#[]%\\"<>^`{|} '): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

/** A request the server would take: with the real token, so each fault alone decides the answer. */
function wellFormed(route: Route, rng: Rng, port: number, token: string): Draft {
  const host: [string, string] = ['Host', pick(rng, [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`])];
  if (route === 'static') return { method: pick(rng, ['GET', 'HEAD']), target: pick(rng, ['/', '/index.html', '/?token=abc']), headers: [host], body: '' };
  if (route === 'api') {
    const command = pick(rng, ['presets.list', 'experiments.list', 'experiments.delete', 'tickets.export', 'system.info']);
    return { method: 'POST', target: `/api/${command}`, headers: [host, ['Content-Type', 'application/json'], ['Authorization', `Bearer ${token}`]], body: JSON.stringify({ input: command === 'experiments.delete' ? { id: 1 } : {} }) };
  }
  return {
    method: 'GET',
    target: '/api/events',
    headers: [host, ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Protocol', `colt-lab, colt-token.${token}`]],
    body: '',
  };
}

function setHeader(d: Draft, name: string, value: string | undefined): void {
  d.headers = d.headers.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
  if (value !== undefined) d.headers.push([name, value]);
}

/** Faults, each of which alone makes a request of its route unacceptable (4xx). */
const FAULTS: Record<string, { routes: readonly Route[]; apply: (d: Draft, rng: Rng, port: number) => void }> = {
  'malformed target': {
    routes: ['static', 'api', 'socket'],
    apply: (d, rng) => {
      d.target = pick(rng, [
        '//[',
        '//:',
        '//a:99999',
        'http://[',
        'http://127.0.0.1/',
        'https://[::1',
        '*',
        '@',
        'a/b',
        `//${junk(rng, 1 + rng.int(20))}`,
        `http://${junk(rng, rng.int(30))}`,
        `/${'a'.repeat(8200 + rng.int(4000))}`,
      ]);
    },
  },
  'bad escape in a UI path': {
    routes: ['static'],
    apply: (d, rng) => {
      d.target = `/${junk(rng, rng.int(6), 'abc/')}${pick(rng, ['%ff', '%c0%ae', '%', '%G1', '%e0%80', '%ed%a0%80', '%00', '%5c'])}${junk(rng, rng.int(6), 'abc')}`;
    },
  },
  'foreign or malformed Host': {
    routes: ['static', 'api', 'socket'],
    apply: (d, rng, port) => {
      const host = pick(rng, ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, '', '[', '[::1', ':99999', `127.0.0.1:${70000 + rng.int(1000)}`, 'a:b:c', 'localhost:-1', `x${junk(rng, 1 + rng.int(12), 'abc.-')}.example:${port}`, '[::2]', '0.0.0.0', 'localhost@evil']);
      setHeader(d, 'Host', rng.next() < 0.1 ? undefined : host);
    },
  },
  'another origin': {
    routes: ['static', 'api', 'socket'],
    apply: (d, rng, port) => {
      setHeader(d, 'Origin', pick(rng, ['null', `http://127.0.0.1:${port + 1 + rng.int(100)}`, 'http://evil.example', `http://localhost:${port}.evil.example`, `https://127.0.0.1:${port}x`, 'http://[', junk(rng, 1 + rng.int(30)).replace(/[\s]/g, '') || 'x', `file://`, `http://${junk(rng, 5, 'abc')}:${port}`]));
    },
  },
  'method the route does not take': {
    routes: ['static', 'api'],
    apply: (d, rng) => {
      d.method = d.target.startsWith('/api/') ? pick(rng, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) : pick(rng, ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
    },
  },
  'unknown method': {
    routes: ['static', 'api', 'socket'],
    apply: (d, rng) => {
      d.method = pick(rng, ['FOO', 'get', 'G3T', 'POSTX', 'BREW', junk(rng, 1 + rng.int(8), 'QWERTYZ')]);
    },
  },
  'no or wrong token': {
    routes: ['api', 'socket'],
    apply: (d, rng) => {
      const value = pick(rng, [undefined, 'Bearer', 'Bearer ', `Bearer ${junk(rng, 32, 'abcdefXYZ0123_-')}`, 'Basic YWRtaW46YWRtaW4=', `Bearer ${'a'.repeat(3000)}`, 'bearer x']);
      setHeader(d, 'Authorization', value);
      if (d.headers.some(([k]) => k === 'Sec-WebSocket-Protocol')) {
        setHeader(d, 'Sec-WebSocket-Protocol', pick(rng, ['colt-lab', `colt-lab, colt-token.${junk(rng, 20, 'abc')}`, 'colt-token.', 'x, y']));
        if (d.target === '/api/events' && rng.next() < 0.5) d.target = `/api/events?token=${junk(rng, 10, 'abc%')}`;
      }
      if (rng.next() < 0.3) setHeader(d, 'Cookie', `colt_token=${junk(rng, 20, 'abc')}`);
    },
  },
  'content type a browser may send cross-origin': {
    routes: ['api'],
    apply: (d, rng) => {
      setHeader(d, 'Content-Type', pick(rng, [undefined, 'text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=abc', 'application/jsonx', 'json']));
    },
  },
  'cross-site fetch metadata': {
    routes: ['api', 'socket'],
    apply: (d, rng) => setHeader(d, 'Sec-Fetch-Site', pick(rng, ['same-site', 'cross-site', junk(rng, 5, 'abc')])),
  },
  'malformed header': {
    routes: ['static', 'api', 'socket'],
    apply: (d, rng) => {
      const kind = rng.int(4);
      if (kind === 0) d.headers.push([`X ${junk(rng, 4, 'ab')}`, 'v']);
      else if (kind === 1) d.headers.push(['X-Junk', `a\x01${junk(rng, 3, 'ab')}`]);
      else if (kind === 2) d.headers.push(['', 'empty-name']);
      else d.headers.push([`X-${junk(rng, 3, 'ab')}(`, 'v']);
    },
  },
  'malformed length': {
    routes: ['static', 'api', 'socket'],
    apply: (d, rng) => {
      d.headers.push(['Content-Length', pick(rng, ['abc', '-1', '1e3', '0x10', ' ', '1,2', '99999999999999999999'])]);
    },
  },
  'conflicting lengths': {
    routes: ['static', 'api', 'socket'],
    apply: (d) => {
      d.headers.push(['Transfer-Encoding', 'chunked']);
      d.headers.push(['Content-Length', '5']);
    },
  },
  'headers too large': {
    routes: ['static', 'api', 'socket'],
    apply: (d, rng) => {
      d.headers.push(['X-Big', 'b'.repeat(20_000 + rng.int(20_000))]);
    },
  },
  'socket on another path': {
    routes: ['socket'],
    apply: (d, rng) => {
      d.target = pick(rng, ['/api/event', '/api/events/', '/events', '/', `/api/${junk(rng, 6, 'abc')}`]);
    },
  },
};

function serialise(d: Draft): string {
  // Content-Length is set here unless a fault set its own (a fault's must stay the only one).
  const hasLength = d.headers.some(([k]) => k.toLowerCase() === 'content-length' || k.toLowerCase() === 'transfer-encoding');
  const lines = [`${d.method} ${d.target} HTTP/1.1`, ...d.headers.map(([k, v]) => `${k}: ${v}`)];
  if (!hasLength) lines.push(`Content-Length: ${Buffer.byteLength(d.body)}`);
  lines.push('Connection: close', '', hasLength ? '' : d.body);
  return lines.join('\r\n');
}

function makeCases(port: number, token: string): { name: string; bytes: string }[] {
  const rng = new Rng('colt-serve-fuzz/1');
  const out: { name: string; bytes: string }[] = [];
  const routes: Route[] = ['static', 'api', 'socket'];
  for (let i = 0; i < CASES; i++) {
    const route = routes[i % 3];
    const draft = wellFormed(route, rng, port, token);
    const applicable = Object.entries(FAULTS).filter(([, f]) => f.routes.includes(route));
    const names: string[] = [];
    for (let k = 1 + rng.int(3); k > 0; k--) {
      const [name, fault] = pick(rng, applicable);
      fault.apply(draft, rng, port);
      names.push(name);
    }
    out.push({ name: `#${i} ${route}: ${names.join(' + ')}`, bytes: serialise(draft) });
  }
  return out;
}

describe('colt serve under fuzzed requests', () => {
  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'colt-fuzz-'));
    mkdirSync(path.join(base, 'files'));
    server = await serveChild(base, path.join(base, 'library.sqlite'), path.join(base, 'files'));
  }, workTimeout(1, 10_000));

  afterAll(async () => {
    await server?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  // Each request is one short exchange on loopback (a few ms on an idle core).
  it(`answers ${CASES.toLocaleString('en')} malformed requests with a 4xx each and never goes down`, { timeout: workTimeout(CASES, 20) }, async () => {
    const before = await server.post('experiments.list', {});
    expect(before.status).toBe(200);
    const cases = makeCases(server.port, server.token);
    const wrong: string[] = [];
    const statuses = new Map<number, number>();
    // A few at a time: the server sees concurrent hostile connections, the machine is not flooded.
    for (let at = 0; at < cases.length; at += 12) {
      const batch = cases.slice(at, at + 12);
      const replies = await Promise.all(batch.map((c) => rawRequest(server.port, c.bytes)));
      replies.forEach((r, k) => {
        if (r.status === null || r.status < 400 || r.status > 499) wrong.push(`${batch[k].name} -> ${r.status ?? 'no answer'} ${r.head.split('\r\n')[0]} | ${batch[k].bytes.slice(0, 160).replace(/\r\n/g, ' ⏎ ')}`);
        if (r.status !== null) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      });
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(server.child.exitCode).toBeNull();
    // Every kind of refusal was reached, not one status for everything.
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401, 403, 404, 405, 415, 431]));
    const after = await server.post('experiments.list', {});
    expect(after).toEqual(before);
    expect((await server.post('presets.list', {})).status).toBe(200);
    expect(server.stderr()).not.toMatch(/Error|at .*\.js:\d+/);
  });
});
