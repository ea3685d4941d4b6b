// App lifecycle logic kept out of main.ts so it is testable with Electron's `app` injected: the
// clean quit and the ticket files the OS hands the app (file association, second instance, argv).
import path from 'node:path';

/** The part of Electron's `app` the quit sequence uses. */
export interface QuitApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  exit(code?: number): void;
}

/** Settings of the quit sequence. */
export interface QuitOptions {
  /** Longest wait for close() before exiting anyway (a hung close must not keep the app open). */
  readonly timeoutMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * The clean quit: the first `before-quit` is held (preventDefault) while `close()` runs, which
 * pauses running jobs so they resume at the next start and closes the library; then `app.exit`.
 * A quit asked for again while closing waits for the same close. Returns the close promise getter (for tests).
 */
export function installQuitSequence(app: QuitApp, close: () => Promise<void>, options: QuitOptions = {}): () => Promise<void> | undefined {
  let closing: Promise<void> | undefined;
  app.on('before-quit', (event) => {
    event.preventDefault();
    if (closing !== undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        options.onError?.(new Error(`closing the lab took over ${options.timeoutMs ?? 15_000} ms; quitting anyway`));
        resolve();
      }, options.timeoutMs ?? 15_000);
    });
    closing = Promise.race([
      Promise.resolve()
        .then(close)
        .catch((e: unknown) => options.onError?.(e)),
      timeout,
    ]).then(() => {
      clearTimeout(timer);
      app.exit(0);
    });
  });
  return () => closing;
}

/** The ticket files among command-line arguments (`colt-lab ticket.safetensors`, a second instance's argv), as absolute paths. */
export function ticketPathsFromArgv(argv: readonly string[], cwd: string): string[] {
  return argv.filter((a) => !a.startsWith('-') && /\.safetensors$/i.test(a)).map((a) => path.resolve(cwd, a));
}

/** Holds ticket paths that arrive before the window can take them (macOS `open-file` comes before `ready`). */
export class PendingTickets {
  private pending: string[] = [];
  private deliver: ((paths: string[]) => void) | undefined;

  /** Delivers now when a receiver is attached, else keeps them. */
  add(paths: readonly string[]): void {
    if (paths.length === 0) return;
    if (this.deliver) this.deliver([...paths]);
    else this.pending.push(...paths);
  }

  /** Attaches the receiver (the window, once its page loaded) and hands it everything held. */
  attach(deliver: (paths: string[]) => void): void {
    this.deliver = deliver;
    const held = this.pending;
    this.pending = [];
    if (held.length > 0) deliver(held);
  }

  /** Detaches the receiver (the window closed or is reloading). */
  detach(): void {
    this.deliver = undefined;
  }
}
