// The desktop app's side of the lab process (DESIGN.md, Processes): the lab — LabService, its job
// pool and the library writer — runs in a child process (an Electron utilityProcess; a Node child
// in the tests), and this relays the contract to it over the child's message port. When the child
// dies unexpectedly the calls in flight fail with a message saying so, the window is told (status
// listeners), and a fresh lab process is started on the same library, which marks the runs that
// were training as interrupted: `runs.resume` continues them from their last stored round.
// No Electron import: the child is reached through the injected LabLink.
import type { WireEvent } from '../main/contract/api.js';
import { LabError, type LabErrorCode } from '../main/contract/errors.js';
import { parseLabMessage, type HostMessage, type LabMessage, type LabOpenOptions } from '../main/lab-process/protocol.js';
import type { LabHost } from './lab-host.js';

/** How a lab process ended. */
export interface LabExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/** One started lab process, as the supervisor sees it (electron/utility-lab-link.ts adapts Electron's UtilityProcess). */
export interface LabLink {
  readonly pid: number | undefined;
  send(message: HostMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: LabExit) => void): void;
  /** Ends the process at once. */
  kill(): void;
}

/** Starts a lab process. */
export type SpawnLab = () => LabLink;

/** Where the lab process stands. */
export type LabProcessState = 'starting' | 'ready' | 'restarting' | 'failed' | 'closed';

/** What the window is told about the lab process. */
export interface LabProcessStatus {
  readonly state: LabProcessState;
  readonly pid: number | null;
  readonly backend: string | null;
  /** Why it is not ready (failed, restarting), or null. */
  readonly message: string | null;
  /** The last unexpected stop of the lab process, or null when it never stopped. */
  readonly crash: { readonly at: string; readonly reason: string; readonly restarts: number } | null;
  /** Interrupted runs the lab found when it (re)opened the library: `runs.resume` continues them. */
  readonly resumable: readonly number[];
}

/** Settings of the supervisor. */
export interface LabSupervisorOptions {
  readonly spawn: SpawnLab;
  readonly open: LabOpenOptions;
  /** Prints report HTML to PDF for the lab (Electron's printToPDF needs a window: the main process has them). */
  readonly printPdf?: (html: string) => Promise<Uint8Array>;
  /** Wait before a restart (ms). */
  readonly restartDelayMs?: number;
  /** More unexpected stops than this within restartWindowMs and the lab is not restarted again. */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
  /** Longest wait for a clean close before the process is killed (ms). */
  readonly closeTimeoutMs?: number;
  readonly now?: () => Date;
  /** Where problems no caller sees are reported (a malformed message, a failed PDF answer). */
  readonly onError?: (error: unknown) => void;
}

const CODES: ReadonlySet<string> = new Set<LabErrorCode>(['invalid_input', 'not_found', 'busy', 'cancelled', 'storage', 'internal']);

/** The LabError of a wire error (unknown codes become `internal`). */
export function labErrorOf(error: { code: string; message: string }): LabError {
  return new LabError(CODES.has(error.code) ? (error.code as LabErrorCode) : 'internal', error.message);
}

