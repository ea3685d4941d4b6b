import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appDataDir, packageRoot } from '../../common/paths.js';
import { invalidInput } from '../../contract/errors.js';
import { selectBackend } from '../../lab/backend/index.js';
import { startServer } from '../../server/http-server.js';
import { LabService } from '../../service/lab-service.js';
import { CONCURRENCY_HELP, libraryPath, LIBRARY_HELP, optional, parseCount } from '../library-options.js';
import { parseBackend } from '../library-options.js';
import { info, out } from '../output.js';

/** Help text of `colt serve`. */
export const SERVE_HELP = `colt serve [--port N] [--host H] [--allow-remote] [--allow-host NAME]

Serves the workbench to a browser: POST /api/<command>, a WebSocket event stream, the UI.
Binds 127.0.0.1 by default; prints a URL carrying the random access token every API request
needs (as Authorization: Bearer). Requests must name an allowed host and, from a browser, come
from the page itself (same origin).
  --port N            port (default 7450; 0 picks a free one)
  --host H            address to bind (non-loopback needs --allow-remote)
  --allow-host NAME   a host name or address the server also answers to, e.g. this machine's
                      name or IP when bound to 0.0.0.0 with --allow-remote, or a proxy's name
                      (repeatable; loopback names and the --host address always are)
  --files DIR         a folder clients may import from and export to (repeatable;
                      default: your home folder, the app-data folder and the working folder)
  --backend B         auto (default), tensorflow-gpu, webgpu, tensorflow, wasm or cpu
  --data-dir DIR      where registered datasets are listed (default: the app-data folder)
${CONCURRENCY_HELP}
${LIBRARY_HELP}`;

/** `colt serve`: runs until interrupted. */
export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '7450' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-remote': { type: 'boolean', default: false },
      'allow-host': { type: 'string', multiple: true },
      library: { type: 'string' },
      'data-dir': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      files: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    out(SERVE_HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalidInput(`--port '${values.port}': expected 0-65535`);
  const backend = await selectBackend(parseBackend(values.backend ?? 'auto'));
  const service = new LabService({
    dataDir: values['data-dir'] ?? appDataDir(),
    libraryPath: libraryPath(values.library),
    backend,
    ...optional('concurrency', parseCount(values.concurrency, '--concurrency')),
    ...(values.files && values.files.length > 0 ? { fileRoots: values.files.map((f) => path.resolve(f)) } : {}),
    // A browser client learns the library's file name, not where it is.
    revealPaths: false,
  });
  const allowedHosts = values['allow-host'] ?? [];
  for (const h of allowedHosts) {
    if (!/^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:.]+\]?$/.test(h)) throw invalidInput(`--allow-host '${h}': expected a host name or an IP address`);
  }
  const staticDir = path.join(packageRoot(), 'renderer', 'dist');
  const server = await startServer({ handler: service, host: values.host, port, allowRemote: values['allow-remote'], allowedHosts, staticDir: existsSync(staticDir) ? staticDir : undefined });
  service.onEvent((e) => server.broadcast(e));
  out(`COLT Lab is serving on ${server.url} (backend: ${backend.name})`);
  out(`open: ${server.browserUrl}`);
  info('press Ctrl+C to stop');
  await new Promise<void>((resolve) => {
    // Running jobs pause (their runs resume later) before the library closes.
    const stop = (): void => void server.close().then(() => service.close()).then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
