// An in-process stand-in for Electron's ipcMain / ipcRenderer / webContents (Electron cannot start on
// the build machines). Payloads are copied with structuredClone both ways, as Electron's IPC
// serialises them (structured clone algorithm): functions and class prototypes do not survive. This is
// the only mock of the transport: registerIpc (electron/ipc.ts) and buildBridge (electron/preload) run
// unchanged on top of it, so a contract suite can run every command through IPC as through HTTP.
import { EventEmitter } from 'node:events';
import type { IpcRendererEvent } from 'electron';
import type { InvokeEventLike, IpcMainLike } from '../../electron/ipc.js';
import type { BridgeIpcRenderer } from '../../electron/preload/preload.js';

/** The frame a fake invoke comes from: its URL (the page's origin) and whether it is a subframe. */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron's listener signature
type InvokeListener = (event: InvokeEventLike, ...args: any[]) => unknown;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron's listener signature
type RendererListener = (event: IpcRendererEvent, ...args: any[]) => void;

/** Fake ipcMain: `handle` / `removeHandler` with Electron's rules (one handler per channel). */
export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, InvokeListener>();

  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

/** Fake ipcRenderer: `invoke` reaches the fake ipcMain; `on` / `removeListener` receive what the fake webContents sends. */
export class FakeIpcRenderer implements BridgeIpcRenderer {
  readonly emitter = new EventEmitter();

  constructor(
    private readonly main: FakeIpcMain,
    private readonly frame: () => FakeFrame,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron's signature
  async invoke(channel: string, ...args: any[]): Promise<any> {
    const sent = structuredClone(args);
    const handler = this.main.handlers.get(channel);
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    let result: unknown;
    try {
      result = await handler({ senderFrame: this.frame() }, ...sent);
    } catch (e) {
      throw new Error(`Error invoking remote method '${channel}': ${String(e)}`);
    }
    return structuredClone(result);
  }

  on(channel: string, listener: RendererListener): this {
    this.emitter.on(channel, listener);
    return this;
  }

  removeListener(channel: string, listener: RendererListener): this {
    this.emitter.removeListener(channel, listener);
    return this;
  }

  /** How many listeners a channel has (to check unsubscribe). */
  listenerCount(channel: string): number {
    return this.emitter.listenerCount(channel);
  }
}

/** Fake webContents of the window: `send` delivers to the fake ipcRenderer. */
export class FakeWebContents {
  destroyed = false;

  constructor(
    private readonly renderer: FakeIpcRenderer,
    private readonly frame: () => FakeFrame,
  ) {}

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const event = { sender: this.renderer } as unknown as IpcRendererEvent;
    this.renderer.emitter.emit(channel, event, ...structuredClone(args));
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  getURL(): string {
    return this.frame().url;
  }
}

/** A connected pair: what registerIpc needs (`ipcMain`, `webContents` as event target) and what buildBridge needs (`ipcRenderer`). */
export interface IpcPair {
  readonly ipcMain: FakeIpcMain;
  readonly ipcRenderer: FakeIpcRenderer;
  readonly webContents: FakeWebContents;
  /** The page's top frame; change `url` to play a navigated or foreign page, set `parent` to play a subframe. */
  readonly frame: FakeFrame;
}

/** Creates a pair whose page is at `origin` (e.g. `file:///app/renderer/dist/index.html` or `http://localhost:5173/`). */
export function createIpcPair(origin: string): IpcPair {
  const frame: FakeFrame = { url: origin, parent: null };
  const ipcMain = new FakeIpcMain();
  const ipcRenderer = new FakeIpcRenderer(ipcMain, () => frame);
  const webContents = new FakeWebContents(ipcRenderer, () => frame);
  return { ipcMain, ipcRenderer, webContents, frame };
}
