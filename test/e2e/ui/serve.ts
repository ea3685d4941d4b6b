import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../helpers/cli.js';

/** A `colt serve` child process on a library in its own COLT_HOME. */
export interface Served {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly child: ChildProcess;
  /** Calls a command over HTTP with the Bearer token, as a script would. */
  call<T>(command: string, input: unknown): Promise<T>;
  stop(): Promise<void>;
}

/** Starts `node bin/colt.js serve --port 0 --library <home>/library.sqlite [args…]` and waits for the `open:` line. */
export function serve(home: string, args: readonly string[] = []): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'colt.js'), 'serve', '--port', '0', '--library', path.join(home, 'library.sqlite'), ...args], {
      cwd: ROOT,
      env: { ...process.env, COLT_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`colt serve printed no open: line in 60 s\n${out}\n${err}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`colt serve exited with ${code}\n${out}\n${err}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /open: (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const url = new URL(m[1]);
      const token = url.searchParams.get('token') ?? '';
      resolve({
        url: m[1],
        origin: url.origin,
        token,
        child,
        async call<T>(command: string, input: unknown): Promise<T> {
          const res = await fetch(`${url.origin}/api/${command}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ input }) });
          const body = (await res.json()) as { ok: boolean; output?: T; error?: { message: string } };
          if (!body.ok) throw new Error(`${command}: ${body.error?.message}`);
          return body.output as T;
        },
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      });
    });
  });
}
