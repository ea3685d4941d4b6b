// The lab-connection IPC: which lab the window talks to (`colt:lab-status`), connecting it to a
// remote `colt serve` (`colt:lab-connect`) and back to the local lab (`colt:lab-disconnect`), and
// every change pushed to the window (a crash and restart of the lab process, a lost server). The
// same sender check as the contract's channels (electron/ipc.ts); Electron injected.
import type { BridgeReply, LabConnection } from './bridge-types.js';
import { LAB_CONNECT_CHANNEL, LAB_DISCONNECT_CHANNEL, LAB_STATUS_CHANNEL } from './channels.js';
import { senderRefusal, toWireError, type EventTargetContents, type InvokeEventLike, type IpcMainLike } from './ipc.js';
import type { LabRouter, RemoteLabLike } from './lab-router.js';
import { parseRemoteTarget } from './remote-lab.js';

/** Settings of the connection IPC. */
export interface ConnectionIpcOptions {
  readonly isTrustedSender: (url: string) => boolean;
  /** Opens a remote lab for a checked URL and token (main.ts: connectRemoteLab + withLocalFiles). */
  readonly openRemote: (target: { origin: string; token: string }) => Promise<RemoteLabLike>;
  readonly eventTargets?: () => readonly EventTargetContents[];
  readonly onError?: (error: unknown) => void;
}

/** Registers the three connection channels and pushes connection changes; returns the function that undoes it. */
export function registerConnectionIpc(ipcMain: IpcMainLike, router: LabRouter, options: ConnectionIpcOptions): () => void {
  const refuse = (event: InvokeEventLike, what: string): BridgeReply<never> | null => {
    const refusal = senderRefusal(event, options.isTrustedSender);
    return refusal === null ? null : { ok: false, error: { code: 'forbidden', message: `${what}: ${refusal}` } };
  };
  ipcMain.handle(LAB_STATUS_CHANNEL, (event: InvokeEventLike): BridgeReply<LabConnection> => refuse(event, 'lab status') ?? { ok: true, output: router.connection() });
  ipcMain.handle(LAB_CONNECT_CHANNEL, async (event: InvokeEventLike, input: unknown): Promise<BridgeReply<LabConnection>> => {
    const refused = refuse(event, 'connect');
    if (refused) return refused;
    try {
      const { url, token } = (typeof input === 'object' && input !== null ? input : {}) as { url?: unknown; token?: unknown };
      const remote = await options.openRemote(parseRemoteTarget(url, token));
      await router.connect(remote);
      return { ok: true, output: router.connection() };
    } catch (e) {
      return { ok: false, error: toWireError(e) };
    }
  });
  ipcMain.handle(LAB_DISCONNECT_CHANNEL, async (event: InvokeEventLike): Promise<BridgeReply<LabConnection>> => {
    const refused = refuse(event, 'disconnect');
    if (refused) return refused;
    try {
      await router.disconnect();
      return { ok: true, output: router.connection() };
    } catch (e) {
      return { ok: false, error: toWireError(e) };
    }
  });
  const off = router.onConnection((connection) => {
    for (const contents of options.eventTargets?.() ?? []) {
      try {
        if (!contents.isDestroyed() && options.isTrustedSender(contents.getURL())) contents.send(LAB_STATUS_CHANNEL, connection);
      } catch (e) {
        options.onError?.(e);
      }
    }
  });
  return () => {
    off();
    for (const channel of [LAB_STATUS_CHANNEL, LAB_CONNECT_CHANNEL, LAB_DISCONNECT_CHANNEL]) ipcMain.removeHandler(channel);
  };
}
