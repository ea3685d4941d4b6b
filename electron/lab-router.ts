// Which lab the window talks to: the local lab process (always running, so its jobs keep training
// while the window looks at a remote lab) or a remote `colt serve`. The IPC relay is registered
// once on the router; switching changes where calls go and whose events reach the window.
import type { WireEvent } from '../main/contract/api.js';
import type { LabConnection } from './bridge-types.js';
import type { LabHost } from './lab-host.js';
import type { LabProcessStatus } from './lab-supervisor.js';
import type { RemoteStatus } from './remote-lab.js';

/** The local lab as the router needs it (LabSupervisor). */
export interface LocalLab extends LabHost {
  status(): LabProcessStatus;
  onStatus(listener: (status: LabProcessStatus) => void): () => void;
}

/** A remote lab as the router needs it (RemoteLab, possibly wrapped by withLocalFiles). */
export interface RemoteLabLike extends LabHost {
  readonly label: string;
  readonly target: { readonly origin: string };
  status(): RemoteStatus;
  onStatus(listener: (status: RemoteStatus) => void): () => void;
}

/** The connection of the local lab process. */
export function localConnection(s: LabProcessStatus): LabConnection {
  return { kind: 'local', label: 'local', url: null, state: s.state, message: s.message, crash: s.crash, resumable: s.resumable };
}

/** The connection of a remote lab. */
export function remoteConnection(lab: RemoteLabLike): LabConnection {
  const s = lab.status();
  return { kind: 'remote', label: lab.label, url: lab.target.origin, state: s.state, message: s.message, crash: null, resumable: [] };
}

/** Routes contract calls and events to the active lab. */
export class LabRouter implements LabHost {
  private remote: RemoteLabLike | undefined;
  private readonly events = new Set<(event: WireEvent) => void>();
  private readonly listeners = new Set<(connection: LabConnection) => void>();
  private detachLocal: () => void;
  private detachRemote: (() => void) | undefined;

  constructor(private local: LocalLab) {
    this.detachLocal = this.attach(local, () => this.remote === undefined);
  }

  /** The active lab (for the menu's About and the title). */
  get active(): LabHost {
    return this.remote ?? this.local;
  }

  /** The connection now. */
  connection(): LabConnection {
    return this.remote ? remoteConnection(this.remote) : localConnection(this.local.status());
  }

  /** Subscribes to connection changes; returns the unsubscribe function. */
  onConnection(listener: (connection: LabConnection) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  call(command: string, input: unknown): Promise<unknown> {
    return this.active.call(command, input);
  }

  onEvent(listener: (event: WireEvent) => void): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  /** Puts a new local lab in place (Open Library…); returns the previous one, which the caller closes. */
  replaceLocal(next: LocalLab): LocalLab {
    const previous = this.local;
    this.detachLocal();
    this.local = next;
    this.detachLocal = this.attach(next, () => this.remote === undefined);
    this.changed();
    return previous;
  }

  /** Shows a remote lab in the window (the one before it, if any, is closed). */
  async connect(remote: RemoteLabLike): Promise<void> {
    const previous = this.remote;
    this.detachRemote?.();
    this.remote = remote;
    this.detachRemote = this.attach(remote, () => this.remote === remote);
    this.changed();
    await previous?.close();
  }

  /** Back to the local lab; the remote connection is closed (the server keeps running). */
  async disconnect(): Promise<void> {
    const remote = this.remote;
    if (!remote) return;
    this.detachRemote?.();
    this.detachRemote = undefined;
    this.remote = undefined;
    this.changed();
    await remote.close();
  }

  /** Closes the remote connection and the local lab (its jobs pause so they resume at the next start). */
  async close(): Promise<void> {
    await this.disconnect();
    await this.local.close();
  }

  private attach(lab: LocalLab | RemoteLabLike, isActive: () => boolean): () => void {
    const offEvents = lab.onEvent((e) => {
      if (!isActive()) return;
      for (const l of this.events) l(e);
    });
    const offStatus = (lab.onStatus as (l: () => void) => () => void)(() => {
      if (isActive()) this.changed();
    });
    return () => {
      offEvents();
      offStatus();
    };
  }

  private changed(): void {
    const c = this.connection();
    for (const l of this.listeners) l(c);
  }
}
