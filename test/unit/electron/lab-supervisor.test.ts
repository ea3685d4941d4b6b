// LabSupervisor's own rules — when it restarts, when it gives up, how it closes — against a scripted
// stand-in for the lab process (the real one is driven in test/integration/lab-process/). The
// stand-in answers with the protocol's messages; nothing of the supervisor is replaced.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { exitReason, labErrorOf, LabSupervisor, type LabExit, type LabLink, type LabProcessStatus } from '../../../electron/lab-supervisor.js';
import type { HostMessage } from '../../../main/lab-process/protocol.js';

/** A scripted lab process: records what it is sent; the test makes it answer, crash or exit. */
class ScriptedLab implements LabLink {
  static nextPid = 1000;
  readonly pid = ScriptedLab.nextPid++;
  readonly sent: HostMessage[] = [];
  readonly emitter = new EventEmitter();
  killed = false;

  constructor(private readonly behaviour: (lab: ScriptedLab, m: HostMessage) => void) {}

  send(message: HostMessage): void {
    this.sent.push(message);
    queueMicrotask(() => this.behaviour(this, message));
  }
  onMessage(listener: (message: unknown) => void): void {
    this.emitter.on('message', listener);
  }
  onExit(listener: (exit: LabExit) => void): void {
    this.emitter.once('exit', listener);
  }
  kill(): void {
    this.killed = true;
    this.exit({ code: null, signal: 'SIGKILL' });
  }
  post(message: unknown): void {
    this.emitter.emit('message', message);
  }
  exit(e: LabExit): void {
    queueMicrotask(() => this.emitter.emit('exit', e));
  }
}

/** A lab that opens and answers `echo` with its input and its pid. */
const healthy = (lab: ScriptedLab, m: HostMessage): void => {
  if (m.kind === 'open') lab.post({ kind: 'ready', backend: 'cpu', backendReason: 'asked for', pid: lab.pid, resumable: [4] });
  if (m.kind === 'call') lab.post({ kind: 'reply', id: m.id, ok: true, output: { echo: m.input, pid: lab.pid } });
  if (m.kind === 'close') {
    lab.post({ kind: 'closed' });
    lab.exit({ code: 0, signal: null });
  }
};

