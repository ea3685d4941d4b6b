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
  | { readonly action: 'library.changed'; readonly path: string };

/** The name of a menu action. */
export type MenuAction = MenuMessage['action'];

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
}
