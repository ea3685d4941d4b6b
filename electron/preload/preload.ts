// The preload bridge (STYLE.md: one function per contract command, never raw ipcRenderer).
//
// This file runs in a sandboxed preload, where `require` knows only 'electron' and a few Node
// built-ins: it cannot load a second local module. So it is self-contained, compiled to CommonJS
// (electron/preload/package.json says "commonjs") and imports only types. The command names are
// not compiled in: the main process passes Object.keys(COMMANDS) to the window as the argument
// `--colt-commands=a.b,c.d` (webPreferences.additionalArguments), so the bridge always matches the
// contract the main process serves, with nothing generated or bundled.
import type { ContextBridge, IpcRendererEvent, WebUtils } from 'electron';
import type { BridgeReply, ColtLabBridge, LabConnection, MenuMessage } from '../bridge-types.js' with { 'resolution-mode': 'import' };
import type { WireEvent } from '../../main/contract/api.js' with { 'resolution-mode': 'import' };

// Same literals as electron/channels.ts (test/unit/electron/preload.test.ts checks they agree).
const COMMAND_CHANNEL_PREFIX = 'colt:';
const EVENT_CHANNEL = 'colt:event';
const MENU_CHANNEL = 'colt:menu';
const COMMANDS_ARGUMENT = '--colt-commands=';
const LAB_STATUS_CHANNEL = 'colt:lab-status';
const LAB_CONNECT_CHANNEL = 'colt:lab-connect';
const LAB_DISCONNECT_CHANNEL = 'colt:lab-disconnect';

/** The part of ipcRenderer the bridge uses (Electron's, or the in-process pair of test/helpers/ipc-pair.ts). */
export interface BridgeIpcRenderer {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron's listener signature
  on(channel: string, listener: (event: IpcRendererEvent, ...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron's listener signature
  removeListener(channel: string, listener: (...args: any[]) => void): unknown;
}
/** The part of webUtils the bridge uses. */
export type BridgeWebUtils = Pick<WebUtils, 'getPathForFile'>;

/** The command names the main process passed in `--colt-commands=`; none when absent. */
export function commandNamesFromArgv(argv: readonly string[]): string[] {
  const arg = argv.find((a) => a.startsWith(COMMANDS_ARGUMENT));
  if (arg === undefined) return [];
  return arg
    .slice(COMMANDS_ARGUMENT.length)
    .split(',')
    .filter((name) => /^[a-z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/.test(name));
}

/** Builds `window.coltLab` over an ipcRenderer: one function per command name, events, menu actions, dropped-file paths. */
export function buildBridge(ipc: BridgeIpcRenderer, webUtils: BridgeWebUtils, names: readonly string[]): ColtLabBridge {
  const commands: Record<string, (input?: unknown) => Promise<BridgeReply>> = {};
  for (const name of names) {
    commands[name] = async (input?: unknown): Promise<BridgeReply> => {
      try {
        return (await ipc.invoke(COMMAND_CHANNEL_PREFIX + name, input)) as BridgeReply;
      } catch (e) {
        // The main process answers every error as {ok: false}; a rejection means the IPC itself failed
        // (no handler, a reply that could not be cloned). The page still gets the one reply shape.
        return { ok: false, error: { code: 'internal', message: `${name}: ${e instanceof Error ? e.message : String(e)}` } };
      }
    };
  }
  const invokeReply = async <T>(channel: string, what: string, ...args: unknown[]): Promise<BridgeReply<T>> => {
    try {
      return (await ipc.invoke(channel, ...args)) as BridgeReply<T>;
    } catch (e) {
      return { ok: false, error: { code: 'internal', message: `${what}: ${e instanceof Error ? e.message : String(e)}` } };
    }
  };
  const subscribe = <T>(channel: string, listener: (message: T) => void): (() => void) => {
    // The IpcRendererEvent stays here: handing it to the page would expose `sender` (ipcRenderer itself).
    const handler = (_event: unknown, message: T): void => listener(message);
    ipc.on(channel, handler);
    return () => {
      ipc.removeListener(channel, handler);
    };
  };
  return {
    host: 'electron',
    commands: Object.freeze(commands) as unknown as ColtLabBridge['commands'],
    onEvent: (listener) => subscribe<WireEvent>(EVENT_CHANNEL, listener),
    onMenu: (listener) => subscribe<MenuMessage>(MENU_CHANNEL, listener),
    pathForFile: (file) => webUtils.getPathForFile(file),
    lab: Object.freeze({
      async status(): Promise<LabConnection> {
        const reply = await invokeReply<LabConnection>(LAB_STATUS_CHANNEL, 'lab status');
        if (!reply.ok) throw new Error(reply.error.message);
        return reply.output;
      },
      connect: (url: string, token: string) => invokeReply<LabConnection>(LAB_CONNECT_CHANNEL, 'connect', { url: String(url), token: String(token) }),
      disconnect: () => invokeReply<LabConnection>(LAB_DISCONNECT_CHANNEL, 'disconnect'),
      onStatus: (listener: (connection: LabConnection) => void) => subscribe<LabConnection>(LAB_STATUS_CHANNEL, listener),
    }),
  };
}

/** Exposes the bridge as `window.coltLab` (run by the preload itself inside Electron). */
export function installBridge(electron: { contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>; ipcRenderer: BridgeIpcRenderer; webUtils: BridgeWebUtils }, argv: readonly string[]): void {
  electron.contextBridge.exposeInMainWorld('coltLab', buildBridge(electron.ipcRenderer, electron.webUtils, commandNamesFromArgv(argv)));
}

// Inside Electron's renderer (process.type 'renderer') install the bridge; imported by a test under
// plain Node nothing happens, so the functions above are testable without Electron.
if ((process as { type?: string }).type === 'renderer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS; 'electron' is all it may require
  installBridge(require('electron') as typeof import('electron'), process.argv);
}
