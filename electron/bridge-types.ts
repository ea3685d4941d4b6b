// The shape of `window.coltLab`, the preload bridge. Pure types (no Electron import) so the renderer's
// API client can `import type { ColtLabBridge } from '../../electron/bridge-types'`.
import type { CommandInput, CommandName, CommandOutput, WireError, WireEvent } from '../main/contract/api.js';

/** A command's answer over IPC: the WireReply of the contract without the request id. */
export type BridgeReply<T = unknown> = { readonly ok: true; readonly output: T } | { readonly ok: false; readonly error: WireError };

/** One function per contract command: `commands['runs.list'](input)`; never rejects, errors come back as `{ok: false, error}`. */
export type BridgeCommands = { readonly [C in CommandName]: (input?: CommandInput<C>) => Promise<BridgeReply<CommandOutput<C>>> };

/** What a menu or OS action asks the UI to do (sent on `colt:menu`). */
export type MenuMessage =
  | { readonly action: 'experiment.new' }
  /** Import these ticket files with `tickets.import {path}` (menu Import ticket…, file association, second instance). */
  | { readonly action: 'tickets.import'; readonly paths: readonly string[] }
  /** Write the report of the current view to this path with `reports.create`. */
  | { readonly action: 'reports.export'; readonly path: string }
  /** The library was switched: reload every store. */
  | { readonly action: 'library.changed'; readonly path: string }
  /** File › Connect to a Lab Server…: ask for the server's URL and token. */
  | { readonly action: 'lab.connect' };

/** The name of a menu action. */
export type MenuAction = MenuMessage['action'];

/** Which lab the window talks to, and how it stands (sent on `colt:lab-status`). */
export interface LabConnection {
  /** The lab process on this computer, or a `colt serve` elsewhere. */
  readonly kind: 'local' | 'remote';
  /** `local`, or the server's `user@hostname:port`: the title bar says `COLT Lab — <label>`. */
  readonly label: string;
  /** The remote server's address (never its token); null for the local lab. */
  readonly url: string | null;
  readonly state: 'starting' | 'ready' | 'restarting' | 'disconnected' | 'failed' | 'closed';
  /** Why it is not ready, or null. */
  readonly message: string | null;
  /** The local lab process's last unexpected stop (it was restarted), or null. */
  readonly crash: { readonly at: string; readonly reason: string; readonly restarts: number } | null;
  /** Runs found interrupted when the local lab (re)opened its library: runs.resume continues them. */
  readonly resumable: readonly number[];
}

/** The lab connection part of the bridge: which lab, and switching to a remote one and back. */
export interface LabBridge {
  /** The connection now. */
  status(): Promise<LabConnection>;
  /** Connects the window to a `colt serve` (URL and token; the token may be left in the URL's `?token=`). */
  connect(url: string, token: string): Promise<BridgeReply<LabConnection>>;
  /** Back to the lab on this computer. */
  disconnect(): Promise<BridgeReply<LabConnection>>;
  /** Subscribes to connection changes (a crash and restart, a lost server); returns the unsubscribe function. */
  onStatus(listener: (connection: LabConnection) => void): () => void;
}

/** `window.coltLab` inside the Electron window. */
export interface ColtLabBridge {
  readonly host: 'electron';
  readonly commands: BridgeCommands;
  /** Subscribes to lab events (run.progress, run.roundDone, run.finished, run.failed); returns the unsubscribe function. */
  onEvent(listener: (event: WireEvent) => void): () => void;
  /** Subscribes to menu actions; returns the unsubscribe function. */
  onMenu(listener: (message: MenuMessage) => void): () => void;
  /** The real path of a dropped file (Electron's webUtils.getPathForFile); '' when it has none. */
  pathForFile(file: File): string;
  /** Which lab the window talks to (the local lab process or a remote `colt serve`). */
  readonly lab: LabBridge;
}
