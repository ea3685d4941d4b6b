import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CommandOutput } from '../../../main/contract/api.js';
import { api } from '../api/index.js';

/** An experiment in lists. */
export type ExperimentListItem = CommandOutput<'experiments.list'>[number];
/** A run in lists. */
export type RunListItem = CommandOutput<'runs.list'>[number];
/** A ticket in lists. */
export type TicketListItem = CommandOutput<'tickets.list'>[number];

/** The library's experiments, runs and tickets; search and sort happen in the tables. */
export const useLibraryStore = defineStore('library', () => {
  const experiments = ref<ExperimentListItem[]>([]);
  const runs = ref<RunListItem[]>([]);
  const tickets = ref<TicketListItem[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);

  /** Loads all three lists (newest first, at most 5,000 each). */
  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const [e, r, t] = await Promise.all([
        api().call('experiments.list', { limit: 5000 }),
        api().call('runs.list', { limit: 5000 }),
        api().call('tickets.list', { limit: 5000 }),
      ]);
      experiments.value = e;
      runs.value = r;
      tickets.value = t;
      error.value = null;
    } catch (e) {
      error.value = (e as Error).message;
    } finally {
      loading.value = false;
    }
  }

  /** Deletes an experiment (with its runs and tickets) or an imported ticket; answers what went. */
  async function remove(kind: 'experiment' | 'ticket', id: number): Promise<string> {
    if (kind === 'experiment') {
      const r = await api().call('experiments.delete', { id });
      await refresh();
      return `Deleted experiment ${r.experimentId} with ${r.runs} runs and ${r.tickets} tickets.`;
    }
    const r = await api().call('tickets.delete', { id });
    await refresh();
    return `Deleted ticket ${r.ticketId}.`;
  }

  return { experiments, runs, tickets, loading, error, refresh, remove };
});
