// The quit sequence with Electron's `app` replaced by a fake that records preventDefault and exit.
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { installQuitSequence, PendingTickets, ticketPathsFromArgv, type QuitApp } from '../../../electron/lifecycle.js';

function fakeApp() {
  let listener: ((e: { preventDefault(): void }) => void) | undefined;
  const order: string[] = [];
  const app: QuitApp = {
    on: (_event, l) => (listener = l),
    exit: (code) => void order.push(`exit ${code}`),
  };
  const quit = () => {
    const e = { preventDefault: vi.fn() };
    listener?.(e);
    return e;
  };
  return { app, quit, order };
}

describe('installQuitSequence', () => {
  it('holds the quit until the lab has closed, then exits', async () => {
    const { app, quit, order } = fakeApp();
    let finishClose!: () => void;
    const close = vi.fn(() => new Promise<void>((resolve) => (finishClose = () => (order.push('closed'), resolve()))));
    const closing = installQuitSequence(app, close);
    const e = quit();
    expect(e.preventDefault).toHaveBeenCalled();
    await Promise.resolve();
    expect(close).toHaveBeenCalledTimes(1);
    expect(order).toEqual([]);
    finishClose();
    await closing();
    expect(order).toEqual(['closed', 'exit 0']);
  });

  it('closes once when quit is asked again while closing', async () => {
    const { app, quit, order } = fakeApp();
    const close = vi.fn(async () => undefined);
    const closing = installQuitSequence(app, close);
    quit();
    const second = quit();
    expect(second.preventDefault).toHaveBeenCalled();
    await closing();
    expect(close).toHaveBeenCalledTimes(1);
    expect(order).toEqual(['exit 0']);
  });

  it('still exits when close fails, reporting the error', async () => {
    const { app, quit, order } = fakeApp();
    const onError = vi.fn();
    const closing = installQuitSequence(app, async () => Promise.reject(new Error('disk gone')), { onError });
    quit();
    await closing();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'disk gone' }));
    expect(order).toEqual(['exit 0']);
  });

  it('exits after the timeout when close hangs', async () => {
    const { app, quit, order } = fakeApp();
    const onError = vi.fn();
    const closing = installQuitSequence(app, () => new Promise<void>(() => undefined), { timeoutMs: 20, onError });
    quit();
    await closing();
    expect(order).toEqual(['exit 0']);
    expect(onError.mock.calls[0][0].message).toMatch(/20 ms/);
  });
});

describe('ticket files from the OS', () => {
  it('picks .safetensors arguments and resolves them against the working directory', () => {
    expect(ticketPathsFromArgv(['--no-sandbox', 'a.safetensors', '/abs/B.SAFETENSORS', 'notes.txt', '.'], '/work')).toEqual([path.resolve('/work/a.safetensors'), '/abs/B.SAFETENSORS']);
  });

  it('holds paths until the window is ready, then delivers directly', () => {
    const q = new PendingTickets();
    q.add(['/a.safetensors']);
    q.add([]);
    const got: string[][] = [];
    q.attach((p) => got.push(p));
    q.add(['/b.safetensors']);
    q.detach();
    q.add(['/c.safetensors']);
    expect(got).toEqual([['/a.safetensors'], ['/b.safetensors']]);
    q.attach((p) => got.push(p));
    expect(got[2]).toEqual(['/c.safetensors']);
  });
});