/** How an exit reads in messages: `signal SIGKILL` or `exit code 1`. */
export function exitReason(exit: LabExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code ?? 'unknown'}`;
}

interface Pending {
  readonly command: string;
  readonly generation: number;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/** The lab in its own process, restarted after a crash; a LabHost for the IPC relay. */
export class LabSupervisor implements LabHost {
  private link: LabLink | undefined;
  private generation = 0;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new Set<(event: WireEvent) => void>();
  private readonly statusListeners = new Set<(status: LabProcessStatus) => void>();
  private waiters: { resolve(): void; reject(e: Error): void }[] = [];
  private current: LabProcessStatus = { state: 'starting', pid: null, backend: null, message: null, crash: null, resumable: [] };
  private failure: LabError | undefined;
  private crashTimes: number[] = [];
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private closing: Promise<void> | undefined;
  private exited: (() => void) | undefined;

  constructor(private readonly options: LabSupervisorOptions) {}

  /** Starts the lab process; resolves once its lab is open, rejects (and stays failed) when it cannot open. */
  start(): Promise<void> {
    if (this.link === undefined && this.current.state === 'starting') this.spawn();
    return this.whenReady();
  }

  /** Where the lab process stands now. */
  status(): LabProcessStatus {
    return this.current;
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(listener: (status: LabProcessStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Runs one contract command in the lab process (waits while it starts or restarts). */
  async call(command: string, input: unknown): Promise<unknown> {
    await this.whenReady();
    const link = this.link;
    if (link === undefined) throw new LabError('internal', `${command}: the lab process is not running`);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { command, generation: this.generation, resolve, reject });
      try {
        link.send({ kind: 'call', id, command, input });
      } catch (e) {
        this.pending.delete(id);
        reject(new LabError('internal', `${command}: could not reach the lab process (${e instanceof Error ? e.message : String(e)})`));
      }
    });
  }

  /** Subscribes to the lab's run events (across restarts); returns the unsubscribe function. */
  onEvent(listener: (event: WireEvent) => void): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  /** Closes the lab (running jobs pause, so they resume at the next start) and waits for its process to end. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.restartTimer);
    const link = this.link;
    const wasRunning = link !== undefined && (this.current.state === 'ready' || this.current.state === 'starting');
    this.setStatus({ state: 'closed', message: 'the lab is closed' });
    this.rejectWaiters(new LabError('busy', 'the lab is shutting down'));
    if (link !== undefined && wasRunning) {
      const ended = new Promise<void>((resolve) => (this.exited = resolve));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.options.closeTimeoutMs ?? 10_000)));
      try {
        link.send({ kind: 'close' });
      } catch {
        // Already gone: the exit (or the timeout) ends the wait.
      }
      if ((await Promise.race([ended, timeout])) === 'timeout') {
        this.options.onError?.(new Error(`the lab process did not close within ${this.options.closeTimeoutMs ?? 10_000} ms; killing it`));
        link.kill();
      }
      clearTimeout(timer);
    } else {
      link?.kill();
    }
    this.link = undefined;
    this.failPending(() => new LabError('busy', 'the lab closed before answering'));
  }

  private spawn(): void {
    const generation = ++this.generation;
    let link: LabLink;
    try {
      link = this.options.spawn();
    } catch (e) {
      this.fail(new LabError('internal', `could not start the lab process: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    this.link = link;
    link.onMessage((m) => this.receive(generation, m));
    link.onExit((exit) => this.exit(generation, exit));
    this.setStatus({ state: 'starting', pid: link.pid ?? null });
    try {
      link.send({ kind: 'open', options: { ...this.options.open, hostPrintsPdf: this.options.printPdf !== undefined } });
    } catch (e) {
      this.fail(new LabError('internal', `could not reach the lab process: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private receive(generation: number, raw: unknown): void {
    if (generation !== this.generation) return;
    const parsed = parseLabMessage(raw);
    if (!parsed.ok) {
      this.options.onError?.(new Error(`the lab process sent a malformed message (${parsed.reason})`));
      return;
    }
    const m: LabMessage = parsed.message;
    switch (m.kind) {
      case 'ready':
        this.setStatus({ state: 'ready', pid: m.pid, backend: m.backend, message: null, resumable: m.resumable });
        for (const w of this.waiters.splice(0)) w.resolve();
        break;
      case 'failed':
        this.fail(labErrorOf(m.error));
        break;
      case 'reply': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.output);
        else p.reject(labErrorOf(m.error));
        break;
      }
      case 'event':
        for (const l of this.events) {
          try {
            l({ event: m.event, payload: m.payload });
          } catch (e) {
            this.options.onError?.(e);
          }
        }
        break;
      case 'pdf':
        void this.printFor(generation, m.id, m.html);
        break;
      case 'closed':
        break;
    }
  }

  private async printFor(generation: number, id: number, html: string): Promise<void> {
    let answer: HostMessage;
    try {
      if (!this.options.printPdf) throw new Error('this app cannot print to PDF');
      answer = { kind: 'pdf.done', id, ok: true, pdf: Buffer.from(await this.options.printPdf(html)).toString('base64') };
    } catch (e) {
      answer = { kind: 'pdf.done', id, ok: false, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
    }
    if (generation !== this.generation || this.link === undefined) return;
    try {
      this.link.send(answer);
    } catch (e) {
      this.options.onError?.(e);
    }
  }

  private exit(generation: number, exit: LabExit): void {
    if (generation !== this.generation) return;
    this.link = undefined;
    if (this.current.state === 'closed') {
      this.exited?.();
      return;
    }
    const reason = exitReason(exit);
    this.failPending((p) => new LabError('internal', `${p.command}: the lab process stopped (${reason}) before answering; it is being restarted`));
    if (this.current.state === 'failed') return;
    if (this.current.state === 'starting' && this.current.crash === null) {
      // It never opened: starting it again would fail the same way.
      this.fail(new LabError('internal', `the lab process exited (${reason}) before its lab was open`));
      return;
    }
    const now = (this.options.now ?? (() => new Date()))();
    const window = this.options.restartWindowMs ?? 60_000;
    this.crashTimes = [...this.crashTimes.filter((t) => now.getTime() - t < window), now.getTime()];
    const restarts = (this.current.crash?.restarts ?? 0) + 1;
    const crash = { at: now.toISOString(), reason, restarts };
    if (this.crashTimes.length > (this.options.maxRestarts ?? 3)) {
      this.setStatus({ crash });
      this.fail(new LabError('internal', `the lab process stopped ${this.crashTimes.length} times within ${Math.round(window / 1000)} s (last: ${reason}); it is not restarted again`));
      return;
    }
    this.setStatus({ state: 'restarting', pid: null, crash, message: `the lab process stopped unexpectedly (${reason}); restarting it` });
    this.restartTimer = setTimeout(() => {
      if (this.current.state === 'restarting') this.spawn();
    }, this.options.restartDelayMs ?? 500);
  }

  private fail(error: LabError): void {
    this.failure = error;
    const link = this.link;
    this.link = undefined;
    this.setStatus({ state: 'failed', pid: null, message: error.message });
    this.rejectWaiters(error);
    this.failPending(() => error);
    link?.kill();
  }

  private whenReady(): Promise<void> {
    const s = this.current.state;
    if (s === 'ready') return Promise.resolve();
    if (s === 'failed') return Promise.reject(this.failure ?? new LabError('internal', 'the lab process failed'));
    if (s === 'closed') return Promise.reject(new LabError('busy', 'the lab is shutting down'));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private rejectWaiters(error: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  private failPending(errorOf: (p: Pending) => Error): void {
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(errorOf(p));
    }
  }

  private setStatus(change: Partial<LabProcessStatus>): void {
    this.current = { ...this.current, ...change };
    for (const l of this.statusListeners) {
      try {
        l(this.current);
      } catch (e) {
        this.options.onError?.(e);
      }
    }
  }
}
