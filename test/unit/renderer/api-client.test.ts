import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, toBase64 } from '../../../renderer/src/api/client.js';
import { createHttpClient } from '../../../renderer/src/api/http.js';
import { createIpcClient } from '../../../renderer/src/api/ipc.js';
import type { ColtLabBridge } from '../../../electron/bridge-types.js';

type Sent = { url: string; headers: Record<string, string>; body: { input: unknown } };

function fakeFetch(reply: (command: string, input: unknown) => { status: number; body: unknown }): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (url: string, init: { headers: Record<string, string>; body: string }) => {
    const body = JSON.parse(init.body) as { input: unknown };
    sent.push({ url, headers: init.headers, body });
    const r = reply(url.split('/api/')[1], body.input);
    return { status: r.status, json: async () => r.body } as unknown as Response;
  });
  return sent;
}

afterEach(() => vi.unstubAllGlobals());

describe('the HTTP client', () => {
  it('posts {input} to /api/<command> with the Bearer token and answers the output', async () => {
    const sent = fakeFetch(() => ({ status: 200, body: { ok: true, output: [{ name: 'quick' }] } }));
    const client = createHttpClient({ origin: 'http://127.0.0.1:9', token: 'tok' });
    const out = await client.call('presets.list', {});
    expect(out).toEqual([{ name: 'quick' }]);
    expect(sent[0].url).toBe('http://127.0.0.1:9/api/presets.list');
    expect(sent[0].headers.Authorization).toBe('Bearer tok');
    expect(sent[0].body).toEqual({ input: {} });
  });

  it("throws the server's error as an ApiError with its code and message", async () => {
    fakeFetch(() => ({ status: 404, body: { ok: false, error: { code: 'not_found', message: 'ticket 9 does not exist' } } }));
    const client = createHttpClient({ origin: 'http://x', token: null });
    const e = await client.call('tickets.get', { id: 9 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'not_found', message: 'ticket 9 does not exist' });
  });

  it('imports dropped files as base64 bytes through tickets.import, one result per file', async () => {
    const sent = fakeFetch((_c, input) =>
      (input as { name: string }).name === 'bad.safetensors'
        ? { status: 400, body: { ok: false, error: { code: 'invalid_input', message: 'bad.safetensors: header length runs past the end' } } }
        : { status: 200, body: { ok: true, output: { ticketId: 4, duplicate: false, format: 'colt-ticket/1', notes: [], ticket: {} } } },
    );
    const client = createHttpClient({ origin: 'http://x', token: 't' });
    const results = await client.importFiles([new File([new Uint8Array([1, 2, 3])], 'good.safetensors'), new File([new Uint8Array([9])], 'bad.safetensors')]);
    expect(sent[0].body.input).toEqual({ name: 'good.safetensors', bytes: 'AQID' });
    expect(results[0]).toMatchObject({ file: 'good.safetensors', ok: true });
    expect(results[1]).toMatchObject({ file: 'bad.safetensors', ok: false, error: { code: 'invalid_input' } });
  });
});

describe('the IPC client', () => {
  const bridge = (reply: unknown, path = ''): { bridge: ColtLabBridge; calls: unknown[] } => {
    const calls: unknown[] = [];
    const commands = new Proxy({}, { get: () => async (input: unknown) => (calls.push(input), reply) });
    return { calls, bridge: { host: 'electron', commands, onEvent: () => () => {}, onMenu: () => () => {}, pathForFile: () => path } as unknown as ColtLabBridge };
  };

  it('unwraps the bridge reply and throws its error', async () => {
    expect(await createIpcClient(bridge({ ok: true, output: 7 }).bridge).call('runs.active', {})).toBe(7);
    await expect(createIpcClient(bridge({ ok: false, error: { code: 'busy', message: 'run 3 is training' } }).bridge).call('experiments.delete', { id: 1 })).rejects.toMatchObject({ code: 'busy' });
  });

  it("imports a dropped file by its real path, not its bytes", async () => {
    const b = bridge({ ok: true, output: { ticketId: 1 } }, '/home/me/t.safetensors');
    await createIpcClient(b.bridge).importFiles([new File([new Uint8Array([1])], 't.safetensors')]);
    expect(b.calls[0]).toEqual({ path: '/home/me/t.safetensors' });
  });
});

describe('toBase64', () => {
  it('encodes large buffers in chunks', () => {
    const bytes = new Uint8Array(200_000).map((_, i) => i & 255);
    expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });
});

describe('writing over an existing file', () => {
  it('keeps the details of an error reply', async () => {
    const { unwrap, ApiError: E } = await import('../../../renderer/src/api/client.js');
    try {
      unwrap({ ok: false, error: { code: 'invalid_input', message: 'x exists', details: { field: 'path', reason: 'exists' } } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(E);
      expect((e as InstanceType<typeof E>).details).toEqual({ field: 'path', reason: 'exists' });
    }
  });

  it('asks "Overwrite?" when the server refuses because the file exists, and retries with force only on yes', async () => {
    const { ApiError: E, withOverwrite, isExistsRefusal } = await import('../../../renderer/src/api/client.js');
    const exists = new E('invalid_input', 'reports.create: /r.html exists', { field: 'path', reason: 'exists' });
    const forced: boolean[] = [];
    const run = async (force: boolean) => {
      forced.push(force);
      if (!force) throw exists;
      return 'written';
    };
    const asked: string[] = [];
    expect(await withOverwrite(run, async (q) => (asked.push(q), true), '/r.html')).toBe('written');
    expect(forced).toEqual([false, true]);
    expect(asked).toEqual(['/r.html already exists. Overwrite it?']);
    forced.length = 0;
    expect(await withOverwrite(run, async () => false, '/r.html')).toBeNull();
    expect(forced).toEqual([false]);
    // Other errors are not questions; a server without details says "already exists" in words.
    await expect(withOverwrite(async () => Promise.reject(new E('invalid_input', 'bad path', { field: 'path' })), async () => true, 'f')).rejects.toThrow('bad path');
    expect(isExistsRefusal(new E('invalid_input', "report file '/r.html' already exists (pass force)"))).toBe(true);
    expect(isExistsRefusal(new E('not_found', 'already exists'))).toBe(false);
  });
});
