import type { LabMessage } from './protocol.js';

/**
 * The lab process's side of its link to the host: one message-port-like surface whatever carries
 * it, so exactly the same lab code runs in an Electron utilityProcess (its `process.parentPort`)
 * and in a plain Node child process (its IPC channel), as the tests run it.
 */
export interface LabChannel {
  /** Which carrier this is (for messages and tests). */
  readonly carrier: 'electron-parent-port' | 'node-ipc';
  send(message: LabMessage): void;
  /** Every message the host sends, as received (not yet validated). */
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the host is gone (Node: the IPC channel closed). Electron kills a utility process with its parent. */
  onHostGone(listener: () => void): void;
  /** Lets the process end once the lab is closed. */
  end(): void;
}

/** Electron's `process.parentPort` inside a utilityProcess (Electron's ParentPort, structurally: main/ never imports Electron). */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

/** A Node process with an IPC channel (a child started with `fork` or `stdio: [..., 'ipc']`). */
export interface IpcProcessLike {
  send?(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
  disconnect?(): void;
  readonly connected?: boolean;
}

/** The channel over Electron's parentPort: messages arrive as MessageEvents (`event.data`). */
export function parentPortChannel(port: ParentPortLike, exit: (code: number) => void): LabChannel {
  return {
    carrier: 'electron-parent-port',
    send: (message) => port.postMessage(message),
    onMessage: (listener) => void port.on('message', (event) => listener(event.data)),
    onHostGone: () => undefined,
    // A utility process does not end by itself while its port is open; `closed` was posted first,
    // and a short delay lets it leave (the host also treats the exit itself as closed).
    end: () => void setTimeout(() => exit(0), 100),
  };
}

/** The channel over a Node child's IPC (`process.send` / `process.on('message')`). */
export function nodeIpcChannel(proc: IpcProcessLike): LabChannel {
  if (typeof proc.send !== 'function') throw new Error('this process has no IPC channel: start it with child_process.fork (or as an Electron utilityProcess)');
  const send = proc.send.bind(proc);
  return {
    carrier: 'node-ipc',
    send: (message) => {
      // A send after the host went away has nowhere to go; the process is ending anyway.
      if (proc.connected !== false) send(message);
    },
    onMessage: (listener) => void proc.on('message', listener),
    onHostGone: (listener) => void proc.once('disconnect', listener),
    end: () => {
      if (proc.connected !== false) proc.disconnect?.();
    },
  };
}

/** The channel this process was started with: Electron's parentPort, else Node's IPC; null when neither. */
export function channelOfThisProcess(proc: NodeJS.Process = process): LabChannel | null {
  const port = (proc as NodeJS.Process & { parentPort?: ParentPortLike }).parentPort;
  if (port) return parentPortChannel(port, (code) => proc.exit(code));
  if (typeof proc.send === 'function') return nodeIpcChannel(proc);
  return null;
}