function supervised(behaviour = healthy, options: Partial<ConstructorParameters<typeof LabSupervisor>[0]> = {}) {
  const labs: ScriptedLab[] = [];
  const statuses: LabProcessStatus[] = [];
  const errors: unknown[] = [];
  const sup = new LabSupervisor({
    spawn: () => {
      const l = new ScriptedLab(behaviour);
      labs.push(l);
      return l;
    },
    open: { dataDir: '/d', libraryPath: '/d/library.sqlite' },
    restartDelayMs: 0,
    onError: (e) => errors.push(e),
    ...options,
  });
  sup.onStatus((s) => statuses.push(s));
  return { sup, labs, statuses, errors };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

describe('LabSupervisor', () => {
  it('opens the lab with the given options and relays calls and events', async () => {
    const { sup, labs } = supervised();
    await sup.start();
    expect(labs[0].sent[0]).toEqual({ kind: 'open', options: { dataDir: '/d', libraryPath: '/d/library.sqlite', hostPrintsPdf: false } });
    expect(sup.status()).toMatchObject({ state: 'ready', pid: labs[0].pid, backend: 'cpu', resumable: [4] });
    expect(await sup.call('runs.list', { limit: 2 })).toEqual({ echo: { limit: 2 }, pid: labs[0].pid });
    const got: unknown[] = [];
    sup.onEvent((e) => got.push(e));
    labs[0].post({ kind: 'event', event: 'run.finished', payload: { runId: 1 } });
    expect(got).toEqual([{ event: 'run.finished', payload: { runId: 1 } }]);
  });

  it('turns an error reply into a LabError with its code (unknown codes become internal)', async () => {
    const { sup } = supervised((lab, m) => {
      if (m.kind === 'open') healthy(lab, m);
      if (m.kind === 'call') lab.post({ kind: 'reply', id: m.id, ok: false, error: { code: m.command === 'a.b' ? 'not_found' : 'weird', message: 'no such thing' } });
    });
    await sup.start();
    await expect(sup.call('a.b', {})).rejects.toMatchObject({ code: 'not_found', message: 'no such thing' });
    await expect(sup.call('c.d', {})).rejects.toMatchObject({ code: 'internal' });
    expect(labErrorOf({ code: 'busy', message: 'x' }).code).toBe('busy');
  });

  it('fails a start whose lab cannot open, and does not restart it', async () => {
    const { sup, labs, statuses } = supervised((lab, m) => {
      if (m.kind === 'open') lab.post({ kind: 'failed', error: { code: 'storage', message: '/d/library.sqlite is not a COLT Lab library' } });
    });
    await expect(sup.start()).rejects.toMatchObject({ code: 'storage', message: expect.stringContaining('not a COLT Lab library') });
    await settle();
    expect(labs).toHaveLength(1);
    expect(labs[0].killed).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ state: 'failed', message: expect.stringContaining('not a COLT Lab library') });
    await expect(sup.call('system.info', {})).rejects.toMatchObject({ code: 'storage' });
  });

  it('fails a start whose process exits before its lab is open', async () => {
    const { sup, labs } = supervised((lab, m) => {
      if (m.kind === 'open') lab.exit({ code: 1, signal: null });
    });
    await expect(sup.start()).rejects.toMatchObject({ message: expect.stringContaining('exited (exit code 1) before its lab was open') });
    await settle();
    expect(labs).toHaveLength(1);
  });

  it('restarts after a crash: calls in flight fail naming the stop, later calls reach the new process', async () => {
    let answer = true;
    const { sup, labs, statuses } = supervised((lab, m) => {
      if (m.kind === 'call' && !answer) return; // leaves the call in flight
      healthy(lab, m);
    });
    await sup.start();
    answer = false;
    const inFlight = sup.call('reports.create', {});
    await settle();
    answer = true;
    labs[0].exit({ code: null, signal: 'SIGSEGV' });
    await expect(inFlight).rejects.toMatchObject({ code: 'internal', message: 'reports.create: the lab process stopped (signal SIGSEGV) before answering; it is being restarted' });
    const later = await sup.call('system.info', {});
    expect(later).toMatchObject({ pid: labs[1].pid });
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'ready', 'restarting', 'starting', 'ready']);
    expect(sup.status().crash).toMatchObject({ reason: 'signal SIGSEGV', restarts: 1 });
  });

  it('gives up after more than maxRestarts crashes within the window', async () => {
    const { sup, labs } = supervised(healthy, { maxRestarts: 2, restartWindowMs: 60_000 });
    await sup.start();
    for (let i = 0; i < 3; i++) {
      labs.at(-1)!.exit({ code: 134, signal: null });
      // Until the supervisor has answered this crash: a new lab that opened, or (the third) failed. A fixed pause could end before the restart timer fired on a loaded machine.
      await vi.waitFor(() => expect(i < 2 ? labs.length === i + 2 && sup.status().state === 'ready' : sup.status().state === 'failed').toBe(true));
    }
    expect(labs).toHaveLength(3);
    expect(sup.status()).toMatchObject({ state: 'failed', message: expect.stringContaining('stopped 3 times within 60 s (last: exit code 134)') });
    await expect(sup.call('system.info', {})).rejects.toMatchObject({ message: expect.stringContaining('not restarted again') });
  });

  it('closes: sends close, waits for the exit, and refuses calls afterwards', async () => {
    const { sup, labs } = supervised();
    await sup.start();
    await sup.close();
    expect(labs[0].sent.at(-1)).toEqual({ kind: 'close' });
    expect(labs[0].killed).toBe(false);
    expect(sup.status().state).toBe('closed');
    await expect(sup.call('system.info', {})).rejects.toMatchObject({ code: 'busy' });
    await settle();
    expect(labs).toHaveLength(1);
  });

  it('kills a lab process that does not close in time', async () => {
    const { sup, labs, errors } = supervised((lab, m) => (m.kind === 'close' ? undefined : healthy(lab, m)), { closeTimeoutMs: 20 });
    await sup.start();
    await sup.close();
    expect(labs[0].killed).toBe(true);
    expect(String(errors[0])).toContain('did not close within 20 ms');
  });

  it('prints PDFs for the lab when it has a printer, and says so when it has none', async () => {
    const { sup, labs } = supervised(healthy, { printPdf: async (html) => Buffer.from(`pdf of ${html}`) });
    await sup.start();
    expect((labs[0].sent[0] as { options: { hostPrintsPdf: boolean } }).options.hostPrintsPdf).toBe(true);
    labs[0].post({ kind: 'pdf', id: 3, html: '<h1>r</h1>' });
    await settle();
    expect(labs[0].sent.at(-1)).toEqual({ kind: 'pdf.done', id: 3, ok: true, pdf: Buffer.from('pdf of <h1>r</h1>').toString('base64') });

    const none = supervised();
    await none.sup.start();
    none.labs[0].post({ kind: 'pdf', id: 1, html: 'x' });
    await settle();
    expect(none.labs[0].sent.at(-1)).toMatchObject({ kind: 'pdf.done', id: 1, ok: false, error: { message: 'this app cannot print to PDF' } });
  });

  it('ignores malformed messages from the lab process, reporting them', async () => {
    const { sup, labs, errors } = supervised();
    await sup.start();
    labs[0].post({ kind: 'reply', id: -1, ok: true });
    labs[0].post('hello');
    expect(errors).toHaveLength(2);
    expect(String(errors[0])).toContain('malformed message');
    expect(sup.status().state).toBe('ready');
  });

  it('names exits by signal or code', () => {
    expect(exitReason({ code: null, signal: 'SIGKILL' })).toBe('signal SIGKILL');
    expect(exitReason({ code: 3, signal: null })).toBe('exit code 3');
  });
});
