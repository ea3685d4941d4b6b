// The IPC channel names shared by electron/ipc.ts (main process) and electron/preload/preload.ts.
// The sandboxed preload cannot import this module at run time (a sandboxed preload may require only
// 'electron' and a few Node built-ins), so it repeats these literals; a unit test checks they agree.

/** Prefix of a command's channel: `colt:<command>`, e.g. `colt:runs.list` (commands are `noun.verb`; the other channels below have no dot after the prefix, so they never clash). */
export const COMMAND_CHANNEL_PREFIX = 'colt:';

/** Main → renderer: a lab event `{event, payload}` (run.progress, run.roundDone, run.finished, run.failed). */
export const EVENT_CHANNEL = 'colt:event';

/** Main → renderer: a menu or OS action the UI carries out, `{action, …}` (see electron/README.md). */
export const MENU_CHANNEL = 'colt:menu';

/** Renderer → main, `invoke`: the lab connection now (LabConnection); main → renderer: every change of it. */
export const LAB_STATUS_CHANNEL = 'colt:lab-status';

/** Renderer → main, `invoke` `{url, token}`: connect the window to a remote `colt serve`. */
export const LAB_CONNECT_CHANNEL = 'colt:lab-connect';

/** Renderer → main, `invoke`: back to the local lab. */
export const LAB_DISCONNECT_CHANNEL = 'colt:lab-disconnect';

/** The window argument that carries the command names to the preload: `--colt-commands=a.b,c.d`. */
export const COMMANDS_ARGUMENT = '--colt-commands=';

/** The channel a command is served on. */
export function commandChannel(command: string): string {
  return COMMAND_CHANNEL_PREFIX + command;
}
