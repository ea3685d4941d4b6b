import { defineStore } from 'pinia';
import { ref } from 'vue';
import { api } from '../api/index.js';

/** One dropped file's outcome, as shown in the import panel. */
export interface ImportNote {
  readonly key: number;
  readonly file: string;
  readonly ok: boolean;
  readonly message: string;
  readonly ticketId: number | null;
}

/** Ticket files dropped on the window: each validated by the server through tickets.import. */
export const useImportsStore = defineStore('imports', () => {
  const notes = ref<ImportNote[]>([]);
  const busy = ref(false);
  let key = 0;

  /** Imports the files one by one and records each outcome (newest first). */
  async function importFiles(files: readonly File[]): Promise<void> {
    busy.value = true;
    try {
      const results = await api().importFiles(files);
      for (const r of results) {
        notes.value.unshift(
          r.ok
            ? { key: ++key, file: r.file, ok: true, ticketId: r.output.ticketId, message: `${r.output.duplicate ? 'Already in the library' : 'Imported'} as ticket ${r.output.ticketId} (${r.output.ticket.arch}, ${r.output.format})${r.output.notes.length ? ': ' + r.output.notes.join('; ') : ''}` }
            : { key: ++key, file: r.file, ok: false, ticketId: null, message: r.error.message },
        );
      }
    } finally {
      busy.value = false;
    }
  }

  /** Forgets one note. */
  function dismiss(k: number): void {
    notes.value = notes.value.filter((n) => n.key !== k);
  }

  return { notes, busy, importFiles, dismiss };
});
