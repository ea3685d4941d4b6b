// The utilityProcess adapter with Electron's utilityProcess.fork injected: the lab entry and its
// environment go to fork, messages and exits come back in the LabLink shape.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { labEnvironment, utilityLabSpawner, type ForkUtility } from '../../../electron/utility-lab-link.js';

describe('utilityLabSpawner', () => {
  it('forks the lab entry with the environment (unset keys dropped) and adapts messages, exit and kill', () => {
    const child = Object.assign(new EventEmitter(), { pid: 4242 as number | undefined, postMessage: vi.fn(), kill: vi.fn(() => true) });
    const fork = vi.fn(() => child) as unknown as ForkUtility & ReturnType<typeof vi.fn>;
    const killProcess = vi.fn();
    const spawn = utilityLabSpawner(fork, { entry: '/app/dist/main/lab-process/main.js', env: { COLT_SQLITE_BINDING: '/app/x.node', UNSET: undefined }, killProcess });
    const link = spawn();
    expect(fork).toHaveBeenCalledWith('/app/dist/main/lab-process/main.js', [], { serviceName: 'COLT Lab lab', stdio: 'inherit', env: { COLT_SQLITE_BINDING: '/app/x.node' } });
    expect(link.pid).toBe(4242);
    link.send({ kind: 'close' });
    expect(child.postMessage).toHaveBeenCalledWith({ kind: 'close' });
    const got: unknown[] = [];
    link.onMessage((m) => got.push(m));
    child.emit('message', { kind: 'closed' });
    expect(got).toEqual([{ kind: 'closed' }]);
    const exits: unknown[] = [];
    link.onExit((e) => exits.push(e));
    child.emit('exit', 9);
    expect(exits).toEqual([{ code: 9, signal: null }]);
    link.kill();
    expect(killProcess).toHaveBeenCalledWith(4242, 'SIGKILL');
    child.pid = undefined;
    link.kill();
    expect(killProcess).toHaveBeenCalledTimes(1);
  });

  it('falls back to Electron kill() when the signal cannot be sent', () => {
    const child = Object.assign(new EventEmitter(), { pid: 7, postMessage: vi.fn(), kill: vi.fn(() => true) });
    const link = utilityLabSpawner((() => child) as unknown as ForkUtility, { entry: 'e', env: {}, killProcess: () => {
      throw new Error('ESRCH');
    } })();
    link.kill();
    expect(child.kill).toHaveBeenCalledTimes(1);
    expect(labEnvironment({ A: 'a', B: undefined })).toEqual({ A: 'a' });
  });
});
