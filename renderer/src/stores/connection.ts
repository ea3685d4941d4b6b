import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ColtLabBridge, LabConnection } from '../../../electron/bridge-types.js';
import { api } from '../api/index.js';
import { useRunsStore } from './runs.js';

/** The page's window, with the desktop bridge when it runs in the Electron window. */
type PageWindow = Window & { coltLab?: ColtLabBridge };

/** The title for a connection: `COLT Lab — local`, `COLT Lab — user@host:port`. */
export function connectionTitle(c: LabConnection): string {
  const state = c.state === 'ready' ? '' : ` (${c.state === 'restarting' ? 'restarting…' : c.state})`;
  return `COLT Lab — ${c.label}${state}`;
}

/** The browser build's connection: the `colt serve` that served the page, `user@hostname:port` from its system.info. */
export function servedConnection(info: { user: string; hostname: string }, location: { protocol: string; port: string; origin: string }): LabConnection {
  const port = location.port || (location.protocol === 'https:' ? '443' : '80');
  return { kind: 'remote', label: `${info.user}@${info.hostname}:${port}`, url: location.origin, state: 'ready', message: null, crash: null, resumable: [] };
}

/**
 * Which lab the page talks to. In the desktop app the main process says (the local lab process,
 * or a remote `colt serve` it relays to) and pushes every change: a crash and restart of the lab
 * process, a lost server. In a browser it is the server that served the page. A switch to another
 * lab reloads the page, so every store starts from the new lab's data.
 */
export const useConnectionStore = defineStore('connection', () => {
  const connection = ref<LabConnection | null>(null);
  /** The Connect to a lab server… dialog is open. */
  const dialogOpen = ref(false);
  /** The crash the user dismissed (its time), so its banner stays away. */
  const dismissedCrash = ref<string | null>(null);
  let started = false;

  function apply(next: LabConnection, win: PageWindow): void {
    const previous = connection.value;
    if (previous && (previous.kind !== next.kind || previous.label !== next.label)) {
      win.location.reload();
      return;
    }
    connection.value = next;
    win.document.title = connectionTitle(next);
    // Back after a restart or a lost connection: what the page shows may be stale.
    if (previous && previous.state !== 'ready' && next.state === 'ready') void useRunsStore().refresh();
  }

  /** Learns the connection and follows it (once; App.vue calls it at start). */
  async function start(win: PageWindow = window): Promise<void> {
    if (started) return;
    started = true;
    const bridge = win.coltLab;
    if (bridge?.lab) {
      bridge.lab.onStatus((c) => apply(c, win));
      apply(await bridge.lab.status(), win);
      return;
    }
    try {
      apply(servedConnection(await api().call('system.info', {}), win.location), win);
    } catch {
      // The runs store reports an unreachable server; the title stays as it is.
    }
  }

  /** Connects the desktop window to a remote lab; resolves to null, or the error to show. */
  async function connect(url: string, token: string, win: PageWindow = window): Promise<string | null> {
    const bridge = win.coltLab;
    if (!bridge?.lab) return 'only the desktop app connects to other lab servers: in a browser, open the URL that server printed';
    const reply = await bridge.lab.connect(url, token);
    if (!reply.ok) return reply.error.message;
    dialogOpen.value = false;
    apply(reply.output, win);
    return null;
  }

  /** Back to the lab on this computer (desktop app). */
  async function disconnect(win: PageWindow = window): Promise<string | null> {
    const reply = await win.coltLab?.lab.disconnect();
    if (!reply) return null;
    if (!reply.ok) return reply.error.message;
    dialogOpen.value = false;
    apply(reply.output, win);
    return null;
  }

  /** Resumes every run the restarted lab found interrupted (one runs.resume per experiment); resolves to null or the error. */
  async function resumeInterrupted(): Promise<string | null> {
    const wanted = new Set(connection.value?.resumable ?? []);
    try {
      const runs = await api().call('runs.list', { status: 'interrupted' });
      const experiments = new Set(runs.filter((r) => wanted.has(r.id)).map((r) => r.experimentId));
      for (const experimentId of experiments) await api().call('runs.resume', { experimentId });
      dismissCrash();
      await useRunsStore().refresh();
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** Hides the crash banner until the next crash. */
  function dismissCrash(): void {
    dismissedCrash.value = connection.value?.crash?.at ?? null;
  }

  return { connection, dialogOpen, dismissedCrash, start, connect, disconnect, resumeInterrupted, dismissCrash };
});
