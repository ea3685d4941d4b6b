// The Electron IPC transport of the contract (STYLE.md, One contract, thin transports): one
// `ipcMain.handle('colt:<command>')` per command of main/contract/api.ts COMMANDS, the sender
// checked, the input validated by LabService.call, every error answered as {code, message}; lab
// events forwarded on `colt:event`. Mirrors main/server/http-server.ts. Electron is injected
// (types only here), so tests drive it with test/helpers/ipc-pair.ts.
import type { WebContents } from 'electron';
import { COMMANDS, type WireEvent } from '../main/contract/api.js';
import { wireError, type WireErrorShape } from '../main/contract/errors.js';
import type { BridgeReply } from './bridge-types.js';
import { commandChannel, EVENT_CHANNEL } from './channels.js';
import type { LabHost } from './lab-host.js';

/** The part of ipcMain the transport uses (Electron's ipcMain, or the pair of test/helpers/ipc-pair.ts). */
export interface IpcMainLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Electron's own listener signature
  handle(channel: string, listener: (event: InvokeEventLike, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
}
/** The part of a renderer's webContents events are sent to. */
export type EventTargetContents = Pick<WebContents, 'send' | 'isDestroyed' | 'getURL'>;
/** The part of an invoke event the sender check reads. */
export type InvokeEventLike = { readonly senderFrame: { readonly url: string; readonly parent: unknown } | null };

/** Settings of the transport. */
export interface IpcOptions {
  /** True for a URL of the app's own renderer (see electron/security.ts rendererPolicy). */
  readonly isTrustedSender: (url: string) => boolean;
  /** The windows lab events go to (default: none). Only those showing a trusted URL receive them. */
  readonly eventTargets?: () => readonly EventTargetContents[];
  /** Where a failure to send an event is reported. */
  readonly onError?: (error: unknown) => void;
}

/** Why a sender is refused, or null when it may call commands: the app's own top frame only. */
export function senderRefusal(event: InvokeEventLike, isTrusted: (url: string) => boolean): string | null {
  const frame = event.senderFrame;
  if (frame === null) return 'the calling frame is gone';
  if (frame.parent !== null) return 'only the top frame of the app window may call the lab';
  if (!isTrusted(frame.url)) return `a page at ${safeOrigin(frame.url)} may not call the lab`;
  return null;
}

/** Turns anything thrown into the wire error: LabError's code, message and public details (as over HTTP), else `internal`. */
export function toWireError(e: unknown): WireErrorShape {
  return wireError(e);
}

/** Registers one handler per contract command and forwards lab events; returns the function that undoes both. */
export function registerIpc(ipcMain: IpcMainLike, service: LabHost, options: IpcOptions): () => void {
  const names = Object.keys(COMMANDS);
  for (const name of names) {
    ipcMain.handle(commandChannel(name), async (event: InvokeEventLike, input: unknown): Promise<BridgeReply> => {
      const refusal = senderRefusal(event, options.isTrustedSender);
      if (refusal !== null) return { ok: false, error: { code: 'forbidden', message: `${name}: ${refusal}` } };
      try {
        return { ok: true, output: await service.call(name, input) };
      } catch (e) {
        return { ok: false, error: toWireError(e) };
      }
    });
  }
  const unsubscribe = service.onEvent((message: WireEvent) => {
    for (const contents of options.eventTargets?.() ?? []) {
      try {
        if (!contents.isDestroyed() && options.isTrustedSender(contents.getURL())) contents.send(EVENT_CHANNEL, { event: message.event, payload: message.payload });
      } catch (e) {
        options.onError?.(e);
      }
    }
  });
  return () => {
    unsubscribe();
    for (const name of names) ipcMain.removeHandler(commandChannel(name));
  };
}

function safeOrigin(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? 'file://' + u.pathname : u.origin;
  } catch {
    return JSON.stringify(url.slice(0, 80));
  }
}
