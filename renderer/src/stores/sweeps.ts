import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { CommandOutput } from '../../../main/contract/api.js';
import { api } from '../api/index.js';

/** A sweep in lists. */
export type SweepRow = CommandOutput<'sweeps.list'>[number];
/** One sweep with its tasks and runs. */
export type SweepDetail = CommandOutput<'sweeps.get'>;
/** A task of a sweep. */
export type SweepTaskRow = SweepDetail['tasks'][number];

/** The library's sweeps, and the one open with its tasks (refreshed while it runs: the server asks Slurm). */
export const useSweepsStore = defineStore('sweeps', () => {
  const sweeps = ref<SweepRow[]>([]);
  const detail = shallowRef<SweepDetail | null>(null);
  const error = ref<string | null>(null);
  const notice = ref<string | null>(null);
  const busy = ref(false);

  /** Loads the list of sweeps. */
  async function refresh(): Promise<void> {
    try {
      sweeps.value = await api().call('sweeps.list', {});
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  /** Loads one sweep with its tasks (the server brings a running Slurm sweep up to date first). */
  async function open(id: number): Promise<void> {
    try {
      const d = await api().call('sweeps.get', { id });
      detail.value = d;
      // The server may have just brought it up to date: the list shows the same.
      sweeps.value = sweeps.value.map((s) => (s.id === id ? d.sweep : s));
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    }
  }

  async function act(what: 'merge' | 'cancel', id: number): Promise<void> {
    busy.value = true;
    try {
      if (what === 'merge') {
        const r = await api().call('sweeps.merge', { id });
        const changed = r.runs.filter((x) => x.action !== 'unchanged').length;
        notice.value = `Merged: ${changed} of ${r.runs.length} runs changed, ${r.runs.reduce((n, x) => n + x.roundsAdded, 0)} rounds added${r.running.length ? `; tasks ${r.running.join(', ')} still running` : ''}.`;
      } else {
        const r = await api().call('sweeps.cancel', { id });
        notice.value = r.cancelled.length ? `Cancelled tasks ${r.cancelled.join(', ')}.` : 'No task was queued or running.';
      }
      await Promise.all([open(id), refresh()]);
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      busy.value = false;
    }
  }

  return { sweeps, detail, error, notice, busy, refresh, open, merge: (id: number) => act('merge', id), cancel: (id: number) => act('cancel', id) };
});
