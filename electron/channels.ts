// The IPC channel names shared by electron/ipc.ts (main process) and electron/preload/preload.ts.
// The sandboxed preload cannot import this module at run time (a sandboxed preload may require only
// 'electron' and a few Node built-ins), so it repeats these literals; a unit test checks they agree.

/** Prefix of a command's channel: `colt:<command>`, e.g. `colt:runs.list` (commands are `noun.verb`, so no clash with the two below). */
export const COMMAND_CHANNEL_PREFIX = 'colt:';

/** Main → renderer: a lab event `{event, payload}` (run.progress, run.roundDone, run.finished, run.failed). */
export const EVENT_CHANNEL = 'colt:event';

/** Main → renderer: a menu or OS action the UI carries out, `{action, …}` (see electron/README.md). */
export const MENU_CHANNEL = 'colt:menu';

/** The window argument that carries the command names to the preload: `--colt-commands=a.b,c.d`. */
export const COMMANDS_ARGUMENT = '--colt-commands=';

/** The channel a command is served on. */
export function commandChannel(command: string): string {
  return COMMAND_CHANNEL_PREFIX + command;
}
