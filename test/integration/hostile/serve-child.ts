import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../../helpers/cli.js';

/** A `colt serve` child process. */
export interface ServeChild {
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcess;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** POSTs a command with the Bearer token as JSON, as a script would; answers the status and body. */
  post(command: string, input: unknown, headers?: Record<string, string>): Promise<{ status: number; body: { ok: boolean; output?: unknown; error?: { code: string; message: string; details?: Record<string, unknown> } } }>;
  stop(): Promise<void>;
}

/** Starts `node bin/colt.js serve --port 0 --library LIB --files DIR …` and waits for its `open:` line. */
export function serveChild(home: string, library: string, files: string, extra: readonly string[] = []): Promise<ServeChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), 'serve', '--port', '0', '--library', library, '--files', files, ...extra], {
      cwd: ROOT,
      env: { ...process.env, COLT_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`colt serve exited with ${code}\n${out}\n${err}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open: (http:\/\/\S+)/.exec(out);
      if (!m) return;
      const url = new URL(m[1]);
      const token = url.searchParams.get('token') ?? '';
      resolve({
        origin: url.origin,
        port: Number(url.port),
        token,
        child,
        stderr: () => err,
        async post(command, input, headers = {}) {
          const res = await fetch(`${url.origin}/api/${command}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...headers },
            body: JSON.stringify({ input }),
          });
          return { status: res.status, body: (await res.json()) as never };
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      });
    });
  });
}

/** What a raw request got back: the status of the first response line (null when the connection closed without one) and the head. */
export interface RawReply {
  readonly status: number | null;
  readonly head: string;
  readonly body: string;
}

/**
 * Sends bytes as they are over a fresh TCP connection (no client library tidies them up) and
 * collects what comes back until the server closes it (requests say `Connection: close`; the
 * socket is not half-closed, as a browser's is not). `limitMs` only stops a hung exchange from
 * hanging the test; it is generous and no speed is asserted.
 */
export function rawRequest(port: number, data: string | Buffer, options: { limitMs?: number } = {}): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(String(data).slice(0, 120))}`));
    }, options.limitMs ?? 60_000);
    socket.on('connect', () => socket.write(data));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : null, head: split < 0 ? text : text.slice(0, split), body: split < 0 ? '' : text.slice(split + 4) });
    });
  });
}

/** A header's value in a raw response head (case-insensitive), or undefined. */
export function headerOf(head: string, name: string): string | undefined {
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
