import type { CommandInput, CommandName, CommandOutput } from '../../../main/contract/api.js';
import type { ColtLabBridge } from '../../../electron/bridge-types.js';
import { ApiError, asApiError, toBase64, unwrap, type ApiClient, type ImportResult, type Reply } from './client.js';

/** The Electron transport: `window.coltLab` from the preload, one function per command. */
export function createIpcClient(bridge: ColtLabBridge): ApiClient {
  const call = async <C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> => {
    const fn = bridge.commands[command] as unknown as ((input: CommandInput<C>) => Promise<Reply<CommandOutput<C>>>) | undefined;
    if (typeof fn !== 'function') throw new ApiError('not_found', `${command}: this version of the desktop app does not offer it`);
    return unwrap(await fn(input));
  };
  return {
    transport: 'ipc',
    call,
    onEvent: (listener) => bridge.onEvent(listener),
    async importFiles(files) {
      const results: ImportResult[] = [];
      for (const file of files) {
        try {
          // A dropped file has a real path in Electron: the main process reads it (no copy through IPC).
          const path = bridge.pathForFile(file);
          const input: CommandInput<'tickets.import'> = path ? { path } : { name: file.name, bytes: toBase64(new Uint8Array(await file.arrayBuffer())) };
          results.push({ file: file.name, ok: true, output: await call('tickets.import', input) });
        } catch (e) {
          results.push({ file: file.name, ok: false, error: asApiError(e) });
        }
      }
      return results;
    },
  };
}
