import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../main/contract/api.js';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../../main/server/http-server.js';
import { LabService } from '../../../main/service/lab-service.js';
import { ROOT, tempHome } from '../../helpers/cli.js';

let server: RunningServer;

async function post(command: string, body: unknown, token: string | null = server.token): Promise<{ status: number; json: { ok: boolean; output?: unknown; error?: { code: string; message: string } } }> {
  const res = await fetch(`${server.url}/api/${command}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as never };
}

describe('colt serve transport', () => {
  beforeAll(async () => {
    const home = tempHome();
    server = await startServer({ handler: new LabService({ dataDir: home, libraryPath: `${home}/lib/library.sqlite` }), port: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a command with the contract shape', async () => {
    const r = await post('presets.list', { input: {} });
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(true);
    expect((r.json.output as { name: string }[]).map((p) => p.name)).toContain('quick');
  });

  it('validates a config and names the bad field', async () => {
    const r = await post('experiments.validate', { input: { config: { arch: 'lenet-300-100', dataset: 'x', training: { batchSize: 0 } } } });
    expect(r.json.output).toMatchObject({ ok: false, error: { field: 'training.batchSize' } });
  });

  it.each([null, 'wrong-token'])('refuses every command route without the right token (401): %s', async (token) => {
    expect((await post('presets.list', { input: {} }, token)).status).toBe(401);
    expect((await post('no.such', { input: {} }, token)).status).toBe(401);
    // The UI's files hold no data (everything comes from the API), so a page load needs no token; no UI is built for this server.
    const page = await fetch(`${server.url}/index.html`);
    expect(page.status).toBe(404);
    expect(page.headers.get('set-cookie')).toBeNull();
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('refuses a socket without the token and streams events to one with it', async () => {
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events`);
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => undefined);
    });
    expect(refused).toBe('401');
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/events?token=${server.token}`);
    await new Promise((r) => ws.on('open', r));
    const got = new Promise<string>((r) => ws.on('message', (d) => r(String(d))));
    server.broadcast({ event: 'run.progress', payload: { x: 1 } });
    expect(JSON.parse(await got)).toEqual({ event: 'run.progress', payload: { x: 1 } });
    ws.close();
  });

  it('answers a malformed body with 400 naming the problem', async () => {
    const notJson = await post('experiments.validate', '{"input": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error?.message).toMatch(/not JSON/);
    const extra = await post('presets.list', { input: { bogus: 1 } });
    expect(extra.status).toBe(400);
    expect(extra.json.error).toMatchObject({ code: 'invalid_input' });
    expect(extra.json.error?.message).toMatch(/presets.list: field 'input'.*bogus/);
    const missing = await post('experiments.validate', { input: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.error?.message).toMatch(/experiments.validate: field 'input.config'/);
  });

  it('answers an unknown command with 404', async () => {
    const r = await post('runs.explode', { input: {} });
    expect(r.status).toBe(404);
    expect(r.json.error?.code).toBe('not_found');
  });

  it('refuses every command of the contract without the token (401)', async () => {
    for (const command of Object.keys(COMMANDS)) {
      expect((await post(command, { input: {} }, null)).status, command).toBe(401);
    }
  });

  it('colt serve without flags listens only on loopback', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), 'serve', '--port', '0'], { env: { ...process.env, COLT_HOME: tempHome() }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<URL>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /open: (\S+)/.exec(out);
          if (m) resolve(new URL(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`colt serve exited ${code}`)));
      });
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect((await fetch(`http://127.0.0.1:${url.port}/api/presets.list`, { method: 'POST' })).status).toBe(401);
      // Every other address of this machine is closed on that port.
      const others = Object.values(networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4');
      for (const i of others) {
        await expect(fetch(`http://${i?.address}:${url.port}/`)).rejects.toThrow();
      }
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('listens only on loopback unless remote binding is explicitly allowed', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    await expect(startServer({ handler: { call: async () => null }, host: '0.0.0.0', port: 0 })).rejects.toThrow(/not a loopback address.*--allow-remote/);
  });
});
